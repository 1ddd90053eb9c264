"""Questions about the Python a build runs its tools with (the cpython layer's, on PATH)."""
from __future__ import annotations

import json
from typing import Mapping

from . import execute
from .log import Logger

_PROBE = ("import json, sys, importlib.metadata as m\n"
          "def v(n):\n"
          "    try: return m.version(n)\n"
          "    except m.PackageNotFoundError: return None\n"
          "print(json.dumps({'version': sys.version.split()[0], 'pip': v('pip'),"
          " 'distributions': {d.metadata['Name'].lower(): d.version for d in m.distributions() if d.metadata['Name']}}))")


def probe(env: Mapping[str, str], log: Logger) -> dict:
    """Version, pip version and installed distributions of `python3` on PATH."""
    out = execute.run(["python3", "-c", _PROBE], log, env=env, quiet=True)
    return json.loads(out[-1])
