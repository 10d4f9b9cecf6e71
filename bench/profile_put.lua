-- Atomic increment of the bench user's score.
wrk.method = "PUT"
wrk.headers["Authorization"] = "Hydrogen-r1 " .. os.getenv("BENCH_TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"score":{"$incr_by":1}}'
