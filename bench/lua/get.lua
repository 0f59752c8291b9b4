-- GET each path of BENCH_PATHS (comma-separated) in turn; the URL's own path if unset.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
local common = dofile(here .. "common.lua")
local paths = common.split(os.getenv("BENCH_PATHS"))
local headers = common.headers()
local n = 0

request = function()
  n = n + 1
  local path = wrk.path
  if #paths > 0 then path = paths[(n % #paths) + 1] end
  return wrk.format("GET", path, headers, nil)
end

if os.getenv("BENCH_DELAY_MS") then
  delay = function() return common.delay() end
end
done = common.done
