-- Shared by the POST scripts: one unique suffix per request, and a count of each thread's 201s
-- (reported as "CREATED n" so bench.sh can check it against the database).
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  created = 0
  run = os.getenv("BENCH_RUN") or "run"
  key = os.getenv("BENCH_KEY") or ""
end

function next_suffix()
  counter = counter + 1
  return run .. "-" .. id .. "-" .. counter
end

function response(status, headers, body)
  if status == 201 then created = created + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("created") end
  io.write("CREATED " .. total .. "\n")
end
