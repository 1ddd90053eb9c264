import os
import platform
import sys
from importlib.metadata import distributions, version

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(python=platform.python_version(), flask=version("flask"), uid=os.getuid(), prefix=sys.prefix,
                   conda_prefix=os.environ.get("CONDA_PREFIX"),
                   packages=sorted(d.metadata["Name"].lower() for d in distributions()))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
