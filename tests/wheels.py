"""Tiny but real wheels and a PEP 503 index (optionally with basic auth, optionally over TLS) on 127.0.0.1."""
from __future__ import annotations

import base64
import hashlib
import http.server
import re
import ssl
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

    def __init__(self, wheels: Path, user: str = "", password: str = "", tls: tuple[Path, Path] | None = None):
        """`tls`: (certificate chain, key) files; the index then speaks HTTPS only."""
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
                    data = (wheels / parts[1]).read_bytes()
                    wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
                    if wanted and (wanted[1] or wanted[2]):  # as real indexes do: uv reads a wheel's metadata by range
                        start = int(wanted[1]) if wanted[1] else max(len(data) - int(wanted[2]), 0)
                        end = min(int(wanted[2]), len(data) - 1) if wanted[1] and wanted[2] else len(data) - 1
                        return self._send(206, data[start:end + 1], "application/octet-stream",
                                          {"Content-Range": f"bytes {start}-{end}/{len(data)}"})
                    return self._send(200, data, "application/octet-stream")
                self._send(404, b"not found")

            def do_HEAD(self):  # uv asks before a ranged read of a wheel's metadata
                self._head_only = True
                self.do_GET()

            def _send(self, code, body, ctype="text/plain", headers=None):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Accept-Ranges", "bytes")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not getattr(self, "_head_only", False):
                    self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, user: str = "", password: str = "") -> str:
        auth = f"{user}:{password}@" if user else ""
        # Over TLS by name: pip's truststore (pip >= 24.2) cannot check a certificate for a bare IP.
        host = "localhost" if self.scheme == "https" else "127.0.0.1"
        return f"{self.scheme}://{auth}{host}:{self.port}/simple"

    def close(self):
        self.httpd.shutdown()
