"""Compile CPython from a python.org source tarball into a relocatable prefix.

Used by the cpython buildpack (``compile_cpython``) when no prebuilt interpreter
matches, and by ``mirror/build-prebuilt.sh`` (the command line below) to make the
prebuilt tarballs of the dependency catalog.

The result is a shared build (``libpython3.X.so``) whose executables find their
library through the rpath ``$ORIGIN/../lib``, with pip bundled, without test
suites, with the standard library byte-compiled as unchecked-hash ``.pyc`` files
so the output does not depend on file modification times.

Standard library only; runs on Python >= 3.9.

    python3 compile.py --source Python-3.11.2.tgz --prefix /layers/x/cpython \\
        --tarball cpython.tgz [--configure-flag F ...] [--jobs N]
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

Runner = Callable[..., object]

# The rpath every ELF file gets; the linker must see the literal string
# "$ORIGIN/../lib". It is given to configure as LDFLAGS=..., which writes it
# verbatim into the Makefile. There make turns "\$$" into "\$" and /bin/sh the
# "\$" into "$", for the interpreter and for the stdlib extension modules; 3.11's
# setup.py gets it inside single quotes (LDSHARED='$(BLDSHARED)') and splits it
# with distutils' shell-like quoting, which also drops the backslash. sysconfig
# records "\$ORIGIN" (make's "$$" unescaped), so C extensions that pip builds
# later get "$ORIGIN/../lib" too. (A single-quoted '$$ORIGIN' breaks setup.py:
# the quotes end LDSHARED's quoting and the shell expands $ORIGIN to nothing.)
# LDFLAGS must not be in the environment of make: distutils appends
# $LDFLAGS to LDSHARED, where "$$" would stay doubled.
RPATH_LDFLAGS = r"-Wl,-rpath,\$$ORIGIN/../lib"

DEFAULT_CONFIGURE_FLAGS: tuple = (
    "--enable-shared",
    "--with-ensurepip=install",
    "--enable-loadable-sqlite-extensions",
    # No _testcapi & co. and no test packages installed: smaller and faster.
    "--disable-test-modules",
    # Shared build: libpython3.X.a is only dead weight.
    "--without-static-libpython",
    # Keep the interpreter self-contained: the bundled expat and mpdecimal
    # (3.13 would otherwise link libmpdec from the build image, which a run
    # image does not need to have).
    "--without-system-expat",
    "--without-system-libmpdec",
)

# Directories removed from the installed standard library (relative to
# lib/python3.X). Whatever --disable-test-modules left behind.
TEST_DIRS: tuple = (
    "test",
    "idlelib/idle_test",
    "tkinter/test",
    "lib2to3/tests",
    "ctypes/test",
    "sqlite3/test",
    "unittest/test",
    "distutils/tests",
    "tests",
)

# Environment variables that must not reach the build: they would change how
# the freshly built interpreter (ensurepip, compileall) or pip behaves.
_SCRUB_PREFIXES = ("PYTHON", "PIP_", "VIRTUAL_ENV", "CONDA_")

# Modules the verification imports: every optional extension a user expects.
VERIFY_MODULES = (
    "ssl", "sqlite3", "ctypes", "lzma", "bz2", "zlib", "readline", "uuid",
    "decimal", "json", "hashlib", "_ctypes", "curses", "dbm", "pyexpat",
    "zoneinfo", "venv", "ensurepip",
)


class CompileError(RuntimeError):
    """Compiling or verifying CPython failed."""


def default_run(argv: Sequence[str], cwd: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> None:
    """Run a command, inherit stdout/stderr, raise on a non-zero exit."""
    subprocess.run([str(a) for a in argv], cwd=cwd, env=dict(env) if env is not None else None, check=True)


def source_date_epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return max(0, int(value)) if value else 0
    except ValueError:
        raise CompileError(f"SOURCE_DATE_EPOCH is not an integer: {value!r}") from None


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def build_env(base: Optional[Mapping[str, str]] = None) -> dict:
    """The environment of every build command: ``base`` without PYTHON*/PIP_*
    variables and LDFLAGS (see RPATH_LDFLAGS; configure_ldflags() takes it
    over), with SOURCE_DATE_EPOCH set (GCC uses it for __DATE__/__TIME__,
    which end up in sys.version)."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith(_SCRUB_PREFIXES)}
    env.pop("LDFLAGS", None)
    env["SOURCE_DATE_EPOCH"] = str(source_date_epoch())
    env["LC_ALL"] = "C"
    env.pop("MAKEFLAGS", None)
    env.pop("MFLAGS", None)
    return env


def configure_ldflags(base: Optional[Mapping[str, str]] = None) -> str:
    """LDFLAGS for configure: the rpath, then the caller's own LDFLAGS."""
    extra = (os.environ if base is None else base).get("LDFLAGS", "").strip()
    return f"{RPATH_LDFLAGS} {extra}".strip()


def _is_within(root: str, path: str) -> bool:
    root = os.path.realpath(root)
    path = os.path.realpath(path)
    return path == root or path.startswith(root + os.sep)


def _clean(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name.rstrip("/")


def extract_source(source_tarball: os.PathLike | str, workdir: os.PathLike | str) -> Path:
    """Extract a CPython source tarball into ``workdir`` and return its top
    directory (``Python-X.Y.Z``). Refuses absolute paths, ``..``, device files
    and links leading out of the tree."""
    source_tarball = Path(source_tarball)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source_tarball, "r:*") as tar:
        members = tar.getmembers()
        tops = {_clean(m.name).split("/", 1)[0] for m in members if _clean(m.name)}
        if len(tops) != 1:
            raise CompileError(f"{source_tarball.name}: expected one top-level directory, found {sorted(tops)[:5]}")
        top = tops.pop()
        if not top.startswith("Python-"):
            raise CompileError(f"{source_tarball.name}: {top!r} does not look like a CPython source tree")
        dest = workdir / top
        if dest.exists():
            shutil.rmtree(dest)
        for m in members:
            target = os.path.join(str(workdir), m.name)
            if os.path.isabs(m.name) or ".." in Path(m.name).parts or not _is_within(str(workdir), target):
                raise CompileError(f"{source_tarball.name}: unsafe path {m.name!r}")
            if not (m.isfile() or m.isdir() or m.issym() or m.islnk()):
                raise CompileError(f"{source_tarball.name}: unsupported member type {m.name!r}")
            if m.issym() or m.islnk():
                link = m.linkname if m.islnk() else os.path.join(os.path.dirname(m.name), m.linkname)
                if os.path.isabs(m.linkname) or not _is_within(str(workdir), os.path.join(str(workdir), link)):
                    raise CompileError(f"{source_tarball.name}: link {m.name!r} -> {m.linkname!r} leaves the tree")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(workdir, members=members, filter="data")
        else:  # Python < 3.9.17/3.10.12/3.11.4: checked above
            for m in members:
                m.mode &= 0o755 if not m.isdir() else 0o777
            tar.extractall(workdir, members=members)
    return dest


def python_version_of(srcdir: Path) -> str:
    """'3.11' from Include/patchlevel.h."""
    text = (srcdir / "Include" / "patchlevel.h").read_text(encoding="utf-8", errors="replace")
    m = re.search(r'#define\s+PY_VERSION\s+"(\d+)\.(\d+)', text)
    if not m:
        raise CompileError(f"no PY_VERSION in {srcdir}/Include/patchlevel.h")
    return f"{m.group(1)}.{m.group(2)}"


def remove_test_suites(prefix: Path, short_version: str) -> list:
    """Delete the standard library's test packages. Returns what was removed."""
    libdir = prefix / "lib" / f"python{short_version}"
    removed = []
    for rel in TEST_DIRS:
        path = libdir / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            removed.append(str(path.relative_to(prefix)))
    # Stray compiled test modules and static libraries.
    for pattern in ("lib-dynload/_test*.so", "lib-dynload/xx*.so", "config-*/libpython*.a"):
        for path in sorted(libdir.glob(pattern)):
            path.unlink()
            removed.append(str(path.relative_to(prefix)))
    for path in sorted((prefix / "lib").glob("libpython*.a")):
        path.unlink()
        removed.append(str(path.relative_to(prefix)))
    return removed


def strip_binaries(prefix: Path, run: Runner, env: Mapping[str, str]) -> None:
    """Drop debug information from ELF files (configure's default -g makes
    libpython several times its stripped size). Skipped without ``strip``."""
    strip = shutil.which("strip", path=env.get("PATH"))
    if not strip:
        return
    elves = []
    for root, dirs, files in os.walk(prefix):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            elves.append(path)
    if elves:
        run([strip, "--strip-debug", *elves], cwd=str(prefix), env=env)


def compile_cpython(
    source_tarball: os.PathLike | str,
    prefix: os.PathLike | str,
    workdir: os.PathLike | str,
    configure_flags: Iterable[str] = (),
    jobs: Optional[int] = None,
    run: Optional[Runner] = None,
    strip: bool = True,
) -> Path:
    """Build and install CPython from ``source_tarball`` into ``prefix``.

    ``workdir`` receives the extracted source tree (any previous one is
    replaced). ``configure_flags`` come after the defaults, so they can
    override them. ``run(argv, cwd=None, env=None)`` executes every command and
    must raise on failure (default: subprocess.run with check=True).
    Returns the prefix."""
    run = run or default_run
    prefix = Path(prefix).absolute()
    workdir = Path(workdir).absolute()
    jobs = jobs or _default_jobs()
    env = build_env()

    srcdir = extract_source(source_tarball, workdir)
    short = python_version_of(srcdir)
    prefix.mkdir(parents=True, exist_ok=True)

    configure = [
        "./configure",
        f"--prefix={prefix}",
        *DEFAULT_CONFIGURE_FLAGS,
        *configure_flags,
        f"LDFLAGS={configure_ldflags()}",
    ]
    run(configure, cwd=str(srcdir), env=env)
    run(["make", f"-j{jobs}"], cwd=str(srcdir), env=env)
    run(["make", "install"], cwd=str(srcdir), env=env)

    remove_test_suites(prefix, short)
    if strip:
        strip_binaries(prefix, run, env)

    python = prefix / "bin" / f"python{short}"
    libdir = prefix / "lib" / f"python{short}"
    # Replace make install's timestamp-based .pyc (three optimisation levels)
    # with unchecked-hash ones for the default level only.
    for cache in sorted(libdir.rglob("__pycache__")):
        if cache.is_dir():
            shutil.rmtree(cache)
    run(
        [
            str(python), "-E", "-s", "-Wi", "-m", "compileall",
            "-q", "-f", f"-j{jobs}", "--invalidation-mode", "unchecked-hash",
            "-x", r"bad_coding|badsyntax|lib2to3/tests/data",
            str(libdir),
        ],
        cwd=str(prefix),
        env=env,
    )
    return prefix


def verify(prefix: os.PathLike | str, run: Optional[Runner] = None, modules: Sequence[str] = VERIFY_MODULES) -> None:
    """Import the optional extension modules with the installed interpreter,
    in a clean environment, and check pip is there."""
    run = run or default_run
    prefix = Path(prefix)
    env = {k: v for k, v in build_env().items() if k != "LD_LIBRARY_PATH"}
    code = f"import sys, {', '.join(dict.fromkeys(modules))}; print(sys.version); print(sys.prefix)"
    run([str(prefix / "bin" / "python3"), "-I", "-c", code], cwd="/", env=env)
    run([str(prefix / "bin" / "python3"), "-I", "-m", "pip", "--version"], cwd="/", env=env)


def check_relocation(prefix: os.PathLike | str, run: Optional[Runner] = None) -> list:
    """Copy the prefix to another directory, verify it there and return what
    still names the original prefix (files with absolute shebangs, etc.)."""
    prefix = Path(prefix)
    leftovers = []
    with tempfile.TemporaryDirectory(prefix="cpython-moved-") as tmp:
        moved = Path(tmp) / "elsewhere"
        shutil.copytree(prefix, moved, symlinks=True)
        verify(moved, run)
        needle = str(prefix).encode()
        for root, dirs, files in os.walk(moved):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                if os.path.islink(path) or name.endswith(".pyc"):
                    continue
                with open(path, "rb") as f:
                    if needle in f.read():
                        leftovers.append(os.path.relpath(path, moved))
    return leftovers


def write_tarball(prefix: os.PathLike | str, output: os.PathLike | str, mtime: Optional[int] = None) -> None:
    """Write the *contents* of ``prefix`` as a reproducible .tgz: relative,
    sorted paths, one mtime, uid/gid 0 and no names, gzip header mtime 0."""
    prefix = Path(prefix)
    output = Path(output)
    mtime = source_date_epoch() if mtime is None else mtime

    def normalize(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = mtime
        info.mode &= 0o7777 & ~0o022 if not info.issym() else 0o7777
        info.pax_headers = {}
        return info

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
                with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    for name in sorted(os.listdir(prefix)):
                        tar.add(str(prefix / name), arcname=name, recursive=True, filter=normalize)
        os.replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()


def _logging_run(argv: Sequence[str], cwd: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> None:
    shown = " ".join(str(a) for a in argv)
    if len(shown) > 300:
        shown = shown[:300] + " ..."
    print(f"+ {shown}", file=sys.stderr, flush=True)
    started = time.monotonic()
    default_run(argv, cwd=cwd, env=env)
    print(f"  ({time.monotonic() - started:.1f}s)", file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse  # the command line only; the buildpack imports this module at every build
    parser = argparse.ArgumentParser(description="Compile CPython into a relocatable prefix and tar it up.")
    parser.add_argument("--source", required=True, help="python.org source tarball (Python-X.Y.Z.tgz / .tar.xz)")
    parser.add_argument("--prefix", required=True, help="installation prefix (must be empty or absent)")
    parser.add_argument("--tarball", help="write the prefix's contents to this .tgz")
    parser.add_argument("--workdir", help="where to extract and build (default: a temporary directory)")
    parser.add_argument("--configure-flag", action="append", default=[], dest="configure_flags",
                        help="extra configure flag, after the defaults (repeatable)")
    parser.add_argument("--jobs", type=int, help="parallel make jobs (default: CPUs)")
    parser.add_argument("--no-strip", action="store_true", help="keep debug information")
    parser.add_argument("--check-relocation", action="store_true",
                        help="also verify a copy of the prefix in another directory")
    args = parser.parse_args(argv)

    prefix = Path(args.prefix).absolute()
    if prefix.exists() and any(prefix.iterdir()):
        parser.error(f"prefix {prefix} is not empty")
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="cpython-build-") as tmp:
            compile_cpython(args.source, prefix, args.workdir or tmp, args.configure_flags,
                            args.jobs, _logging_run, strip=not args.no_strip)
        verify(prefix, _logging_run)
        if args.check_relocation:
            leftovers = check_relocation(prefix, _logging_run)
            print("relocated copy works; files still naming the original prefix:", file=sys.stderr)
            for path in leftovers:
                print(f"  {path}", file=sys.stderr)
        if args.tarball:
            write_tarball(prefix, args.tarball)
            print(f"wrote {args.tarball}", file=sys.stderr)
    except (CompileError, subprocess.CalledProcessError, OSError) as exc:
        print(f"compile.py: error: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
