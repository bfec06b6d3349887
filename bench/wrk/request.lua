-- wrk script of bench/figures/mock.py: the request comes from the environment
-- (BENCH_METHOD, BENCH_BODY, BENCH_TOKEN, BENCH_VERSION); done() prints one line
-- "BENCH_JSON {...}" with the request count, duration, latency percentiles and errors.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body ~= nil and #body > 0 then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "none")
wrk.headers["Enode-Version"] = os.getenv("BENCH_VERSION") or "2024-10-01"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
