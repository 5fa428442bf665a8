-- POST /api/pledges/quote: the donation math and a campaign lookup, nothing written.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "")
wrk.body = '{"campaign":"bench","charity":"bench-charity","currency":"usd","amount":4999,"roundUp":true,"addOn":100}'
