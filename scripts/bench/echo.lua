-- The baseline's JSON POST, about the size of a purchase body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"campaign":"bench","charity":"bench-charity","orderId":"O-1","currency":"usd","amount":4999,"roundUp":true,"addOn":100,"customerRef":"c-1","payment":{"method":"external","reference":"POS-1"}}'
