"""The Python version a Pipfile.lock or Pipfile asks for."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from libbuild import errors, tomlfile


def locked_python(app: Path) -> Optional[tuple[str, str]]:
    """(version, source): Pipfile.lock _meta.requires first, then Pipfile [requires].

    Unreadable files give no version here; the build reports them with a clear message.
    """
    lock = app / "Pipfile.lock"
    if lock.is_file():
        try:
            requires = json.loads(lock.read_text()).get("_meta", {}).get("requires", {})
        except (ValueError, AttributeError):
            requires = {}
        version = requires.get("python_full_version") or requires.get("python_version")
        if version:
            return str(version), "Pipfile.lock"
    try:
        requires = tomlfile.read(app / "Pipfile").get("requires", {})
    except errors.UserError:
        return None
    version = requires.get("python_full_version") or requires.get("python_version")
    return (str(version), "Pipfile") if version else None
