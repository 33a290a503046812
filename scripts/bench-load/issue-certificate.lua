-- POST /v1/certificates (a draft) and POST /v1/certificates/{id}/issue (issuing it): each
-- connection's next request issues a draft created earlier on this thread if one is waiting,
-- otherwise drafts a new one. Each issued certificate costs two requests.
local auth = "Bearer " .. os.getenv("TOKEN")
local environment = os.getenv("ENVIRONMENT_ID")
local draft = '{"holder": {"given_names": "Aino", "family_name": "Virtanen", "date_of_birth": "2004-03-15"}, '
  .. '"learning_environment_ids": ["' .. environment .. '"], "start_date": "2026-02-01", "end_date": "2026-10-31", '
  .. '"hours": 480, "coach": {"name": "Maija", "title": "työvalmentaja"}, "language": "fi", '
  .. '"units": [{"qualification": "381141", "unit": "SAMPLE-104", "description": "Siivous.", '
  .. '"skills": [{"text": "Valitsee puhdistusaineet"}], "hours": 320}]}'
local waiting, first, last = {}, 1, 0
request = function()
  if first <= last then
    local id = waiting[first]
    waiting[first] = nil
    first = first + 1
    return wrk.format("POST", "/v1/certificates/" .. id .. "/issue", {["Authorization"] = auth})
  end
  return wrk.format("POST", "/v1/certificates", {["Authorization"] = auth, ["Content-Type"] = "application/json"}, draft)
end
response = function(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"([^"]+)"')
    if id then
      last = last + 1
      waiting[last] = id
    end
  end
end
