"""What pipenv-install tells the user about a Pipfile or Pipfile.lock it cannot use."""
from __future__ import annotations

import reprlib

from libbuild.errors import UserError


def _shown(value: object) -> str:
    """A short excerpt of a JSON value (depth- and length-limited: a lock can nest
    thousands of levels deep)."""
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 2, 30, 30


def pipfile_wrong_shape(where: str, expected: str) -> UserError:
    return UserError("pipfile-invalid", f"Pipfile: {where} must be {expected}",
                     "Fix the Pipfile (see https://pipenv.pypa.io/en/latest/pipfile.html), then run `pipenv lock` "
                     "and commit both files.")


def lock_wrong_shape(where: str, expected: str, found: object) -> UserError:
    return UserError("pipfile-lock-invalid",
                     f"Pipfile.lock is JSON but not a lock file: {where} must be {expected}, "
                     f"not {type(found).__name__} {_shown(found)}",
                     "Regenerate it with `pipenv lock` and commit the result; do not edit it by hand.")
