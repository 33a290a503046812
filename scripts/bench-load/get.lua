-- GET wrk's URL with a bearer token, and with If-None-Match when ETAG is set.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
if os.getenv("ETAG") and os.getenv("ETAG") ~= "" then
  wrk.headers["If-None-Match"] = os.getenv("ETAG")
end
