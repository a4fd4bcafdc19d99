-- wrk script for bench/run.sh: every request POSTs the same ~1 KiB
-- webhook-like JSON document (bench/payload.json, path overridable with
-- BENCH_PAYLOAD), so all targets see identical traffic.
local f = assert(io.open(os.getenv("BENCH_PAYLOAD") or "bench/payload.json", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "hookscope-bench/wrk"

-- One machine-readable line, so run.sh needn't parse wrk's human output
-- (whose units switch between us, ms and s). Latencies are in microseconds;
-- "status" is wrk's count of responses with status >= 400.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "wrk-summary requests=%d duration_us=%d p50_us=%d p99_us=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect, e.read, e.write, e.timeout))
end
