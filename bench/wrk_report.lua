-- wrk's report as one JSON line (bench/concurrency.py reads it): counts, and latency
-- percentiles in microseconds, p95 included (wrk --latency prints 50/75/90/99 only).
-- Any answer but 200 is counted (a lost session's 302 to the login page included).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not_200 = not_200 + 1
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_200")
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "not_200": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, bad,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
