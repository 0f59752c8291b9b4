-- POST BENCH_BODY to the URL's path; each "{n}" in the body becomes a fresh number, so
-- bodies that must be unique stay unique.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
local common = dofile(here .. "common.lua")
local template = os.getenv("BENCH_BODY") or "{}"
local headers = common.headers()
headers["Content-Type"] = "application/json"
local n = 0
local seed = tostring(os.time()) .. tostring(math.random(100000, 999999))

request = function()
  n = n + 1
  local body = string.gsub(template, "{n}", seed .. "-" .. n)
  return wrk.format("POST", nil, headers, body)
end

if os.getenv("BENCH_DELAY_MS") then
  delay = function() return common.delay() end
end
done = common.done
