"""Putting a CPython into the layer: a prebuilt tarball if the catalog has one for this
target, else a python.org source tarball compiled here."""
from __future__ import annotations

import re
import shlex
import shutil
import tempfile
from pathlib import Path

from libbuild import errors, execute, versions
from libbuild.context import BuildContext
from libbuild.python import buildinputs as pyinputs
from libbuild.dependencies import Dependency

from . import compile as compiler
from . import errors as cpython_errors

PREBUILT, SOURCE = "cpython", "cpython-source"


def resolve(ctx: BuildContext, constraint: str, source: str) -> Dependency:
    """The newest version satisfying the constraint; prebuilt when one exists at exactly it."""
    catalog = ctx.catalog
    offered = versions.sort_versions(catalog.versions(PREBUILT, ctx.target) + catalog.versions(SOURCE, ctx.target))
    best = versions.best(offered, versions.parse_constraint(constraint, source))
    if best is None:
        line = _requested_line(constraint)
        in_line = [v for v in offered if versions.minor(v) == line] if line else []
        raise cpython_errors.no_such_version(constraint, source, line or "", in_line, offered, ctx.target.describe())
    exact = f"=={best}"
    return catalog.find(PREBUILT, exact, ctx.target) or catalog.find(SOURCE, exact, ctx.target)


def _requested_line(constraint: str) -> str:
    """'3.12' for 3.12, 3.12.99, ==3.12.*; '' when the constraint names no single line."""
    match = re.match(r"^\s*(?:==\s*)?v?(\d+\.\d+)(\.[\d*]+)?\s*$", constraint)
    return match.group(1) if match else ""


def line_eol(ctx: BuildContext, version: str) -> str:
    """The end of life of a version's line, from any catalog entry of that line that states it
    (prebuilt entries of platform catalogs often do not)."""
    line = versions.minor(version)
    dates = [d.deprecation_date for d in ctx.catalog.entries
             if d.id in (PREBUILT, SOURCE) and versions.minor(d.version) == line and d.deprecation_date]
    return min(dates) if dates else ""


def configure_flags(ctx: BuildContext) -> list[str]:
    raw = ctx.setting("BP_CPYTHON_CONFIGURE_FLAGS", "") or ""
    try:
        return shlex.split(raw)
    except ValueError as exc:
        raise errors.invalid_setting("BP_CPYTHON_CONFIGURE_FLAGS", raw, f"shell-quoted configure flags ({exc})")


def install_prebuilt(ctx: BuildContext, dep: Dependency, prefix: Path) -> None:
    ctx.fetcher().install(dep, prefix)
    fix_script_shebangs(prefix)


def compile_from_source(ctx: BuildContext, dep: Dependency, prefix: Path, flags: list[str]) -> None:
    tarball = ctx.fetcher().fetch(dep)
    env = {k: v for k, v in ctx.environ.items() if not k.startswith("PYTHON")}

    def run(argv, cwd=None, env=env):
        execute.run(argv, ctx.log, cwd=cwd, env=env, quiet=not ctx.log.debug_enabled)

    with tempfile.TemporaryDirectory(prefix="cpython-src-") as work:
        ctx.log.info(f"Compiling CPython {dep.version} from source (configure flags: {' '.join(flags) or 'defaults'})")
        compiler.compile_cpython(tarball, prefix, work, configure_flags=flags, run=run)


_SHEBANG = re.compile(rb"^#!\S*/python[0-9.]*(\s|$)")


def fix_script_shebangs(prefix: Path) -> None:
    """Scripts in bin/ (pip3, pydoc3, ...) name the interpreter by the path it was built at;
    point them at this layer's interpreter."""
    python = prefix / "bin" / "python3"
    for script in (prefix / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        body = script.read_bytes()
        if _SHEBANG.match(body):
            _, _, rest = body.partition(b"\n")
            script.write_bytes(b"#!" + str(python).encode() + b"\n" + rest)


# What the layer leaves out of a CPython build (globs under its prefix). pip and setuptools are
# build tools: pycnb/pip unpacks pip at build from the wheel ensurepip keeps, pip builds sdists
# in isolated environments with their own setuptools, and an app's venv never saw either.
# IDLE, tkinter and turtle need Tk, which no stack image has (_tkinter is not built).
RUNTIME_PRUNE = (
    "bin/pip*", "bin/idle3*",
    "lib/python3.*/site-packages/pip", "lib/python3.*/site-packages/pip-*.dist-info",
    "lib/python3.*/site-packages/setuptools", "lib/python3.*/site-packages/setuptools-*.dist-info",
    "lib/python3.*/site-packages/pkg_resources", "lib/python3.*/site-packages/_distutils_hack",
    "lib/python3.*/site-packages/distutils-precedence.pth",
    "lib/python3.*/idlelib", "lib/python3.*/tkinter", "lib/python3.*/turtledemo",
    "lib/python3.*/turtle.py", "lib/python3.*/__pycache__/turtle.*.pyc",
    # pydoc's topic pages (help('if')); without them pydoc says so and documents modules as ever.
    "lib/python3.*/pydoc_data",
)
# What only a build uses: C headers (extensions compiled at build) and the pip wheel ensurepip
# keeps (pycnb/pip unpacks it). They move to a build-only layer; the interpreter's tree links to
# them, so at build nothing looks different, and the image carries links that lead nowhere.
BUILD_ONLY = ("include/python3.*", "lib/python3.*/ensurepip/_bundled")


def prune(prefix: Path) -> list[str]:
    """Delete RUNTIME_PRUNE from an installed CPython; returns what was removed."""
    removed = []
    for pattern in RUNTIME_PRUNE:
        for path in sorted(prefix.glob(pattern)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(str(path.relative_to(prefix)))
    return removed


def split_build_files(prefix: Path, build_prefix: Path, keep: bool) -> None:
    """Move BUILD_ONLY from `prefix` to the same places under `build_prefix` (deleted instead
    when no build needs them, keep=False), and link each old place to its new one."""
    for pattern in BUILD_ONLY:
        for path in sorted(prefix.glob(pattern)):
            if path.is_symlink():
                continue
            target = build_prefix / path.relative_to(prefix)
            if keep:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), str(target))
            else:
                shutil.rmtree(path)
            path.symlink_to(target)


def add_unversioned_commands(prefix: Path) -> None:
    """`make install` creates python3; apps and Procfiles expect python too (pip is pruned)."""
    link = prefix / "bin" / "python"
    if (prefix / "bin" / "python3").exists() and not link.exists():
        link.symlink_to("python3")


def set_environment(layer, version: str) -> None:
    prefix = layer.path
    layer.env.prepend("CPATH", str(prefix / "include" / f"python{versions.minor(version)}"), scope="build")
    layer.env.prepend("PKG_CONFIG_PATH", str(prefix / "lib" / "pkgconfig"), scope="build")
    # Logs reach `docker logs` at once instead of in 8 KiB blocks.
    layer.env.default("PYTHONUNBUFFERED", "1", scope="launch")
    # Tells later buildpacks this interpreter is on PATH at build (see python_at_build in
    # libbuild/python/buildinputs.py); absent when nobody needs it there.
    layer.env.override(pyinputs.AT_BUILD_ENV, version, scope="build")
    # No PYTHONHOME: the interpreter finds its prefix from its own location, and a
    # PYTHONHOME would make every venv built on it lose its own site-packages.
