-- POST /api/v1/orders as the demo merchant.
wrk.method = "POST"
wrk.body = '{"amount":50000,"currency":"INR","receipt":"receipt_001","notes":{"customer":"John Doe"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = "key_test_abc123"
wrk.headers["X-Api-Secret"] = "secret_test_xyz789"
