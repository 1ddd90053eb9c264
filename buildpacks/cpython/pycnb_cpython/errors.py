"""Every message the cpython buildpack shows when a version cannot be chosen, with its fix."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable

from libbuild.errors import UserError, excerpt

ACCEPTED_FORMS = "3.14 (the newest 3.14.x), 3.14.8 (exactly that release) or 3 (the newest 3.x)"


def _listing(items: Iterable[str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(excerpt(i, 40) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def several_versions(source: str, found: list[str]) -> UserError:
    return UserError(
        "python-version-ambiguous", f"{source} names more than one version: {_listing(found)}",
        f"Keep exactly one version in {source} (pyenv's extra versions are not supported here); "
        "lines starting with # are comments.")


def invisible_characters(source: str, line_no: int, line: str) -> UserError:
    return UserError(
        "python-version-invisible-characters",
        f"{source} line {line_no} contains invisible or control characters: {excerpt(line, 60)}",
        f"Rewrite {source} as plain text holding just the version, for example 3.14, and a newline.")


def unsupported_form(source: str, line_no: int, value: str) -> UserError:
    return UserError(
        "python-version-form", f"{source} line {line_no} asks for {excerpt(value, 60)}, which is not a CPython "
        "version in a form this buildpack reads",
        f"Write one version in one of the accepted forms: {ACCEPTED_FORMS}. Pre-releases, "
        "'python-' prefixes and other interpreters (pypy, graalpy) are not offered.")


def invalid_runtime_txt(value: str) -> UserError:
    return UserError(
        "invalid-runtime-txt", f"runtime.txt says {excerpt(value, 60)}, expected python-<version> such as python-3.14.8",
        "Better: delete runtime.txt and write the version (for example 3.14) in .python-version.")


def sources_disagree(python_version: str, runtime: str) -> UserError:
    return UserError(
        "python-version-conflict",
        f".python-version asks for {python_version!r} but runtime.txt asks for {runtime!r}",
        "Delete runtime.txt (a legacy file) and keep the version in .python-version only.")


def not_a_version(source: str, value: str) -> UserError:
    return UserError(
        "invalid-version", f"{source} asks for {excerpt(value, 60)}, which is not a CPython version constraint",
        f"Use {ACCEPTED_FORMS}, or a constraint such as ==3.13.*, >=3.12 or >=3.11,<3.14. "
        "'latest' is not accepted: it would silently change the interpreter (and may mean a long "
        "compile from source) whenever a new line is added; write 3 for the newest 3.x.")


def no_such_version(constraint: str, source: str, line: str, in_line: list[str], everything: list[str],
                    target: str) -> UserError:
    if in_line:
        where = f"the {line} line has {', '.join(in_line)}"
    else:
        where = f"available versions: {', '.join(everything)}"
    return UserError(
        "no-matching-version",
        f"no CPython version matching {constraint!r} (requested by {source}) is available for {target}; {where}",
        "Request one of those versions (or just the line, such as 3.14, for its newest patch). Platform teams "
        "can add their own builds through a dependency-catalog binding or BP_DEPENDENCY_CATALOG.")


def end_of_life(version: str, date: str) -> UserError:
    line = ".".join(version.split(".")[:2])
    return UserError(
        "python-end-of-life",
        f"CPython {version} is end of life: the {line} line stopped receiving security fixes on {date}",
        "Move the app to a supported line (for example 3.14 in .python-version), or set "
        "BP_CPYTHON_ALLOW_EOL=true to build on it anyway.")
