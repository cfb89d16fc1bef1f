-- wrk prints p50/p75/p90/p99 only; the benchmark wants p95 too, as one JSON line.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"p50_us": %d, "p95_us": %d, "p99_us": %d, "requests": %d, "duration_us": %d, ' ..
    '"socket_errors": %d, "http_errors": %d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
