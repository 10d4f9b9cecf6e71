-- GET with the bench user's session token.
wrk.method = "GET"
wrk.headers["Authorization"] = "Hydrogen-r1 " .. os.getenv("BENCH_TOKEN")
wrk.headers["X-Hydrogen-Client-ID"] = "bench"
