-- Password login (one argon2id verification per request).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bencher","password":"secret123"}'
