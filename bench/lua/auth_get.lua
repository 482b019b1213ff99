-- GET with the demo merchant's credentials (the URL names the order).
wrk.headers["X-Api-Key"] = "key_test_abc123"
wrk.headers["X-Api-Secret"] = "secret_test_xyz789"
