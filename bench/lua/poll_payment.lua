-- A checkout page waiting for its payment: each connection sends its next
-- GET POLL_MS (1000) after the last answer, instead of at once.
local poll_ms = tonumber(os.getenv("POLL_MS") or "1000")

function delay()
  return poll_ms
end
