"""Every message the r buildpack shows when R cannot be chosen or installed, with its fix."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable

from libbuild.errors import UserError, excerpt


def not_a_version(source: str, value: str) -> UserError:
    return UserError(
        "r-version-invalid", f"{source} asks for R {excerpt(value, 60)}, which is not a version constraint",
        "Use a version such as 4.5 (the newest 4.5.x), 4.5.0 (exactly), or a constraint such as >=4.4.")


def no_such_version(constraint: str, source: str, available: Iterable[str], target: str) -> UserError:
    return UserError(
        "no-matching-version",
        f"no R version matching {constraint!r} (requested by {source}) is available for {target}; "
        f"available versions: {', '.join(available) or '(none)'}",
        "Request one of those versions (BP_R_VERSION, renv.lock's R.Version or DESCRIPTION's "
        "`Depends: R (>= ...)`). Platform teams can add their own builds through a dependency-catalog "
        "binding or BP_DEPENDENCY_CATALOG.")


def compile_failed(step: str, tail: list[str]) -> UserError:
    shown = "\n    ".join(tail) if tail else "(no output)"
    return UserError(
        "r-compile-failed", f"compiling R from source failed at `{step}`; its last lines:\n    {shown}",
        "The build image lacks a library R needs (see the lines above), or the configure flags in "
        "BP_R_CONFIGURE_FLAGS are wrong. A platform catalog with a prebuilt R for this target avoids compiling.")
