-- POST /api/purchases with a fresh Idempotency-Key and order id each time.
dofile(os.getenv("BENCH_DIR") .. "/counting.lua")

function request()
  local suffix = next_suffix()
  local body = '{"campaign":"bench","charity":"bench-charity","orderId":"O-' .. suffix ..
    '","currency":"usd","amount":4999,"roundUp":true,"addOn":100,"customerRef":"c-' .. (counter % 1000) ..
    '","payment":{"method":"external","reference":"POS-' .. suffix .. '"}}'
  return wrk.format("POST", "/api/purchases", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = "k-" .. suffix,
  }, body)
end
