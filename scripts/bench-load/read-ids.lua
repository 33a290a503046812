-- GET {path_prefix}{id}{path_suffix} for ids read from the file IDS, one per line, in turn.
local ids, n = {}, 0
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local prefix, suffix = os.getenv("PATH_PREFIX"), os.getenv("PATH_SUFFIX") or ""
local auth = "Bearer " .. os.getenv("TOKEN")
request = function()
  n = n + 1
  return wrk.format("GET", prefix .. ids[(n * 7919) % #ids + 1] .. suffix, {["Authorization"] = auth})
end
