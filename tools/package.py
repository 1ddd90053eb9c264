#!/usr/bin/env python3
"""Assemble each buildpack as the builder ships it: a self-contained directory.

build/buildpacks/<name>/
    buildpack.toml, README.md, bin/{detect,build} (the launcher, as real files),
    <module>/ (the buildpack's own code), lib/ (libbuild + vendored libraries)
Composite buildpacks (no bin/) are copied as they are.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")


def package(src: Path, out: Path, vendor: Path) -> Path:
    dest = out / src.name
    shutil.rmtree(dest, ignore_errors=True)
    if not (src / "bin").is_dir():  # composite: order only
        shutil.copytree(src, dest, ignore=IGNORE)
        _write_package_toml(dest)
        return dest
    # Symlinks in the source tree (bin/ -> libbuild/launcher.sh) become real files.
    shutil.copytree(src, dest, ignore=IGNORE, symlinks=False)
    lib = dest / "lib"
    shutil.copytree(REPO / "libbuild", lib / "libbuild", ignore=shutil.ignore_patterns(
        "__pycache__", "*.pyc", "launcher.sh", "vendor*.txt"))
    skipped = _optional_libraries(vendor) - set().union(*(_optional_set(vendor, n) for n in _wanted_libraries(src)))
    for entry in sorted(vendor.iterdir()):
        if entry.name.startswith(".") or entry.name in skipped:
            continue
        target = lib / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=IGNORE)
        else:
            shutil.copy2(entry, target)
    _compile(dest)
    return dest


def _optional_set(vendor: Path, name: str) -> set[str]:
    """Top-level entries of an optional library set (tools/vendor.sh writes .optional-<name>)."""
    listing = vendor / f".optional-{name}"
    if not listing.is_file():
        raise SystemExit(f"{listing} is missing: run `make vendor` again")
    return {line.strip() for line in listing.read_text().splitlines() if line.strip()}


def _optional_libraries(vendor: Path) -> set[str]:
    return set().union(*(_optional_set(vendor, p.name.removeprefix(".optional-"))
                         for p in vendor.glob(".optional-*")))


def _wanted_libraries(src: Path) -> list[str]:
    """The optional sets a buildpack asks for: [metadata] pycnb-libraries in buildpack.toml
    (the S3 client is large, so only the buildpacks that read S3 bindings carry it)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the vendored reader
        sys.path.insert(0, str(REPO / "build" / "vendor"))
        import tomli as tomllib
    with open(src / "buildpack.toml", "rb") as fh:
        return list(tomllib.load(fh).get("metadata", {}).get("pycnb-libraries", []))


def _write_package_toml(dest: Path) -> None:
    """`pack buildpack package` needs a composite's members: <name>.package.toml beside it."""
    ids = []
    for line in (dest / "buildpack.toml").read_text().splitlines():
        if line.startswith('id = "pycnb/'):
            member = line.split('"')[1].split("/", 1)[1]
            if member != dest.name and member not in ids:
                ids.append(member)
    text = f'[buildpack]\nuri = "{dest.name}"\n' + "".join(f'\n[[dependencies]]\nuri = "{m}"\n' for m in ids)
    (dest.parent / f"{dest.name}.package.toml").write_text(text)


def _compile(dest: Path) -> None:
    """Ship bytecode: /cnb is read-only, so without it every detect recompiles every module.

    Compiled by the interpreter the launcher uses (the build image's python3 is the same
    Debian python3), hash-checked-free so the bytes do not depend on file times.
    """
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    "-d", ".", str(dest)], check=True)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else REPO / "build" / "buildpacks"
    vendor = REPO / "build" / "vendor"
    if not (vendor / ".vendor-stamp").exists():
        print("build/vendor is missing: run `make vendor` first", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for src in sorted((REPO / "buildpacks").iterdir()):
        if (src / "buildpack.toml").is_file():
            print(package(src, out, vendor).relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
