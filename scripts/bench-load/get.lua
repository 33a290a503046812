-- GET wrk's URL with a bearer token.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
