-- wrk script: replay the requests listed in the file named by BENCH_REQUESTS, in turn.
-- Each line is "METHOD PATH" or "METHOD PATH JSON-BODY". Thread i of n sends lines i,
-- i+n, i+2n, ..., so together the threads go through the list in order. With BENCH_ONCE
-- set, each thread stops after its share and says "pass-done": one pass over the list,
-- every line once; bench/load.py then ends the run (SIGINT) once every thread has said so.
-- BENCH_HEADERS holds "Name: value" lines sent with every request (a visitor's Cookie).
-- When the run ends it prints one JSON line of figures for bench/load.py to read.

local requests = {}
local counter, step, limit, seen = 0, 1, 0, 0
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local started = 0

function setup(thread)
  thread:set("offset", started)
  started = started + 1
end

function init(args)
  local extra = {}
  for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then extra[name] = value end
  end
  local file = assert(io.open(os.getenv("BENCH_REQUESTS"), "r"))
  for line in file:lines() do
    local method, rest = line:match("^(%u+) (.+)$")
    local path, body = rest:match("^(%S+) (.+)$")
    if not path then path = rest end
    local headers = {}
    for name, value in pairs(extra) do headers[name] = value end
    if body then headers["Content-Type"] = "application/json" end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
  file:close()
  counter, step = offset, threads
  if os.getenv("BENCH_ONCE") then
    limit = math.max(1, math.ceil((#requests - offset) / threads))
  end
end

function request()
  local chosen = requests[(counter % #requests) + 1]
  counter = counter + step
  return chosen
end

if os.getenv("BENCH_ONCE") then
  function response()
    seen = seen + 1
    if seen == limit then
      io.write("pass-done\n")
      io.stdout:flush()
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
