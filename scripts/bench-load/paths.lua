-- GET the paths of the file PATHS, one per line, in order; the threads take turns, so no two ask
-- for the same line.
local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end
function init()
  thread_count = tonumber(os.getenv("WRK_THREADS") or "2")
end
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local auth = "Bearer " .. os.getenv("TOKEN")
local n = 0
request = function()
  local line = (thread_index + n * thread_count) % #paths + 1
  n = n + 1
  return wrk.format("GET", paths[line], {["Authorization"] = auth})
end
