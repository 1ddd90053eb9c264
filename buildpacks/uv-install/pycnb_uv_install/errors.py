"""The messages pycnb/uv-install can end a build with."""
from __future__ import annotations

from libbuild.errors import UserError


def lock_stale() -> UserError:
    return UserError("uv-lock-stale", "uv.lock is out of date with pyproject.toml",
                     "Run `uv lock` and commit the new uv.lock; the build installs the lock as it is and never re-locks.")


def no_pyproject() -> UserError:
    return UserError("uv-no-pyproject", "the app has uv.lock but no pyproject.toml",
                     "Commit the pyproject.toml that uv.lock was made from.")


def python_outside(version: str, source: str, requires: str) -> UserError:
    return UserError(
        "uv-python-mismatch",
        f"{source} asks for Python {version}, which is outside requires-python {requires!r} of pyproject.toml",
        "Make .python-version (or BP_CPYTHON_VERSION) name a version that requires-python allows, "
        "or widen requires-python and run `uv lock` again.")
