-- wrk script: POSTs a webhook delivery with X-Dimelo-Secret; every request gets its own delivery and event id,
-- so the gateway stores each one (a re-sent id would be a cheaper duplicate).
-- Arguments after "--": the body template file (with __DELIVERY_ID__ and __EVENT_ID__) and a tag unique per run.
-- The secret comes from the environment (BENCH_SECRET), never from the command line.

local template, tag
local counter = 0

function init(args)
  local file = assert(io.open(args[1], "rb"))
  template = file:read("*a")
  file:close()
  tag = args[2]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Dimelo-Secret"] = os.getenv("BENCH_SECRET")
end

function request()
  counter = counter + 1
  local id = tag .. "-" .. counter
  local body = template:gsub("__DELIVERY_ID__", "d-" .. id):gsub("__EVENT_ID__", "e-" .. id)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d errors=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout,
    summary.duration,
    latency:percentile(50),
    latency:percentile(99)
  ))
end
