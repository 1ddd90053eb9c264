"""Which conda input an app has: a lock (installed exactly) or an environment file (solved)."""
from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from libbuild import appfiles
from libbuild.errors import UserError

ENV_FILES = ("environment.yml", "environment.yaml")
# Locks win over an environment file next to them: they say exactly what to install.
NAMED_LOCKS = (("conda-lock.yml", "conda-lock"), ("pixi.lock", "pixi"), ("package-list.txt", "explicit"))
_SNIFF = 64 * 1024


class Input(namedtuple("Input", "name kind")):
    """The input file and its kind: environment, conda-lock, pixi, explicit (a named tuple:
    detect imports neither dataclasses nor typing)."""
    __slots__ = ()

    @property
    def is_lock(self) -> bool:
        return self.kind != "environment"


def find(app: Path) -> Optional[Input]:
    for name, kind in NAMED_LOCKS:
        if (app / name).is_file():
            return Input(name, kind)
    for path in sorted(app.glob("*.lock")):
        if path.name != "pixi.lock" and path.is_file() and _is_explicit(app, path.name):
            return Input(path.name, "explicit")
    for name in ENV_FILES:
        if (app / name).is_file():
            return Input(name, "environment")
    return None


def _is_explicit(app: Path, name: str) -> bool:
    try:
        head = appfiles.read_bytes(app, name, name, limit=appfiles.DEFAULT_LIMIT)[:_SNIFF]
    except UserError:  # unreadable or outside the app: not a lock this buildpack can use
        return False
    return b"@EXPLICIT" in head
