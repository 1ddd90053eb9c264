"""Putting R into the layer: a prebuilt tree if a catalog has one for this target, else CRAN's
source tarball compiled here with the layer as its prefix.

R is not relocatable (bin/R hard-codes R_HOME_DIR; Rscript has R_HOME compiled in), so both
ways install at the layer's own path, /layers/pycnb_r/r: prebuilts are made with that prefix.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from libbuild import errors, execute, versions
from libbuild.context import BuildContext
from libbuild.dependencies import Dependency
from libbuild.r import buildinputs

from . import errors as r_errors

PREBUILT, SOURCE = "r", "r-source"

# What the R 4.5.0 compile on bookworm used: no X11, Tcl/Tk, Java or graphics devices
# (a server image has no display), readline for interactive R, R's own BLAS/LAPACK and time
# zone code, and the shared libR that packages such as httpuv link against. The recommended
# packages (Matrix, MASS, ...) are left out: they double the compile and come from the
# repository like any other package when an app needs them.
CONFIGURE_FLAGS = ("--enable-R-shlib", "--without-x", "--without-tcltk", "--with-readline", "--disable-java",
                   "--without-cairo", "--without-libpng", "--without-jpeglib", "--without-libtiff",
                   "--with-internal-tzcode", "--without-recommended-packages")


def resolve(ctx: BuildContext, constraint: str, source: str) -> Dependency:
    """The newest version satisfying the constraint; prebuilt when one exists at exactly it."""
    catalog = ctx.catalog
    offered = versions.sort_versions(catalog.versions(PREBUILT, ctx.target) + catalog.versions(SOURCE, ctx.target))
    best = versions.best(offered, versions.parse_constraint(constraint, source))
    if best is None:
        raise r_errors.no_such_version(constraint, source, offered, ctx.target.describe())
    exact = f"=={best}"
    return catalog.find(PREBUILT, exact, ctx.target) or catalog.find(SOURCE, exact, ctx.target)


def configure_flags(ctx: BuildContext) -> list[str]:
    raw = ctx.setting("BP_R_CONFIGURE_FLAGS", "") or ""
    try:
        return list(CONFIGURE_FLAGS) + shlex.split(raw)
    except ValueError as exc:
        raise errors.invalid_setting("BP_R_CONFIGURE_FLAGS", raw, f"shell-quoted configure flags ({exc})")


def install_prebuilt(ctx: BuildContext, dep: Dependency, prefix: Path) -> None:
    ctx.fetcher().install(dep, prefix)


def jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def compile_from_source(ctx: BuildContext, dep: Dependency, prefix: Path, flags: list[str]) -> None:
    env = {k: v for k, v in ctx.environ.items() if not k.startswith(("R_", "MAKEFLAGS"))}
    env["LC_ALL"] = "C"
    with tempfile.TemporaryDirectory(prefix="r-src-") as work:
        src = Path(work) / "src"
        ctx.fetcher().install(dep, src)
        steps = [["./configure", f"--prefix={prefix}", *flags], ["make", f"-j{jobs()}"], ["make", "install"]]
        for argv in steps:
            ctx.log.detail(f"Running {' '.join(argv[:1] + argv[1:2])}")
            execute.run(argv, ctx.log, cwd=src, env=env, quiet=not ctx.log.debug_enabled,
                        explain=lambda out, step=" ".join(argv[:2]): r_errors.compile_failed(step, out[-20:]))
    strip_binaries(prefix)


def strip_binaries(prefix: Path) -> None:
    """Debug symbols out of R's executables and shared objects (106 MB -> 82 MB)."""
    strip = shutil.which("strip")
    if strip is None:
        return
    found = [p for p in prefix.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    if found:
        subprocess.run([strip, "--strip-unneeded", *map(str, found)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)


def _is_elf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"\x7fELF"


def check_runs(ctx: BuildContext, prefix: Path) -> str:
    """R's own idea of its version, from the installed Rscript (proves the layer works here)."""
    out = execute.run([str(prefix / "bin" / "Rscript"), "--vanilla", "-e", "cat(as.character(getRversion()))"],
                      ctx.log, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}, quiet=True)
    return (out[-1] if out else "").strip()


def set_environment(layer, version: str) -> None:
    # Later layers (pycnb/r-minicran's library) prepend to this, so R also keeps looking in its
    # own site library; R_HOME is compiled into R and never set.
    layer.env.default("R_LIBS_SITE", str(layer.path / "lib" / "R" / "site-library"))
    layer.env.default("LANG", "C.UTF-8", scope="launch")
    # Tells later buildpacks R is on PATH at build (r_at_build in libbuild/r/buildinputs.py);
    # a launch-only layer's build env is not applied, so it is absent then.
    layer.env.override(buildinputs.AT_BUILD_ENV, version, scope="build")
