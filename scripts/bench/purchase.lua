-- POST /api/purchases with a fresh Idempotency-Key and order id each time, for one of BENCH_CUSTOMERS (1000) customers:
-- fewer customers give each a longer history; 0 sends no customer reference at all.
dofile(os.getenv("BENCH_DIR") .. "/counting.lua")
local customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "") or 1000

function request()
  local suffix = next_suffix()
  local customer = customers > 0 and ',"customerRef":"c-' .. (counter % customers) .. '"' or ""
  local body = '{"campaign":"bench","charity":"bench-charity","orderId":"O-' .. suffix ..
    '","currency":"usd","amount":4999,"roundUp":true,"addOn":100' .. customer ..
    ',"payment":{"method":"external","reference":"POS-' .. suffix .. '"}}'
  return wrk.format("POST", "/api/purchases", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = "k-" .. suffix,
  }, body)
end
