#!/usr/bin/env python3
"""Measures how much a 20 MB upload grows the server's memory (docs/benchmarks.md).

Starts the release server (demo mode, fresh SQLite in a temporary directory), walks the applicant
journey over HTTP up to an open draft (register, code from the file outbox, registry match,
start an application), then streams a 20 MB PDF to `/files/upload` from disk and reads the
server's resident memory before (VmRSS) and its peak after (VmHWM) from /proc.

    scripts/upload-memory.py [path/to/server]      # default target/release/server
"""
import base64
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SERVER = sys.argv[1] if len(sys.argv) > 1 else "target/release/server"
SIZE = 20 * 1000 * 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_kb(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def main():
    data = tempfile.mkdtemp(prefix="bjm-upload-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, BJM_DATA_DIR=data, BJM_DEMO="true", BJM_BIND=f"127.0.0.1:{port}",
               DATABASE_URL=f"sqlite://{data}/bjm.db", BJM_SITE_ROOT="target/site",
               RUST_LOG="warn")
    server = subprocess.Popen([SERVER, "serve"], env=env, stdout=subprocess.DEVNULL)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def call(path, form=None, body=None, headers=None):
            data_bytes = body if body is not None else urllib.parse.urlencode(form or {}).encode()
            request = urllib.request.Request(base + path, data=data_bytes, method="POST")
            request.add_header("Origin", base)
            if body is None:
                request.add_header("Content-Type", "application/x-www-form-urlencoded")
            for name, value in (headers or {}).items():
                request.add_header(name, value)
            with opener.open(request) as response:
                return json.loads(response.read() or b"null")

        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        login = "memory@example.cn"
        call("/api/auth/register", {"login": login, "display_name": "王开店", "password": "Kaidian-2026-mem"})
        call("/api/identity/send-code")
        time.sleep(2.5)  # the delivery worker runs every second
        code = None
        for name in os.listdir(os.path.join(data, "outbox")):
            raw = open(os.path.join(data, "outbox", name)).read().replace("\r\n", "\n")
            headers, body = raw.split("\n\n", 1)
            if "base64" in headers:
                body = base64.b64decode("".join(body.split())).decode()
            found = re.search(r"code is (\d{6})", body)
            if found and f"To: {login}" in headers:
                code = found.group(1)
        call("/api/identity/confirm-contact", {"code": code})
        person = next(p for p in call("/api/demo/people") if p["name"] == "王开店")
        call("/api/identity/verify-resident", {"legal_name": "王开店", "resident_id": person["resident_id"]})
        draft = call("/api/applications/start", {"target": "item", "code": "SCJG-XK-001"})

        path = os.path.join(data, "big.pdf")
        with open(path, "wb") as big:
            big.write(b"%PDF-1.4\n")
            big.write(os.urandom(SIZE - 9))
        before = memory_kb(server.pid, "VmRSS")
        query = urllib.parse.urlencode({"draft": draft, "material": "M02", "name": "big.pdf"})
        started = time.time()
        with open(path, "rb") as upload:
            request = urllib.request.Request(base + "/files/upload?" + query, data=upload, method="POST")
            request.add_header("Origin", base)
            request.add_header("Content-Type", "application/pdf")
            request.add_header("Content-Length", str(SIZE))
            with opener.open(request) as response:
                answer = json.loads(response.read())
        seconds = time.time() - started
        peak = memory_kb(server.pid, "VmHWM")
        print(f"uploaded {answer['size_bytes']:,} bytes in {seconds:.2f} s; server memory "
              f"before {before / 1024:.1f} MiB, peak after {peak / 1024:.1f} MiB, "
              f"growth at most {(peak - before) / 1024:.1f} MiB")
    finally:
        server.terminate()
        server.wait()
        subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    main()
