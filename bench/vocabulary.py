#!/usr/bin/env python3
"""What derived fields cost on a user list: the same 20-user pages with a
plain profile (stored nickname, VIP date, follower count) and with a derived
one (a computed `vip_left`, a `count` of followers kept by the server and a
`viewer_link` flag `following`), 10,000 users and 30,000 follows seeded in
the database, on SQLite and PostgreSQL.

Prints req/s, p50 and p99 of each, and derived ÷ plain, measured in one run.
"""

import argparse
import sys
import json
import os
import sqlite3
import tempfile

from benchlib import run_main, Server, ensure_tools, http, sh, wrk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FOLLOW = {
    "type": "object",
    "required": ["followee"],
    "properties": {"followee": {"type": "string", "x-protium": {"pointer": "_userprofile"}}},
}

PLAIN = {
    "type": "object",
    "properties": {
        "nickname": {"type": "string", "maxLength": 64},
        "vip_expires_at": {"type": "string", "format": "date-time"},
        "vip_left": {"type": "integer"},
        "followers_count": {"type": "integer", "default": 0},
    },
}

DERIVED = {
    "type": "object",
    "properties": {
        "nickname": {"type": "string", "maxLength": 64},
        "vip_expires_at": {"type": "string", "format": "date-time"},
        "vip_left": {"type": "integer", "x-protium": {
            "computed": "vip_expires_at != null && vip_expires_at > now ? (vip_expires_at - now).getHours() / 24 : 0"}},
        "followers_count": {"type": "integer", "x-protium": {
            "count": {"table": "follow", "pointer": "followee"}}},
        "following": {"type": "boolean", "x-protium": {
            "viewer_link": {"table": "follow", "viewer": "created_by", "record": "followee"}}},
    },
}

PAGE_LUA = """
wrk.headers["Authorization"] = "Hydrogen-r1 {token}"
wrk.headers["X-Hydrogen-Client-ID"] = "bench"
math.randomseed(os.time())
function request()
  local k = math.random(0, {pages}) * 20
  return wrk.format("GET", "/hserve/v2.2/user/info/?order_by=id&limit=20&offset=" .. k)
end
"""

USERS = 10_000
FOLLOWS = 30_000


def seed_sql(backend):
    hexid = "printf('%024x', i)" if backend == "sqlite" else "lpad(to_hex(i), 24, '0')"
    vip = ("strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '+' || (i % 60) || ' days')"
           if backend == "sqlite" else
           "to_char((now() + (i % 60) * interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
    return f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {USERS})
INSERT INTO _userprofile (created_at, updated_at, _email, nickname, vip_expires_at)
SELECT 1700000000 + i, 1700000000 + i, 'seed' || i || '@bench.test', 'user ' || i, {vip} FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {FOLLOWS})
INSERT INTO tbl_follow (id, created_at, updated_at, created_by, read_perm, write_perm, followee)
SELECT {hexid}, 1700000000 + i, 1700000000 + i, 1 + (CAST(i AS BIGINT) * 7919) % {USERS}, '["user:anonymous"]', '[]',
  CAST(1 + (CAST(i AS BIGINT) * 104729) % {USERS} AS TEXT) FROM n;
"""


def run_side(args, backend, url, side, profile, work, results):
    schema = os.path.join(work, f"schema-{side}")
    os.makedirs(schema, exist_ok=True)
    for name, doc in (("_userprofile", profile), ("follow", FOLLOW)):
        with open(os.path.join(schema, f"{name}.json"), "w") as f:
            json.dump(doc, f)
    port = 18620
    env = {"PROTIUM_DATABASE_URL": url, "PROTIUM_LISTEN": f"127.0.0.1:{port}", "PROTIUM_LOG": "error",
           "PROTIUM_DB_POOL_SIZE": "16", "PROTIUM_QUERIES_PER_CALLER": "1000", "PROTIUM_AUTH_RATE_PER_MINUTE": "0", "PROTIUM_DATA_DIR": work,
           "PROTIUM_SCHEMA_DIR": schema, "PROTIUM_SCHEMA_WATCH": "false"}
    Server(f"vocab-{backend}-{side}", [args.protium], env, port, "/health/").stop()
    seed = seed_sql(backend)
    if backend == "sqlite":
        db = sqlite3.connect(url.removeprefix("sqlite://"))
        db.executescript(seed)
        db.execute("ANALYZE")
        db.commit()
        db.close()
    else:
        sh(["psql", "-q", url, "-c", seed, "-c", "ANALYZE"])
    if side == "derived":
        sh([args.protium, "schema", "recount"], env={**os.environ, **env})
    else:
        count = ("UPDATE _userprofile SET followers_count = (SELECT COUNT(*) FROM tbl_follow f "
                 "WHERE f.followee = CAST(_userprofile.id AS TEXT))")
        if backend == "sqlite":
            db = sqlite3.connect(url.removeprefix("sqlite://"))
            db.execute(count)
            db.commit()
            db.close()
        else:
            sh(["psql", "-q", url, "-c", count])
    server = Server(f"vocab-{backend}-{side}", [args.protium], env, port, "/health/")
    try:
        st, body = http("POST", f"http://127.0.0.1:{port}/hserve/v2.1/register/email/",
                        {"email": "bench@bench.test", "password": "secret123"},
                        {"X-Hydrogen-Client-ID": "bench"})
        assert st == 201, body
        token = body["token"]
        file = os.path.join(work, f"{backend}-{side}.lua")
        with open(file, "w") as f:
            f.write(PAGE_LUA.format(token=token, pages=USERS // 20 - 1))
        st, page = http("GET", f"http://127.0.0.1:{port}/hserve/v2.2/user/info/?order_by=id&limit=2",
                        None, {"Authorization": f"Hydrogen-r1 {token}", "X-Hydrogen-Client-ID": "bench"})
        print(f"  {backend} {side}: a row: {json.dumps(page['objects'][1], ensure_ascii=False)[:200]}")
        r = wrk(f"http://127.0.0.1:{port}/", file, args.seconds, args.connections)
        results.setdefault(backend, {})[side] = r
        print(f"  {backend:8} {side:8} {r['rps']:9.1f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms"
              f"  non-2xx {r['non2xx']}", flush=True)
        if r["non2xx"]:
            sys.exit(f"{backend} {side}: {r['non2xx']} answers were errors; the figure would measure refusals")
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--protium", default=os.path.join(ROOT, "target/release/protium"))
    ap.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL",
                                                         "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    ensure_tools(pocketbase=False)
    results = {}
    for side, profile in (("plain", PLAIN), ("derived", DERIVED)):
        work = tempfile.mkdtemp(prefix="protium-vocab-")
        run_side(args, "sqlite", f"sqlite://{work}/vocab.db", side, profile, work, results)
        if not args.no_postgres:
            db = f"protium_vocab_{os.getpid()}"
            sh(["psql", "-q", args.postgres, "-c", f"CREATE DATABASE {db}"])
            try:
                run_side(args, "postgres", args.postgres.rsplit("/", 1)[0] + "/" + db, side, profile, work,
                         results)
            finally:
                sh(["psql", "-q", args.postgres, "-c", f"DROP DATABASE {db} WITH (FORCE)"])
    print("| backend | plain list | derived list | derived ÷ plain |\n|---|---|---|---|")
    for backend, sides in results.items():
        p, d = sides["plain"], sides["derived"]
        print(f"| {backend} | {p['rps']:,.0f} req/s, p99 {p['p99']:.1f} ms | {d['rps']:,.0f} req/s, "
              f"p99 {d['p99']:.1f} ms | {d['rps'] / p['rps']:.2f}× |")


if __name__ == "__main__":
    run_main(main)
