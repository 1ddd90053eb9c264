"""The one YAML read path (PyYAML's safe loader): errors name the file, line and column."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from . import errors


def loads(text: str, origin: str) -> Any:
    import yaml  # lazily: only conda apps pay for it
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise errors.invalid_yaml(origin, f"{problem}{where}") from None
