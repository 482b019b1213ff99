-- GET in the Razorpay dialect as the demo merchant, HTTP Basic (the URL names the object).
wrk.headers["Authorization"] = "Basic a2V5X3Rlc3RfYWJjMTIzOnNlY3JldF90ZXN0X3h5ejc4OQ=="
