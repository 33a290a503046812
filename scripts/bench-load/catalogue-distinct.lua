-- GET wrk's URL with a recognised_on that no other request of the run asks for, so that no answer
-- comes from the catalogue's cache: each page is built from the database. Every seeded
-- recognition is in force from 2020-01-01 on, so every day finds the same environments.
local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end
function init()
  thread_count = tonumber(os.getenv("WRK_THREADS") or "2")
end
local auth = "Bearer " .. os.getenv("TOKEN")
local n = 0
request = function()
  local day = thread_index + n * thread_count
  n = n + 1
  local path = wrk.path .. "&recognised_on=" .. os.date("!%Y-%m-%d", 1577836800 + day * 86400)
  return wrk.format("GET", path, {["Authorization"] = auth})
end
