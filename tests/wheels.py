"""Tiny but real wheels and a PEP 503 index (optionally with basic auth) on 127.0.0.1."""
from __future__ import annotations

import base64
import hashlib
import http.server
import re
import threading
import zipfile
from pathlib import Path


def make_wheel(dest: Path, name: str, version: str, requires: tuple[str, ...] = (), license: str = "MIT") -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: {license}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files = {f"{module}/__init__.py": f"__version__ = {version!r}\n",
             f"{dist_info}/METADATA": meta,
             f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: pycnb-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    wheel = dest / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
        zf.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return wheel


def _normalized(name: str) -> str:
    """A project name as PEP 503 compares them (jaraco.classes is jaraco-classes)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class Index:
    """/simple/<project>/ pages over a directory of wheels; counts requests."""

    def __init__(self, wheels: Path, user: str = "", password: str = ""):
        self.requests = 0
        outer = self
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user else None

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                if expected and self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="pycnb-test"')
                    self.end_headers()
                    return
                parts = [p for p in self.path.split("?")[0].split("/") if p]
                if len(parts) == 2 and parts[0] == "simple":
                    project = _normalized(parts[1])
                    links = [f'<a href="/files/{w.name}">{w.name}</a>' for w in sorted(wheels.glob("*.whl"))
                             if _normalized(w.name.split("-")[0]) == project]
                    if not links:
                        return self._send(404, b"not found")
                    return self._send(200, ("<html><body>" + "".join(links) + "</body></html>").encode(), "text/html")
                if len(parts) == 2 and parts[0] == "files" and (wheels / parts[1]).is_file():
                    return self._send(200, (wheels / parts[1]).read_bytes(), "application/octet-stream")
                self._send(404, b"not found")

            def _send(self, code, body, ctype="text/plain"):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, user: str = "", password: str = "") -> str:
        auth = f"{user}:{password}@" if user else ""
        return f"http://{auth}127.0.0.1:{self.port}/simple"

    def close(self):
        self.httpd.shutdown()
