"""Running install.R (shipped with this buildpack) with a private request directory, and
reading what it reports."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from libbuild import execute
from libbuild.context import BuildContext

from . import errors
from .inputs import Request
from .repositories import Repository

PROGRAM = Path(__file__).with_name("install.R")
TAIL_LINES = 20


@dataclass
class Outcome:
    installed: dict[str, str] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def parse_result(text: str) -> Outcome:
    out = Outcome()
    for line in text.splitlines():
        kind, *rest = line.split("\t")
        rest += ["", ""]
        if kind == "installed":
            out.installed[rest[0]] = rest[1]
        elif kind == "missing":
            out.missing.append((rest[0], rest[1]))
        elif kind == "failed":
            out.failed.append((rest[0], rest[1]))
    return out


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def r_environ(ctx: BuildContext) -> dict[str, str]:
    env = {k: v for k, v in ctx.environ.items() if not k.startswith("R_LIBS")}
    env.setdefault("LANG", "C.UTF-8")
    env["R_LIBS_USER"] = "NULL"  # never a library in the build user's home
    return env


def r_version(ctx: BuildContext) -> str:
    out = execute.run(["Rscript", "--vanilla", "-e", "cat(as.character(getRversion()), R.version$platform)"],
                      ctx.log, env=r_environ(ctx), quiet=True)
    return (out[-1] if out else "").strip()


def install(ctx: BuildContext, request: Request, repos: list[Repository], archives: dict[str, str],
            library: Path) -> Outcome:
    shown = [r.shown for r in repos]
    work = Path(tempfile.mkdtemp(prefix="r-minicran-"))
    os.chmod(work, 0o700)  # the repos file may hold credentials
    try:
        (work / "repos").write_text("".join(f"{r.url}\n" for r in repos))
        (work / "packages").write_text("".join(f"{p.name}\t{p.version}\t{archives.get(p.name, '')}\n"
                                               for p in request.packages))
        env = {**r_environ(ctx), "R_MINICRAN_LIB": str(library), "R_MINICRAN_NCPUS": str(cores())}
        try:
            execute.run(["Rscript", "--vanilla", str(PROGRAM), str(work)], ctx.log, env=env, cwd=work)
        except Exception:
            outcome = parse_result(_read(work / "result"))
            _explain(outcome, shown)  # raises the specific error when there is one
            raise
        outcome = parse_result(_read(work / "result"))
        _explain(outcome, shown)
        return outcome
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace")
    except OSError:
        return ""


def _explain(outcome: Outcome, shown: list[str]) -> None:
    if outcome.missing:
        name, by = outcome.missing[0]
        raise errors.package_missing(name, by, shown)
    if outcome.failed:
        # The root cause is a package whose own install failed, not one whose dependency did.
        tails = [(name, _tail(Path(out))) for name, out in outcome.failed]
        for name, tail in tails:
            if tail and not any("ERROR: dependenc" in line for line in tail):
                raise errors.install_failed(name, tail)
        for name, tail in tails:
            if not tail:
                raise errors.download_failed(name, shown)
        raise errors.install_failed(*tails[0])


def _tail(path: Path) -> list[str]:
    lines = [line for line in _read(path).splitlines() if line.strip()]
    return lines[-TAIL_LINES:]


def strip_libraries(library: Path) -> int:
    """Debug symbols out of the packages' shared objects; returns how many were stripped."""
    strip = shutil.which("strip")
    found = sorted(str(p) for p in library.glob("*/libs/**/*.so") if p.is_file() and not p.is_symlink())
    if strip and found:
        subprocess.run([strip, "--strip-unneeded", *found], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    return len(found) if strip else 0
