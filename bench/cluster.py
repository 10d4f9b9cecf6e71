#!/usr/bin/env python3
"""Two Protium nodes on one PostgreSQL behind nginx (round-robin), under a
mixed load for a minute: how many requests, how fast, and how many errors.

The load (wrk, one script): 60 % reads of one user, 20 % record lists, 10 %
profile increments, 10 % record creates, all with one signed-in user. Prints
req/s, p50, p99 and the non-2xx count; writes them to --out as JSON.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from benchlib import RUNNING, Server, ensure_tools, http, sh, wrk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MIXED_LUA = """
wrk.headers["Authorization"] = "Hydrogen-r1 {token}"
wrk.headers["X-Hydrogen-Client-ID"] = "bench"
wrk.headers["Content-Type"] = "application/json"
local n = 0
function request()
  n = n + 1
  local k = n % 10
  if k < 6 then
    return wrk.format("GET", "/hserve/v2.5/user/info/{user}/")
  elseif k < 8 then
    return wrk.format("GET", "/hserve/v2.4/table/product/record/?where={where}&order_by=-price&limit=20")
  elseif k < 9 then
    return wrk.format("PUT", "/hserve/v2.5/user/info/", nil, '{{"score":{{"$incr_by":1}}}}')
  else
    return wrk.format("POST", "/hserve/v2.4/table/product/record/", nil, '{{"name":"bench","price":12.5}}')
  end
end
"""

NGINX_CONF = """daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  upstream protium {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://protium;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--protium", default=os.path.join(ROOT, "target/release/protium"))
    ap.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL",
                                                         "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/cluster-results.json"))
    args = ap.parse_args()
    ensure_tools(pocketbase=False)
    if not shutil.which("nginx"):
        sh(["apt-get", "install", "-y", "-qq", "nginx"])
    work = tempfile.mkdtemp(prefix="protium-cluster-")
    db = f"protium_cluster_{os.getpid()}"
    sh(["psql", "-q", args.postgres, "-c", f"CREATE DATABASE {db}"])
    url = args.postgres.rsplit("/", 1)[0] + "/" + db
    nginx = None
    try:
        env = {"PROTIUM_DATABASE_URL": url, "PROTIUM_LOG": "error", "PROTIUM_DB_POOL_SIZE": "16", "PROTIUM_QUERIES_PER_CALLER": "1000",
               "PROTIUM_AUTH_RATE_PER_MINUTE": "0", "PROTIUM_SCHEMA_DIR": os.path.join(ROOT, "tests/schema/records"),
               "PROTIUM_SCHEMA_WATCH": "false", "PROTIUM_TRUSTED_PROXIES": "127.0.0.1"}
        ports = (18710, 18711)
        for i, port in enumerate(ports):
            Server(f"cluster-{i}", [args.protium],
                   {**env, "PROTIUM_LISTEN": f"127.0.0.1:{port}", "PROTIUM_DATA_DIR": os.path.join(work, str(i))},
                   port, "/health/")
        front = 18700
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(d=work, a=ports[0], b=ports[1], port=front))
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(work, "nginx.conf"), "-p", work])
        base = f"http://127.0.0.1:{front}"
        for _ in range(100):
            try:
                st, _ = http("GET", base + "/health/")
                if st == 200:
                    break
            except Exception:
                pass
            time.sleep(0.1)
        st, body = http("POST", base + "/hserve/v2.1/register/email/",
                        {"email": "bench@bench.test", "password": "secret123"}, {"X-Hydrogen-Client-ID": "bench"})
        assert st == 201, body
        token, user = body["token"], body["user_id"]
        seed = ("INSERT INTO tbl_product (id, created_at, updated_at, created_by, read_perm, write_perm, name, price, stock) "
                "SELECT lpad(to_hex(i), 24, '0'), 1700000000 + i, 1700000000 + i, 1, '[\"user:anonymous\"]', '[]', "
                "'product ' || i, i % 1000, 0 FROM generate_series(1, 100000) AS i")
        sh(["psql", "-q", url, "-c", seed, "-c", "ANALYZE"])
        where = urllib.parse.quote(json.dumps({"price": {"$gte": 990}}))
        script = os.path.join(work, "mixed.lua")
        with open(script, "w") as f:
            f.write(MIXED_LUA.format(token=token, user=user, where=where))
        print(f"mixed load through nginx to two nodes on PostgreSQL: {args.seconds} s, {args.connections} connections",
              flush=True)
        r = wrk(base + "/", script, args.seconds, args.connections)
        print(f"  {r['rps']:,.0f} req/s  p50 {r['p50']:.2f} ms  p99 {r['p99']:.2f} ms  "
              f"non-2xx {r['non2xx']}  {r['socket_errors']}", flush=True)
        with open(args.out, "w") as f:
            json.dump({"result": r, "args": vars(args)}, f, indent=1)
    finally:
        if nginx:
            nginx.terminate()
        for server in list(RUNNING):
            server.stop()
        sh(["psql", "-q", args.postgres, "-c", f"DROP DATABASE {db} WITH (FORCE)"])


if __name__ == "__main__":
    main()
