-- POST BENCH_BODY to the URL's path; each "{n}" in the body becomes a fresh number, so
-- bodies that must be unique stay unique, and each "{id}" the next of BENCH_IDS
-- (comma-separated), so that writes spread over many rows.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
local common = dofile(here .. "common.lua")
local template = os.getenv("BENCH_BODY") or "{}"
local headers = common.headers()
headers["Content-Type"] = "application/json"
local n = 0
local ids = common.split(os.getenv("BENCH_IDS"))
local seed = tostring(os.time()) .. tostring(math.random(100000, 999999))

request = function()
  n = n + 1
  local body = string.gsub(template, "{n}", seed .. "-" .. n)
  if #ids > 0 then body = string.gsub(body, "{id}", ids[(n % #ids) + 1]) end
  return wrk.format("POST", nil, headers, body)
end

if os.getenv("BENCH_DELAY_MS") then
  delay = function() return common.delay() end
end
done = common.done
