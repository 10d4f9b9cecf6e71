#!/usr/bin/env python3
"""Upload benchmark: files of growing size through the SDK's two steps
(announce, then the multipart form, streamed by curl from disk), one fresh
server per size, reporting MB/s and the server's peak resident memory
(VmHWM). Peak memory should not grow with the file: the bytes are streamed
to disk, never held.

    bench/files.py [--binary target/release/protium] [--sizes-mb 1,100,1024]

A release build is the one to quote for throughput; any build shows whether
memory follows the file size. Not compared with PocketBase yet.
"""

import argparse
import os
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from benchlib import Server, http, rand_id, run_main


def one_size(binary, size_mb, port):
    work = tempfile.mkdtemp()
    env = dict(
        PROTIUM_SCHEMA_DIR=os.path.join(ROOT, "schema"),
        PROTIUM_LISTEN=f"127.0.0.1:{port}",
        PROTIUM_PUBLIC_URL=f"http://127.0.0.1:{port}",
        PROTIUM_DATABASE_URL=f"sqlite://{work}/protium.db",
        PROTIUM_DATA_DIR=f"{work}/data",
        PROTIUM_FILE_MAX_BYTES=str(2 << 30),
        PROTIUM_LOG="warn",
    )
    server = Server(f"files-{size_mb}", [binary], env, port, "/health/")
    base = f"http://127.0.0.1:{port}"
    headers = {"X-Hydrogen-Client-ID": "bench"}
    _, user = http(
        "POST",
        base + "/hserve/v2.1/register/username/",
        {"username": "u" + rand_id(8), "password": "bench-password"},
        headers,
    )
    headers["Authorization"] = "Hydrogen-r1 " + user["token"]
    path = os.path.join(work, "payload.bin")
    with open(path, "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(size_mb):
            f.write(chunk)
    _, announced = http("POST", base + "/hserve/v2.1/upload/", {"filename": "payload.bin"}, headers)
    started = time.time()
    code = subprocess.run(
        [
            "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
            "-F", f"file=@{path}",
            "-F", f"policy={announced['policy']}",
            "-F", f"authorization={announced['authorization']}",
            announced["upload_url"],
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if code != "200":
        raise SystemExit(f"upload of {size_mb} MB answered {code}")
    seconds = time.time() - started
    peak = server.peak_mb()
    server.stop()
    shutil.rmtree(work, ignore_errors=True)
    return size_mb / seconds, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/protium"))
    parser.add_argument("--sizes-mb", default="1,100,1024")
    parser.add_argument("--port", type=int, default=18290)
    args = parser.parse_args()
    print(f"{'size':>8} {'MB/s':>8} {'peak RSS MB':>12}")
    for size in [int(s) for s in args.sizes_mb.split(",")]:
        rate, peak = one_size(args.binary, size, args.port)
        print(f"{size:>6}MB {rate:>8.1f} {peak:>12.1f}")


if __name__ == "__main__":
    run_main(main)
