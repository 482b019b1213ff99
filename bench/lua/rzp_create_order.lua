-- POST /v1/orders (the Razorpay dialect) as the demo merchant, HTTP Basic.
wrk.method = "POST"
wrk.body = '{"amount":50000,"currency":"INR","receipt":"receipt_001","notes":{"customer":"John Doe"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic a2V5X3Rlc3RfYWJjMTIzOnNlY3JldF90ZXN0X3h5ejc4OQ=="
