-- POST /v1/organisations with a new name each time.
local n, thread_id = 0, tostring(math.random(1, 1e9))
local auth = "Bearer " .. os.getenv("TOKEN")
request = function()
  n = n + 1
  local body = '{"kind": "workshop", "name": {"fi": "Kuormatyöpaja ' .. thread_id .. '-' .. n .. '"}, "municipality": "684"}'
  return wrk.format("POST", "/v1/organisations", {["Authorization"] = auth, ["Content-Type"] = "application/json"}, body)
end
