"""The one path through which libbuild reads and writes TOML."""
from __future__ import annotations

import os
from pathlib import Path

from . import errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any



def _toml():
    """The TOML parser, imported on first read (a detect that only writes its plan skips it).
    The vendored tomli first: it is tomllib's upstream and imports in about 2 ms less (no
    typing, no string), which a detect that reads a Pipfile or pyproject.toml pays."""
    try:
        import tomli
        return tomli
    except ImportError:  # pragma: no cover - a checkout without build/vendor
        import tomllib
        return tomllib


def read(path: str | os.PathLike, missing_ok: bool = False) -> dict[str, Any]:
    """Parse a TOML file; a syntax error becomes a user error naming the file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise
    try:
        return _toml().loads(data.decode("utf-8"))
    except (_toml().TOMLDecodeError, UnicodeDecodeError) as exc:
        raise errors.invalid_toml(p, str(exc)) from exc
    except RecursionError:
        raise errors.invalid_toml(p, "values nested too deeply") from None


def loads(text: str, origin: str = "<string>") -> dict[str, Any]:
    try:
        return _toml().loads(text)
    except _toml().TOMLDecodeError as exc:
        raise errors.invalid_toml(Path(origin), str(exc)) from exc
    except RecursionError:  # arrays or inline tables nested thousands deep
        raise errors.invalid_toml(Path(origin), "values nested too deeply") from None


def dumps(data: dict[str, Any]) -> str:
    import tomli_w  # writing is rarer than reading: a detect that passes, a build
    return tomli_w.dumps(_drop_none(data))


def write(path: str | os.PathLike, data: dict[str, Any]) -> None:
    """Write atomically, so a reader (or a crash) never sees half a file."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.parent / f".{p.name}.{os.getpid()}.tmp"
    try:
        tmp.write_text(dumps(data), encoding="utf-8")
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _drop_none(value: Any) -> Any:
    # TOML has no null; None means "leave the key out".
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value if v is not None]
    return value
