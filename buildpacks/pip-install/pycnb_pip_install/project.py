"""An app that is a pyproject.toml project with no requirements file and no lock: it is
installed as the project itself (editable, so code-only changes reuse the layer), with its
build backend from the index or wheelhouse."""
from __future__ import annotations

from pathlib import Path

from libbuild import UserError, appfiles

# Files of the package managers whose groups come before pip's; their apps are not pyproject-only.
OTHER_MANAGERS = ("Pipfile", "poetry.lock", "uv.lock")


def is_project(app: Path) -> bool:
    """pyproject.toml with a [project] table (an unreadable one counts: the build reports it)."""
    if not appfiles.exists(app, "pyproject.toml") or any(appfiles.exists(app, m) for m in OTHER_MANAGERS):
        return False
    from libbuild import tomlfile  # TOML parsing only when there is a pyproject.toml to read
    try:
        data = tomlfile.loads(appfiles.read_text(app, "pyproject.toml", "pyproject.toml"), "pyproject.toml")
    except UserError:
        return True
    return isinstance(data.get("project"), dict)


def read(app: Path) -> bytes:
    """The pyproject.toml bytes, once checked to be valid TOML."""
    from libbuild import tomlfile
    data = appfiles.read_bytes(app, "pyproject.toml", "pyproject.toml")
    tomlfile.loads(appfiles.decode(data, "pyproject.toml"), "pyproject.toml")
    return data
