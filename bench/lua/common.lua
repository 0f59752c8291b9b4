-- Shared by the bench scripts: headers and pacing from the environment, figures as JSON.
local M = {}

function M.headers()
  local headers = {}
  local auth = os.getenv("BENCH_AUTH")
  if auth and auth ~= "" then headers["Authorization"] = "Bearer " .. auth end
  -- The console's session cookie (bench/console.py).
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  return headers
end

-- BENCH_DELAY_MS paces each connection (wrk's delay()): a steady rate below the maximum.
function M.delay()
  local ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
  return ms
end

function M.split(text)
  local items = {}
  for item in string.gmatch(text or "", "[^,]+") do table.insert(items, item) end
  return items
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end

return M
