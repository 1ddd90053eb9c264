"""Pipfile and Pipfile.lock, read through the confinement rule and checked for the shape
pipenv expects, so a broken file ends in one message naming it — never in pipenv's (or
our) Python frames. Local packages they name (`path = ...`, `file = "file:..."`) must stay
inside the app, as requirement files' must."""
from __future__ import annotations

import urllib.parse
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a detect ~2 ms
    from typing import Any, Optional

from libbuild import appfiles, errors, tomlfile

from . import errors as pipenv_errors

PIPFILE_LIMIT = 1024 * 1024
# Locks carry every hash of every file of every package: they grow large.
LOCK_LIMIT = 16 * 1024 * 1024
_PACKAGE_TABLES = ("packages", "dev-packages")
_LOCK_SECTIONS = ("default", "develop")


def read_pipfile(app: Path) -> dict[str, Any]:
    return _pipfile(app)[1]


def check_files(app: Path) -> str:
    """The Pipfile's text, once it is known to be a Pipfile pipenv can read."""
    return _pipfile(app)[0]


def _pipfile(app: Path) -> tuple[str, dict[str, Any]]:
    text = appfiles.read_text(app, "Pipfile", "Pipfile", limit=PIPFILE_LIMIT)
    data = tomlfile.loads(text, "Pipfile")
    check_pipfile(data, app)
    return text, data


def check_pipfile(data: dict[str, Any], app: Path) -> None:
    sources = data.get("source", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) and isinstance(s.get("url"), str) for s in sources):
        raise pipenv_errors.pipfile_wrong_shape("[[source]]", "a list of tables, each with url = \"...\"")
    for key in ("requires", "pipenv", "scripts"):
        if not isinstance(data.get(key, {}), dict):
            raise pipenv_errors.pipfile_wrong_shape(f"[{key}]", "a table")
    if not all(isinstance(v, (str, int, float)) for v in data.get("requires", {}).values()):
        raise pipenv_errors.pipfile_wrong_shape("[requires]", "a table of version strings")
    for table in _PACKAGE_TABLES:
        packages = data.get(table, {})
        if not isinstance(packages, dict):
            raise pipenv_errors.pipfile_wrong_shape(f"[{table}]", "a table of packages")
        for name, spec in packages.items():
            if not isinstance(spec, (str, dict)):
                raise pipenv_errors.pipfile_wrong_shape(f"[{table}] {errors.excerpt(name)}",
                                                        'a version string such as "==1.0" or "*", or an inline table')
            if isinstance(spec, dict):
                _confine_local(spec, app, f"Pipfile [{table}] {errors.excerpt(name)}")


def read_lock(app: Path) -> Optional[tuple[bytes, dict[str, Any]]]:
    """(bytes, data) of the app's Pipfile.lock, or None when it has none."""
    if not appfiles.exists(app, "Pipfile.lock"):
        return None
    raw = appfiles.read_bytes(app, "Pipfile.lock", "Pipfile.lock", limit=LOCK_LIMIT)
    import json  # only with a lock: a detect on a Pipfile alone skips its ~1 ms
    try:
        data = json.loads(appfiles.decode(raw, "Pipfile.lock"))
    except ValueError as exc:
        raise errors.invalid_lock("Pipfile.lock", str(exc)) from None
    except RecursionError:
        raise errors.invalid_lock("Pipfile.lock", "nested too deeply") from None
    check_lock(data, app)
    return raw, data


def check_lock(data: Any, app: Path) -> None:
    if not isinstance(data, dict):
        raise pipenv_errors.lock_wrong_shape("the whole file", "an object", data)
    meta = data.get("_meta", {})
    if not isinstance(meta, dict):
        raise pipenv_errors.lock_wrong_shape("_meta", "an object", meta)
    for key, kind, expected in (("hash", dict, "an object"), ("requires", dict, "an object"),
                                ("sources", list, "a list")):
        if key in meta and not isinstance(meta[key], kind):
            raise pipenv_errors.lock_wrong_shape(f"_meta.{key}", expected, meta[key])
    for key, value in meta.get("requires", {}).items():
        if not isinstance(value, str):
            raise pipenv_errors.lock_wrong_shape(f"_meta.requires.{key}", "a string", value)
    for section in _LOCK_SECTIONS:
        packages = data.get(section, {})
        if not isinstance(packages, dict):
            raise pipenv_errors.lock_wrong_shape(section, "an object of packages", packages)
        for name, entry in packages.items():
            where = f"{section}.{name}"
            if not isinstance(entry, dict):
                raise pipenv_errors.lock_wrong_shape(where, "an object", entry)
            for key in ("version", "markers", "index", "path", "file", "git", "ref"):
                if key in entry and not isinstance(entry[key], str):
                    raise pipenv_errors.lock_wrong_shape(f"{where}.{key}", "a string", entry[key])
            for key in ("hashes", "extras"):
                if key in entry and not (isinstance(entry[key], list) and all(isinstance(h, str) for h in entry[key])):
                    raise pipenv_errors.lock_wrong_shape(f"{where}.{key}", "a list of strings", entry[key])
            _confine_local(entry, app, f"Pipfile.lock {errors.excerpt(where)}")


def _confine_local(spec: dict[str, Any], app: Path, what: str) -> None:
    """pipenv installs `path` and `file:` entries from disk: they must stay inside the app."""
    path = spec.get("path")
    if isinstance(path, str):
        appfiles.confine(app, path, what)
    file = spec.get("file")
    if isinstance(file, str) and file.lower().startswith("file:"):
        appfiles.confine(app, urllib.parse.unquote(urllib.parse.urlsplit(file).path), what)


def locked_python(app: Path) -> Optional[tuple[str, str]]:
    """(version, source): Pipfile.lock _meta.requires first, then Pipfile [requires].

    Files that cannot be used give no version here; the build reports them with one message.
    """
    try:
        lock = read_lock(app)
    except errors.UserError:
        lock = None
    if lock is not None:
        requires = lock[1].get("_meta", {}).get("requires", {})
        version = requires.get("python_full_version") or requires.get("python_version")
        if version:
            return version, "Pipfile.lock"
    try:
        requires = read_pipfile(app).get("requires", {})
    except errors.UserError:
        return None
    version = requires.get("python_full_version") or requires.get("python_version")
    return (str(version), "Pipfile") if version else None
