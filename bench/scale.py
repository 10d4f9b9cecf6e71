#!/usr/bin/env python3
"""How Protium's user reads cost as the data grows: 10,000, 100,000 and
1,000,000 users (seeded straight into the database), on SQLite and PostgreSQL.

Workloads, each with wrk (-t2, --connections, --seconds), every request on a
random user or value so no single row stays hot:
  by_id        GET one user by id
  keyset_page  20 users after a random one, in id order (`since`)
  indexed_eq   users whose indexed nickname equals a random value
  total_count  20 users with age > 30 and the total count (counts every match)
  deep_offset  20 users at offset half the table, in id order

Prints req/s, p50 and p99 per workload and size, and the p99 ratio of the
largest size to the smallest (the goal: within 1.5x for the first three).
Writes the table to --out as JSON.
"""

import argparse
import json
import os
import sqlite3
import tempfile
import urllib.parse

from benchlib import run_main, Server, ensure_tools, http, sh, wrk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROFILE = {
    "type": "object",
    "properties": {
        "nickname": {"type": "string", "maxLength": 64, "x-protium": {"indexed": True}},
        "gender": {"type": "string", "enum": ["female", "male", "other"]},
        "age": {"type": "integer", "minimum": 18, "maximum": 120},
    },
}

# A wrk script asking for `path` with a random integer in [1, n] in it.
RANDOM_LUA = """
wrk.headers["Authorization"] = "Hydrogen-r1 {token}"
wrk.headers["X-Hydrogen-Client-ID"] = "bench"
math.randomseed(os.time())
function request()
  local k = math.random(1, {n})
  return wrk.format("GET", string.format("{path}", k))
end
"""

WORKLOADS = ["by_id", "keyset_page", "indexed_eq", "total_count", "deep_offset"]
FLAT = ["by_id", "keyset_page", "indexed_eq"]


def seed_sql(users):
    return f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {users})
INSERT INTO _userprofile (created_at, updated_at, _email, nickname, gender, age)
SELECT 1700000000 + i, 1700000000 + i, 'seed' || i || '@bench.test', 'user ' || i,
  CASE i % 3 WHEN 0 THEN 'female' WHEN 1 THEN 'male' ELSE 'other' END, 18 + i % 80 FROM n;"""


def script(work, name, token, path, n):
    """A wrk script for `path`, `{k}` in it replaced by a random integer."""
    file = os.path.join(work, name + ".lua")
    with open(file, "w") as f:
        f.write(RANDOM_LUA.format(token=token, n=n, path=path.replace("%", "%%").replace("{k}", "%d")))
    return file


def paths(users):
    q = urllib.parse.quote
    return {
        "by_id": "/hserve/v2.5/user/info/{k}/",
        "keyset_page": "/hserve/v2.2/user/info/?order_by=id&limit=20&since={k}",
        "indexed_eq": "/hserve/v2.2/user/info/?limit=20&where=" + q('{"nickname":{"$eq":"user ') + "{k}"
        + q('"}}'),
        "total_count": "/hserve/v2.2/user/info/?order_by=id&limit=20&return_total_count=1&where="
        + q(json.dumps({"age": {"$gt": 30}})) + "&x={k}",
        "deep_offset": f"/hserve/v2.2/user/info/?order_by=id&limit=20&offset={users // 2}&x={{k}}",
    }


def run_size(args, backend, url, users, work, results):
    schema = os.path.join(work, "schema")
    os.makedirs(schema, exist_ok=True)
    with open(os.path.join(schema, "_userprofile.json"), "w") as f:
        json.dump(PROFILE, f)
    port = 18610
    env = {"PROTIUM_DATABASE_URL": url, "PROTIUM_LISTEN": f"127.0.0.1:{port}", "PROTIUM_LOG": "error",
           "PROTIUM_DB_POOL_SIZE": "16", "PROTIUM_QUERIES_PER_CALLER": "1000", "PROTIUM_AUTH_RATE_PER_MINUTE": "0", "PROTIUM_DATA_DIR": work,
           "PROTIUM_SCHEMA_DIR": schema, "PROTIUM_SCHEMA_WATCH": "false"}
    # First start creates the tables; seed, then start again on the full data.
    server = Server(f"scale-{backend}", [args.protium], env, port, "/health/")
    server.stop()
    print(f"{backend}: seeding {users:,} users", flush=True)
    if backend == "sqlite":
        db = sqlite3.connect(url.removeprefix("sqlite://"))
        db.executescript(seed_sql(users))
        db.execute("ANALYZE")
        db.commit()
        db.close()
    else:
        sh(["psql", "-q", url, "-c", seed_sql(users), "-c", "ANALYZE"])
    server = Server(f"scale-{backend}", [args.protium], env, port, "/health/")
    try:
        st, body = http("POST", f"http://127.0.0.1:{port}/hserve/v2.1/register/email/",
                        {"email": "bench@bench.test", "password": "secret123"},
                        {"X-Hydrogen-Client-ID": "bench"})
        assert st == 201, body
        token = body["token"]
        for name, path in paths(users).items():
            file = script(work, f"{backend}-{users}-{name}", token, path, users)
            r = wrk(f"http://127.0.0.1:{port}/", file, args.seconds, args.connections)
            results.setdefault(backend, {}).setdefault(name, {})[users] = r
            print(f"  {backend:8} {users:>9,} {name:12} {r['rps']:9.1f} req/s  p50 {r['p50']:8.2f} ms"
                  f"  p99 {r['p99']:8.2f} ms  non-2xx {r['non2xx']}", flush=True)
    finally:
        server.stop()


def report(results, sizes):
    lines = ["| backend | workload | " + " | ".join(f"{n:,} users" for n in sizes)
             + f" | p99 {sizes[-1]:,} ÷ {sizes[0]:,} |",
             "|---|---|" + "---|" * (len(sizes) + 1)]
    for backend, loads in results.items():
        for name in WORKLOADS:
            row = loads.get(name, {})
            cells = [f"{row[n]['rps']:,.0f} req/s, p99 {row[n]['p99']:.1f} ms" if n in row else "—"
                     for n in sizes]
            first, last = row.get(sizes[0]), row.get(sizes[-1])
            ratio = f"{last['p99'] / first['p99']:.2f}×" if first and last else "—"
            lines.append(f"| {backend} | {name} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--protium", default=os.path.join(ROOT, "target/release/protium"))
    ap.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL",
                                                         "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/scale-results.json"))
    args = ap.parse_args()
    ensure_tools(pocketbase=False)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for users in sizes:
        work = tempfile.mkdtemp(prefix="protium-scale-")
        run_size(args, "sqlite", f"sqlite://{work}/scale.db", users, work, results)
        if not args.no_postgres:
            db = f"protium_scale_{os.getpid()}"
            sh(["psql", "-q", args.postgres, "-c", f"CREATE DATABASE {db}"])
            try:
                run_size(args, "postgres", args.postgres.rsplit("/", 1)[0] + "/" + db, users, work, results)
            finally:
                sh(["psql", "-q", args.postgres, "-c", f"DROP DATABASE {db} WITH (FORCE)"])
    with open(args.out, "w") as f:
        json.dump({"results": results, "sizes": sizes, "args": vars(args)}, f, indent=1)
    print(report(results, sizes))


if __name__ == "__main__":
    run_main(main)
