import os
import platform
from importlib.metadata import distributions, version

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(python=platform.python_version(), flask=version("flask"), uid=os.getuid(),
                   packages=sorted(d.metadata["Name"].lower() for d in distributions()))
