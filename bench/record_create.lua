wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hydrogen-Client-ID"] = "bench"
wrk.headers["Authorization"] = "Hydrogen-r1 " .. os.getenv("BENCH_TOKEN")
wrk.body = '{"name":"bench","price":12.5,"tags":["a","b"],"stock":{"$incr_by":1}}'
