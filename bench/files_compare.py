#!/usr/bin/env python3
"""Files against PocketBase's file field, in one run on one machine: upload
and download throughput (MB/s) of one large file, small-file uploads per
second (8 clients), and each server's peak resident memory over the run.

Protium uploads in the SDK's two steps (announce, then the multipart form);
PocketBase takes one multipart record create. Both store on the local disk
with SQLite. Large files are streamed by curl from disk, on both sides.

    bench/files_compare.py [--protium target/release/protium] [--large-mb 256]
                           [--small 400] [--small-kb 4]

Compare the figures as ratios within one run: the machine is shared.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid

from benchlib import Server, ensure_tools, http, rand_id, run_main, sh

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-password-1"


def curl(args):
    """Runs curl; its status code and seconds taken."""
    started = time.time()
    out = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *args],
        check=True, capture_output=True, text=True,
    ).stdout
    return int(out), time.time() - started


def multipart(fields, file_field, name, data):
    """A multipart body and its content type."""
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_raw(url, body, content_type, headers):
    import urllib.request
    req = urllib.request.Request(url, data=body, method="POST")
    req.add_header("Content-Type", content_type)
    for k, v in headers.items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.read()


class Protium:
    name = "Protium"

    def __init__(self, binary, work, port=18291):
        self.base = f"http://127.0.0.1:{port}"
        env = dict(
            PROTIUM_SCHEMA_DIR=os.path.join(ROOT, "schema"),
            PROTIUM_LISTEN=f"127.0.0.1:{port}",
            PROTIUM_PUBLIC_URL=self.base,
            PROTIUM_DATABASE_URL=f"sqlite://{work}/protium.db",
            PROTIUM_DATA_DIR=f"{work}/data",
            PROTIUM_FILE_MAX_BYTES=str(4 << 30),
            PROTIUM_AUTH_RATE_PER_MINUTE="0",
            PROTIUM_LOG="warn",
        )
        self.server = Server("files-protium", [binary], env, port, "/health/")
        self.headers = {"X-Hydrogen-Client-ID": "bench"}
        _, user = http("POST", self.base + "/hserve/v2.1/register/username/",
                       {"username": "u" + rand_id(8), "password": PASSWORD}, self.headers)
        self.headers["Authorization"] = "Hydrogen-r1 " + user["token"]

    def upload_large(self, path):
        _, a = http("POST", self.base + "/hserve/v2.1/upload/", {"filename": "big.bin"}, self.headers)
        code, secs = curl(["-F", f"file=@{path}", "-F", f"policy={a['policy']}",
                           "-F", f"authorization={a['authorization']}", a["upload_url"]])
        assert code == 200, code
        return secs, a["path"]

    def upload_small(self, data):
        _, a = http("POST", self.base + "/hserve/v2.1/upload/", {"filename": "small.bin"}, self.headers)
        # The policy and authorization beside the file, as a form.
        body, kind = multipart([("policy", a["policy"]), ("authorization", a["authorization"])],
                               "file", "small.bin", data)
        status, _ = post_raw(a["upload_url"], body, kind, {})
        assert status == 200, status


class PocketBase:
    name = "PocketBase"

    def __init__(self, work, port=18531):
        self.base = f"http://127.0.0.1:{port}"
        pb_dir = os.path.join(work, "pb_data")
        sh(["pocketbase", "superuser", "upsert", "admin@bench.test", "password123456", "--dir", pb_dir],
           capture_output=True)
        self.server = Server("files-pocketbase", ["pocketbase", "serve", "--dir", pb_dir,
                                                  "--http", f"127.0.0.1:{port}"], {}, port, "/api/health")
        _, body = http("POST", f"{self.base}/api/collections/_superusers/auth-with-password",
                       {"identity": "admin@bench.test", "password": "password123456"})
        su = {"Authorization": body["token"]}
        http("PATCH", f"{self.base}/api/settings", {"logs": {"maxDays": 0}, "rateLimits": {"enabled": False}}, su)
        rule = "@request.auth.id != ''"
        st, body = http("POST", f"{self.base}/api/collections", {
            "name": "docs", "type": "base",
            "fields": [{"name": "file", "type": "file", "maxSelect": 1, "maxSize": 4 << 30}],
            "listRule": rule, "viewRule": rule, "createRule": rule}, su)
        assert st == 200, body
        st, body = http("POST", f"{self.base}/api/collections/users/records",
                        {"email": "bench@bench.test", "password": PASSWORD, "passwordConfirm": PASSWORD})
        assert st == 200, body
        _, body = http("POST", f"{self.base}/api/collections/users/auth-with-password",
                       {"identity": "bench@bench.test", "password": PASSWORD})
        self.headers = {"Authorization": body["token"]}

    def upload_large(self, path):
        out = os.path.join(os.path.dirname(path), "pb-answer.json")
        started = time.time()
        code = subprocess.run(
            ["curl", "-sS", "-o", out, "-w", "%{http_code}",
             "-H", f"Authorization: {self.headers['Authorization']}",
             "-F", f"file=@{path}", f"{self.base}/api/collections/docs/records"],
            check=True, capture_output=True, text=True).stdout
        secs = time.time() - started
        assert code == "200", code
        with open(out) as f:
            record = json.load(f)
        return secs, f"{self.base}/api/files/docs/{record['id']}/{record['file']}"

    def upload_small(self, data):
        body, kind = multipart([], "file", "small.bin", data)
        status, _ = post_raw(f"{self.base}/api/collections/docs/records", body, kind, self.headers)
        assert status == 200, status


def measure(server, payload, size_mb, small, small_kb):
    up_secs, url = server.upload_large(payload)
    code, down_secs = curl([url])
    assert code == 200, code
    data = os.urandom(small_kb * 1024)
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: server.upload_small(data), range(small)))
    per_second = small / (time.time() - started)
    return {
        "upload MB/s": size_mb / up_secs,
        "download MB/s": size_mb / down_secs,
        f"{small_kb} KiB uploads/s": per_second,
        "peak RSS MB": server.server.peak_mb(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--protium", default=os.path.join(ROOT, "target/release/protium"))
    ap.add_argument("--large-mb", type=int, default=256)
    ap.add_argument("--small", type=int, default=400)
    ap.add_argument("--small-kb", type=int, default=4)
    args = ap.parse_args()
    ensure_tools(pocketbase=True)
    work = tempfile.mkdtemp()
    payload = os.path.join(work, "payload.bin")
    with open(payload, "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(args.large_mb):
            f.write(chunk)
    results = {}
    for make in (lambda w: Protium(args.protium, w), PocketBase):
        sub = tempfile.mkdtemp(dir=work)
        server = make(sub)
        results[server.name] = measure(server, payload, args.large_mb, args.small, args.small_kb)
        server.server.stop()
    keys = list(next(iter(results.values())).keys())
    print(f"{'':>22} {'Protium':>10} {'PocketBase':>11} {'ratio':>7}")
    for key in keys:
        p, b = results["Protium"][key], results["PocketBase"][key]
        print(f"{key:>22} {p:>10.1f} {b:>11.1f} {p / b:>7.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run_main(main)
