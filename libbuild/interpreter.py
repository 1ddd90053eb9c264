"""Questions about the Python a build runs its tools with (the cpython layer's, on PATH)."""
from __future__ import annotations

import json
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping

from . import execute
from .log import Logger

# 'pip-wheel' is the pip wheel ensurepip bundles (the stdlib keeps it when the interpreter has
# no pip installed, as pycnb/cpython's layer has not).
_PROBE = ("import glob, json, os, sys, sysconfig, importlib.metadata as m\n"
          "def v(n):\n"
          "    try: return m.version(n)\n"
          "    except m.PackageNotFoundError: return None\n"
          "w = sorted(glob.glob(os.path.join(sysconfig.get_path('stdlib'), 'ensurepip', '_bundled', 'pip-*.whl')))\n"
          "print(json.dumps({'version': sys.version.split()[0], 'pip': v('pip'), 'pip-wheel': w[-1] if w else None,"
          " 'distributions': {d.metadata['Name'].lower(): d.version for d in m.distributions() if d.metadata['Name']}}))")


def probe(env: Mapping[str, str], log: Logger) -> dict:
    """Version, installed pip version, bundled pip wheel and installed distributions of `python3` on PATH."""
    out = execute.run(["python3", "-c", _PROBE], log, env=env, quiet=True)
    return json.loads(out[-1])
