#!/usr/bin/env python3
"""Protium and PocketBase side by side on this machine, in one run.

Both servers get the same profile schema (nickname, gender enum, age 18-120,
video_price), the same 10,000 users and 100,000 records (seeded straight into
their databases), request logs and rate limits off, and the same wrk load.
Each workload runs on PocketBase, then Protium, then again on each (A B A B);
the better of the two rounds is reported. Protium also runs once on
PostgreSQL. Peak RSS is each server's high-water mark over its whole run,
login storm included; "idle after" is its RSS 35 s after the load.

Writes a Markdown table (stdout and --out), and a PNG chart (--chart).
"""

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse

from benchlib import (run_main, Server, ensure_tools, http, lua, rand_id, sh, signup_lua,
                      to_ms, wrk)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "secret123"


# ---------------------------------------------------------------- Protium


PROFILE = {
    "type": "object",
    "properties": {
        "nickname": {"type": "string", "maxLength": 64},
        "gender": {"type": "string", "enum": ["female", "male", "other"]},
        "age": {"type": "integer", "minimum": 18, "maximum": 120},
        "video_price": {"type": "integer", "minimum": 0, "default": 0},
    },
}
ITEM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 100},
        "price": {"type": "number", "minimum": 0, "x-protium": {"indexed": True}},
        "stock": {"type": "integer", "default": 0},
    },
}


def protium_schema(dir_, indexed):
    profile = json.loads(json.dumps(PROFILE))
    if indexed:
        for f in ("gender", "age"):
            profile["properties"][f]["x-protium"] = {"indexed": True}
    with open(os.path.join(dir_, "_userprofile.json"), "w") as f:
        json.dump(profile, f)
    with open(os.path.join(dir_, "item.json"), "w") as f:
        json.dump(ITEM, f)


class Protium:
    def __init__(self, args, work, backend, pg_url=None):
        self.args, self.work, self.backend = args, work, backend
        self.port = 18510 if backend == "sqlite" else 18520
        self.schema = os.path.join(work, f"schema-{backend}")
        os.makedirs(self.schema, exist_ok=True)
        self.db_path = os.path.join(work, "protium.db")
        self.url = f"sqlite://{self.db_path}" if backend == "sqlite" else pg_url
        self.name = "Protium" if backend == "sqlite" else "Protium (PostgreSQL)"
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = None

    def start(self, indexed=False):
        protium_schema(self.schema, indexed)
        env = {"PROTIUM_DATABASE_URL": self.url, "PROTIUM_LISTEN": f"127.0.0.1:{self.port}",
               "PROTIUM_LOG": "error", "PROTIUM_DB_POOL_SIZE": "16", "PROTIUM_QUERIES_PER_CALLER": "1000", "PROTIUM_AUTH_RATE_PER_MINUTE": "0",
               "PROTIUM_DATA_DIR": self.work, "PROTIUM_SCHEMA_DIR": self.schema,
               "PROTIUM_SCHEMA_WATCH": "false"}
        self.server = Server(f"protium-{self.backend}", [self.args.protium], env, self.port, "/health/")

    def setup(self):
        self.start()
        st, body = http("POST", f"{self.base}/hserve/v2.1/register/email/",
                        {"email": "bench@bench.test", "password": PASSWORD, "nickname": "bencher",
                         "gender": "female", "age": 35}, {"X-Hydrogen-Client-ID": "bench"})
        assert st == 201, body
        self.token, self.user_id = body["token"], body["user_id"]
        users, records = self.args.users - 1, self.args.records
        seed_users = f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {users})
INSERT INTO _userprofile (created_at, updated_at, _email, nickname, gender, age, video_price)
SELECT 1700000000 + i, 1700000000 + i, 'seed' || i || '@bench.test', 'user ' || i,
  CASE i % 3 WHEN 0 THEN 'female' WHEN 1 THEN 'male' ELSE 'other' END, 18 + i % 80, i % 100 FROM n;"""
        seed_items = """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {records})
INSERT INTO tbl_item (id, created_at, updated_at, created_by, read_perm, write_perm, name, price, stock)
SELECT {id}, 1700000000 + i, 1700000000 + i, 1, '["user:anonymous"]', '[]', 'item ' || i, i % 1000, 0 FROM n;"""
        if self.backend == "sqlite":
            c = sqlite3.connect(self.db_path)
            c.executescript(seed_users)
            c.executescript(seed_items.format(records=records, id="printf('%024x', i)"))
            c.execute("ANALYZE")
            c.commit()
            c.close()
        else:
            sh(["psql", "-q", self.url, "-c", seed_users,
                "-c", seed_items.format(records=records, id="lpad(to_hex(i), 24, '0')"), "-c", "ANALYZE"])

    def restart_indexed(self):
        self.server.stop()
        self.start(indexed=True)

    def headers(self, auth=True):
        h = {"X-Hydrogen-Client-ID": "bench"}
        if auth:
            h["Authorization"] = "Hydrogen-r1 " + self.token
        return h

    def workloads(self, d):
        q = urllib.parse.quote
        where = q(json.dumps({"$and": [{"age": {"$gt": 30}}, {"gender": {"$eq": "female"}}]}))
        rwhere = q(json.dumps({"price": {"$gte": 990}}))
        get = lua(d, "p_get", "GET", self.headers())
        return {
            "health": ("/health/", lua(d, "p_health", "GET", {})),
            "get_user": (f"/hserve/v2.5/user/info/{self.user_id}/", get),
            "user_list": (f"/hserve/v2.2/user/info/?where={where}&order_by=-created_at&limit=20&offset=0&return_total_count=1", get),
            "put_profile": ("/hserve/v2.5/user/info/",
                            lua(d, "p_put", "PUT", {**self.headers(), "Content-Type": "application/json"},
                                {"video_price": {"$incr_by": 1}})),
            "login": ("/hserve/v2.1/login/email/",
                      lua(d, "p_login", "POST", {**self.headers(False), "Content-Type": "application/json"},
                          {"email": "bench@bench.test", "password": PASSWORD})),
            "signup": ("/hserve/v2.1/register/email/",
                       signup_lua(d, "p_signup",
                                  '{"email":"s' + d[-6:] + '_%d_%d@bench.test","password":"secret123","nickname":"new","gender":"other","age":20}',
                                  self.headers(False))),
            "record_create": ("/hserve/v2.4/table/item/record/",
                              lua(d, "p_create", "POST", {**self.headers(), "Content-Type": "application/json"},
                                  {"name": "bench", "price": 12.5, "stock": 1})),
            "record_list": (f"/hserve/v2.4/table/item/record/?where={rwhere}&order_by=-price&limit=20&offset=0&return_total_count=1", get),
        }


# ---------------------------------------------------------------- PocketBase


class PocketBase:
    name = "PocketBase"

    def __init__(self, args, work):
        self.args, self.work = args, work
        self.dir = os.path.join(work, "pb_data")
        self.port = 18530
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.server = Server("pocketbase", ["pocketbase", "serve", "--dir", self.dir,
                                            "--http", f"127.0.0.1:{self.port}"], {}, self.port, "/api/health")

    def setup(self):
        sh(["pocketbase", "superuser", "upsert", "admin@bench.test", "password123456", "--dir", self.dir],
           capture_output=True)
        self.start()
        st, body = http("POST", f"{self.base}/api/collections/_superusers/auth-with-password",
                        {"identity": "admin@bench.test", "password": "password123456"})
        su = {"Authorization": body["token"]}
        http("PATCH", f"{self.base}/api/settings",
             {"logs": {"maxDays": 0}, "rateLimits": {"enabled": False}}, su)
        st, users = http("GET", f"{self.base}/api/collections/users", headers=su)
        fields = users["fields"] + [
            {"name": "nickname", "type": "text", "max": 64},
            {"name": "gender", "type": "select", "maxSelect": 1, "values": ["female", "male", "other"]},
            {"name": "age", "type": "number", "min": 18, "max": 120, "onlyInt": True},
            {"name": "video_price", "type": "number", "min": 0, "onlyInt": True},
        ]
        rule = "@request.auth.id != ''"
        st, body = http("PATCH", f"{self.base}/api/collections/users",
                        {"fields": fields, "listRule": rule, "viewRule": rule}, su)
        assert st == 200, body
        st, body = http("POST", f"{self.base}/api/collections", {
            "name": "item", "type": "base",
            "fields": [{"name": "name", "type": "text", "max": 100},
                       {"name": "price", "type": "number", "min": 0},
                       {"name": "stock", "type": "number", "onlyInt": True}],
            "indexes": ["CREATE INDEX idx_item_price ON item (price)"],
            "listRule": rule, "viewRule": rule, "createRule": rule}, su)
        assert st == 200, body
        self.su = su
        st, body = http("POST", f"{self.base}/api/collections/users/records",
                        {"email": "bench@bench.test", "password": PASSWORD, "passwordConfirm": PASSWORD,
                         "nickname": "bencher", "gender": "female", "age": 35})
        assert st == 200, body
        self.user_id = body["id"]
        st, body = http("POST", f"{self.base}/api/collections/users/auth-with-password",
                        {"identity": "bench@bench.test", "password": PASSWORD})
        self.token = body["token"]
        db = sqlite3.connect(os.path.join(self.dir, "data.db"))
        pw = db.execute("SELECT password FROM users WHERE id = ?", (self.user_id,)).fetchone()[0]
        now = "2024-01-01 00:00:00.000Z"
        db.executemany(
            "INSERT INTO users (id, email, emailVisibility, verified, password, tokenKey, name, avatar,"
            " created, updated, nickname, gender, age, video_price) VALUES (?,?,0,0,?,?,'','',?,?,?,?,?,?)",
            [(rand_id(), f"seed{i}@bench.test", pw, rand_id(50), now, now, f"user {i}",
              ["female", "male", "other"][i % 3], 18 + i % 80, i % 100)
             for i in range(1, self.args.users)])
        db.executemany(
            "INSERT INTO item (id, name, price, stock) VALUES (?,?,?,0)",
            [(rand_id(), f"item {i}", i % 1000) for i in range(1, self.args.records + 1)])
        db.execute("ANALYZE")
        db.commit()
        db.close()

    def restart_indexed(self):
        st, users = http("GET", f"{self.base}/api/collections/users", headers=self.su)
        indexes = users["indexes"] + ["CREATE INDEX idx_users_gender ON users (gender)",
                                      "CREATE INDEX idx_users_age ON users (age)"]
        st, body = http("PATCH", f"{self.base}/api/collections/users", {"indexes": indexes}, self.su)
        assert st == 200, body

    def workloads(self, d):
        q = urllib.parse.quote
        auth = {"Authorization": self.token}
        get = lua(d, "b_get", "GET", auth)
        user_filter = q("age > 30 && gender = 'female'")
        return {
            "health": ("/api/health", lua(d, "b_health", "GET", {})),
            "get_user": (f"/api/collections/users/records/{self.user_id}", get),
            "user_list": (f"/api/collections/users/records?filter={user_filter}&sort=-created&perPage=20&page=1", get),
            "put_profile": (f"/api/collections/users/records/{self.user_id}",
                            lua(d, "b_put", "PATCH", {**auth, "Content-Type": "application/json"},
                                {"video_price+": 1})),
            "login": ("/api/collections/users/auth-with-password",
                      lua(d, "b_login", "POST", {"Content-Type": "application/json"},
                          {"identity": "bench@bench.test", "password": PASSWORD})),
            "signup": ("/api/collections/users/records",
                       signup_lua(d, "b_signup",
                                  '{"email":"s' + d[-6:] + '_%d_%d@bench.test","password":"secret123","passwordConfirm":"secret123","nickname":"new","gender":"other","age":20}',
                                  {})),
            "record_create": ("/api/collections/item/records",
                              lua(d, "b_create", "POST", {**auth, "Content-Type": "application/json"},
                                  {"name": "bench", "price": 12.5, "stock": 1})),
            "record_list": (f"/api/collections/item/records?filter={q('price >= 990')}&sort=-price&perPage=20&page=1", get),
        }


# ---------------------------------------------------------------- runs

ORDER = ["health", "get_user", "user_list", "user_list_indexed", "put_profile", "login", "signup",
         "record_create", "record_list"]
LABELS = {
    "health": "health check (the cost of HTTP alone)",
    "get_user": "GET one user with a token",
    "user_list": "user list, age > 30 and gender = female, newest first, total count (no index)",
    "user_list_indexed": "the same list, indexes on gender and age on both sides",
    "put_profile": "update own profile (an increment)",
    "login": "login (PocketBase bcrypt, Protium argon2id OWASP)",
    "signup": "sign-up",
    "record_create": "record create",
    "record_list": "record list over 100,000 records, price >= 990 sorted by -price, total count (indexed)",
    "storm_rest": "GET one user, p99 at rest (16 connections)",
    "storm_during": "GET one user during a 16-connection login storm",
    "storm_logins": "logins served during that storm",
}


def run_side(side, args, work, results, round_no):
    d = tempfile.mkdtemp(dir=work, prefix=f"{side.name[:1]}{round_no}")
    loads = side.workloads(d)
    for key in ORDER:
        if key == "user_list_indexed":
            continue
        path, script = loads[key]
        conns = args.connections if key not in ("login", "signup") else 16
        r = wrk(side.base + path, script, args.seconds, conns)
        best = results.setdefault(side.name, {}).get(key)
        if best is None or r["rps"] > best["rps"]:
            results[side.name][key] = r
        print(f"  {side.name:22} {key:18} {r['rps']:10.1f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms  non-2xx {r['non2xx']}", flush=True)
    # Reads while a login storm runs.
    path, get = loads["get_user"]
    rest = wrk(side.base + path, get, args.seconds, 16)
    lpath, lscript = loads["login"]
    storm = subprocess.Popen(["wrk", "-t1", "-c16", f"-d{args.seconds + 2}s", "--latency", "-s", lscript,
                              side.base + lpath], stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    during = wrk(side.base + path, get, args.seconds, 16)
    out = storm.communicate()[0]
    logins = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    for key, r in (("storm_rest", rest), ("storm_during", during),
                   ("storm_logins", {"rps": logins, "p50": float("nan"), "p99": float("nan"), "non2xx": 0})):
        prev = results[side.name].get(key)
        if prev is None or (key == "storm_logins" and r["rps"] > prev["rps"]) or \
                (key != "storm_logins" and r["p99"] < prev["p99"]):
            results[side.name][key] = r
    print(f"  {side.name:22} storm: p99 at rest {rest['p99']:.2f} ms, during {during['p99']:.2f} ms, logins {logins:.1f}/s", flush=True)


# The same SQL as the two lists, run straight on Protium's database file: the
# floor a list request cannot go below.
ROW_ACL = ("(created_by = 1 OR instr(read_perm, '\"user:anonymous\"') > 0"
           " OR instr(read_perm, '\"user:*\"') > 0 OR instr(read_perm, '\"user:1\"') > 0)")
# name: (the request it is the floor of, the statements)
FLOOR_SQL = {
    "user_list": ("user_list", [
        "SELECT * FROM _userprofile WHERE age > 30 AND gender = 'female' ORDER BY created_at DESC LIMIT 20",
        "SELECT COUNT(*) FROM _userprofile WHERE age > 30 AND gender = 'female'"]),
    "record_list": ("record_list", [
        "SELECT * FROM tbl_item WHERE price >= 990 ORDER BY price DESC LIMIT 20",
        "SELECT COUNT(*) FROM tbl_item WHERE price >= 990"]),
    # The same with the row-ACL condition Protium adds for the bench user (id 1).
    "record_list, row ACL included": ("record_list", [
        f"SELECT * FROM tbl_item WHERE price >= 990 AND {ROW_ACL} ORDER BY price DESC, id DESC LIMIT 20",
        f"SELECT COUNT(*) FROM tbl_item WHERE price >= 990 AND {ROW_ACL}"]),
}


def sql_floor(db_path, statements, seconds=3.0):
    """Milliseconds per run of `statements` in one thread, best of the runs."""
    db = sqlite3.connect(db_path)
    best, until = float("inf"), time.time() + seconds
    while time.time() < until:
        start = time.perf_counter()
        for sql in statements:
            db.execute(sql).fetchall()
        best = min(best, (time.perf_counter() - start) * 1000)
    db.close()
    return best


def run_floor(side, args, work, floors):
    """One connection at a time: a list request's latency beside its SQL's."""
    d = tempfile.mkdtemp(dir=work, prefix="floor")
    loads = side.workloads(d)
    for key, (request, statements) in FLOOR_SQL.items():
        path, script = loads[request]
        served = subprocess.run(
            ["wrk", "-t1", "-c1", f"-d{args.seconds}s", "--latency", "-s", script, side.base + path],
            capture_output=True, text=True, check=True).stdout
        p50 = to_ms(re.search(r"\s50%\s+(\S+)", served).group(1))
        floor = sql_floor(side.db_path, statements)
        floors[key] = {"request_p50_ms": p50, "sql_ms": floor}
        print(f"  floor {key:12} request p50 {p50:.3f} ms, SQL alone {floor:.3f} ms ({p50 / floor:.2f}×)", flush=True)


def run_indexed(side, args, work, results):
    side.restart_indexed()
    d = tempfile.mkdtemp(dir=work, prefix=f"{side.name[:1]}x")
    path, script = side.workloads(d)["user_list"]
    r = wrk(side.base + path, script, args.seconds, args.connections)
    results[side.name]["user_list_indexed"] = r
    print(f"  {side.name:22} user_list_indexed  {r['rps']:10.1f} req/s  p99 {r['p99']:.2f} ms", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--protium", default=os.path.join(ROOT, "target/release/protium"))
    ap.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/compare-results.json"))
    ap.add_argument("--chart", default=os.path.join(ROOT, "docs/performance.png"))
    args = ap.parse_args()
    ensure_tools()
    work = tempfile.mkdtemp(prefix="protium-compare-")
    results, memory = {}, {}
    pb = PocketBase(args, work)
    pr = Protium(args, work, "sqlite")
    print("seeding PocketBase and Protium (SQLite)...", flush=True)
    pb.setup()
    pr.setup()
    for round_no in (1, 2):
        print(f"round {round_no}", flush=True)
        run_side(pb, args, work, results, round_no)
        run_side(pr, args, work, results, round_no)
    floors = {}
    run_floor(pr, args, work, floors)
    run_indexed(pb, args, work, results)
    run_indexed(pr, args, work, results)
    for side in (pb, pr):
        memory[side.name] = {"peak": side.server.peak_mb()}
    time.sleep(35)
    for side in (pb, pr):
        memory[side.name]["idle_after"] = side.server.rss_mb()
        side.server.stop()
    if not args.no_postgres and shutil.which("psql"):
        db = f"protium_compare_{os.getpid()}"
        sh(["psql", "-q", args.postgres, "-c", f"CREATE DATABASE {db}"])
        pg = Protium(args, work, "postgres", args.postgres.rsplit("/", 1)[0] + "/" + db)
        try:
            print("Protium on PostgreSQL", flush=True)
            pg.setup()
            run_side(pg, args, work, results, 1)
            run_indexed(pg, args, work, results)
            memory[pg.name] = {"peak": pg.server.peak_mb(), "idle_after": pg.server.rss_mb()}
            pg.server.stop()
        finally:
            sh(["psql", "-q", args.postgres, "-c", f"DROP DATABASE {db} WITH (FORCE)"])
    with open(args.out, "w") as f:
        json.dump({"results": results, "memory": memory, "floors": floors, "args": vars(args),
                   "machine": machine()}, f, indent=1)
    print(report(results, memory, floors))
    chart(results, args.chart)


def machine():
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def report(results, memory, floors):
    sides = [s for s in ("PocketBase", "Protium", "Protium (PostgreSQL)") if s in results]
    head = "| workload | " + " | ".join(sides) + " | Protium ÷ PocketBase |" + (
        " PostgreSQL ÷ PocketBase |" if "Protium (PostgreSQL)" in sides else "")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for key in ORDER + ["storm_rest", "storm_during", "storm_logins"]:
        cells, pb = [], results["PocketBase"].get(key)
        for s in sides:
            r = results[s].get(key)
            if r is None:
                cells.append("—")
            elif key in ("storm_rest", "storm_during"):
                cells.append(f"p99 {r['p99']:.1f} ms")
            elif key == "storm_logins":
                cells.append(f"{r['rps']:.0f}/s")
            else:
                cells.append(f"{r['rps']:,.0f} req/s, p99 {r['p99']:.1f} ms")
        ratios = []
        for s in ("Protium", "Protium (PostgreSQL)"):
            if s not in sides:
                continue
            r = results[s].get(key)
            if r is None or pb is None:
                ratios.append("—")
            elif key in ("storm_rest", "storm_during"):
                ratios.append(f"{pb['p99'] / r['p99']:.2f}× lower p99")
            else:
                ratios.append(f"{r['rps'] / pb['rps']:.2f}×")
        lines.append(f"| {LABELS[key]} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    mem = ["", "| server | peak RSS | RSS 35 s after the load |", "|---|---|---|"]
    for s in sides:
        m = memory.get(s, {})
        mem.append(f"| {s} | {m.get('peak', 0):.0f} MB | {m.get('idle_after', 0):.0f} MB |")
    floor = ["", "| list (one connection) | request p50 | the same SQL alone | ratio |", "|---|---|---|---|"]
    for key, f in floors.items():
        floor.append(f"| {key} | {f['request_p50_ms']:.2f} ms | {f['sql_ms']:.2f} ms |"
                     f" {f['request_p50_ms'] / f['sql_ms']:.2f}× |")
    health = results.get("Protium", {}).get("health")
    get = results.get("Protium", {}).get("get_user")
    share = [] if not (health and get) else [
        "", f"GET one user runs at {100 * get['rps'] / health['rps']:.0f} % of the health-check rate."]
    return "\n".join(lines + mem + floor + share)


def chart(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    keys = [k for k in ORDER if k in results.get("PocketBase", {})]
    sides = [s for s in ("PocketBase", "Protium", "Protium (PostgreSQL)") if s in results]
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.8 / len(sides)
    for i, s in enumerate(sides):
        vals = [results[s].get(k, {}).get("rps", 0) for k in keys]
        ax.bar([x + i * width for x in range(len(keys))], vals, width, label=s)
    ax.set_xticks([x + width * (len(sides) - 1) / 2 for x in range(len(keys))])
    ax.set_xticklabels([k.replace("_", "\n") for k in keys], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("requests per second (log scale)")
    ax.set_title("Protium and PocketBase on the same machine (higher is better)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    run_main(main)
