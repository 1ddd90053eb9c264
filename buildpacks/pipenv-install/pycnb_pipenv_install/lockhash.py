"""Whether Pipfile.lock was made from this Pipfile: the Pipfile spec's hash, computed here.

The spec (plette's `Pipfile.get_hash()`): the Pipfile's sources — or, when it has no
`[[source]]`, the default source plette prepends — and its `[requires]` under `_meta`,
`[packages]` as `default`, `[dev-packages]` as `develop`, every other table except the
spec's own sections (`source`, `packages`, `dev-packages`, `requires`, `scripts`,
`pipfile`, `pipenv`) under its own name; serialised as compact JSON with sorted keys;
SHA-256 of its UTF-8. Recent pipenv releases hash package names in their canonical
(PEP 503) form instead; a lock written by either is accepted, and only a lock whose
hash matches neither is out of date.
"""
from __future__ import annotations

import hashlib
import json
import re
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SPEC_SECTIONS = ("source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv")
_NOT_CATEGORIES = _SPEC_SECTIONS + ("default", "develop")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def spec_hashes(pipfile: dict[str, Any], default_sources: list[dict[str, Any]]) -> set[str]:
    """The hashes a lock of this Pipfile may carry: the spec's, and with canonical names."""
    return {_hash(pipfile, default_sources, lambda n: n), _hash(pipfile, default_sources, _canonical)}


def _hash(pipfile: dict[str, Any], default_sources: list[dict[str, Any]], name) -> str:
    def section(values: Any) -> Any:
        return {name(k): v for k, v in values.items()} if isinstance(values, dict) else values

    data: dict[str, Any] = {
        "_meta": {"sources": pipfile.get("source", default_sources), "requires": pipfile.get("requires", {})},
        "default": section(pipfile.get("packages", {})),
        "develop": section(pipfile.get("dev-packages", {})),
    }
    for category, values in pipfile.items():
        if category not in _NOT_CATEGORIES:
            data[category] = section(values)
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def locked_hash(lock: dict[str, Any]) -> str:
    meta = lock.get("_meta") if isinstance(lock, dict) else None
    digest = meta.get("hash") if isinstance(meta, dict) else None
    return str(digest.get("sha256", "")) if isinstance(digest, dict) else ""
