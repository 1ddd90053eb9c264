"""What poetry-install tells users when it cannot go on."""
from __future__ import annotations

from libbuild.errors import UserError


def lock_out_of_sync() -> UserError:
    return UserError("poetry-lock-stale", "poetry.lock is out of sync with pyproject.toml",
                     "Run `poetry lock` and commit the new poetry.lock; the build does not re-lock silently.")


def no_pyproject() -> UserError:
    return UserError("poetry-no-pyproject", "the app has poetry.lock but no pyproject.toml",
                     "Commit the pyproject.toml the lock was made from.")


def python_mismatch(version: str, constraint: str, source: str) -> UserError:
    return UserError(
        "poetry-python-mismatch",
        f"the build uses CPython {version}, but pyproject.toml ({source}) asks for Python {constraint!r}",
        "Make .python-version (or BP_CPYTHON_VERSION) name a version that satisfies it, "
        f"or widen {source} and run `poetry lock`.")


def unknown_run_target(target: str, scripts: list[str]) -> UserError:
    return UserError(
        "poetry-run-target", f"BP_POETRY_RUN_TARGET={target!r} is not a script of pyproject.toml",
        f"Name one of its scripts ({', '.join(scripts) or 'none defined'}), or unset BP_POETRY_RUN_TARGET.")
