# A pyproject.toml project with no lock file: pip-install installs it as a project.
import os
import platform
from importlib.metadata import distributions, version

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(python=platform.python_version(), flask=version("flask"), uid=os.getuid(),
                   packages=sorted(d.metadata["Name"].lower() for d in distributions()))


def main():
    """The project's script (pyproject.toml [project.scripts] serve)."""
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
