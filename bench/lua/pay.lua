-- Each order is paid once: a connection creates an order, then pays it by UPI
-- through the checkout endpoint (auto-captured), and so on.
local pending = {}
local order_body = '{"amount":50000,"currency":"INR"}'

function request()
  local order_id = table.remove(pending)
  local headers = {["Content-Type"] = "application/json",
                   ["X-Api-Key"] = "key_test_abc123",
                   ["X-Api-Secret"] = "secret_test_xyz789"}
  if order_id then
    local body = '{"order_id":"' .. order_id .. '","method":"upi","vpa":"success@upi"}'
    return wrk.format("POST", "/api/v1/payments/public", headers, body)
  end
  return wrk.format("POST", "/api/v1/orders", headers, order_body)
end

function response(status, headers, body)
  local id = body:match('"id":"(order_%w+)"')
  if id then table.insert(pending, id) end
end
