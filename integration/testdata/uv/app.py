"""A WSGI app (served by gunicorn) reporting its interpreter and installed distributions."""
import json
import os
import platform
from importlib.metadata import distributions

from tabulate import tabulate


def app(environ, start_response):
    packages = sorted(d.metadata["Name"].lower() for d in distributions())
    body = json.dumps({"python": platform.python_version(), "uid": os.getuid(), "packages": packages,
                       "table": tabulate([["uv", 1]])}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
