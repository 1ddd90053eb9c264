"""What pipenv-install tells the user about a Pipfile or Pipfile.lock it cannot use."""
from __future__ import annotations

import json

from libbuild.errors import UserError


def _shown(value: object, limit: int = 60) -> str:
    """A short excerpt of a JSON value, as JSON (escaped, one line)."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= limit else text[:limit] + "..."


def pipfile_wrong_shape(where: str, expected: str) -> UserError:
    return UserError("pipfile-invalid", f"Pipfile: {where} must be {expected}",
                     "Fix the Pipfile (see https://pipenv.pypa.io/en/latest/pipfile.html), then run `pipenv lock` "
                     "and commit both files.")


def lock_wrong_shape(where: str, expected: str, found: object) -> UserError:
    return UserError("pipfile-lock-invalid",
                     f"Pipfile.lock is JSON but not a lock file: {where} must be {expected}, "
                     f"not {type(found).__name__} {_shown(found)}",
                     "Regenerate it with `pipenv lock` and commit the result; do not edit it by hand.")
