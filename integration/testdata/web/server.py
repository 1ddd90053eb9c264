"""A stdlib-only web app that reports the interpreter it runs on."""
import json
import os
import platform
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"python": platform.python_version(), "executable": sys.executable,
                           "uid": os.getuid(), "gid": os.getgid(), "cwd": os.getcwd()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("request: " + fmt % args + "\n")


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"listening on 127.0.0.1:{port}")
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
