#!/usr/bin/env python3
"""Write the extra dependency catalog of the local mirror.

Lists every prebuilt CPython tarball found under
``<mirror>/prebuilt/cpython/<ver>/cpython_<ver>_linux_<arch>_debian_<N>.tgz`` as a
``[[dependencies]]`` entry whose ``uri`` points at the local mirror server, with
the python.org source tarball (found in the mirror under
``www.python.org/ftp/python/<ver>/``) as ``source``. The name says which target the
interpreter was compiled for (N is the build image's Debian major version: it links
against that release's libraries), and the entry's ``[[dependencies.targets]]`` admits
that target only, so a build on another release never selects it. Output:
``<mirror>/catalog/cpython.toml`` (or ``--output``). Likewise every prebuilt R
(``<mirror>/prebuilt/r/<ver>/r_<ver>_linux_amd64_debian_<N>.tgz``, CRAN's source tarball
under ``cran.r-project.org/src/base/``) as an ``r`` entry in ``<mirror>/catalog/r.toml``
(or ``--r-output``). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path
from typing import List, Optional, Sequence

SOURCE_HOST = "www.python.org"
SOURCE_NAMES = ("Python-{v}.tgz", "Python-{v}.tar.xz")
# cpython_<ver>_<os>_<arch>_debian_<N>.tgz, as mirror/common.sh names them.
PREBUILT_NAME = re.compile(r"^cpython_(?P<v>\d+\.\d+\.\d+)_(?P<os>linux)_(?P<arch>amd64|arm64)_debian_(?P<distro>\d+)\.tgz$")
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def toml_string(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def version_key(version: str) -> tuple:
    return tuple(int(p) for p in version.split("."))


def prebuilts(version_dir: Path) -> List[tuple]:
    """(tarball, name fields) of the prebuilt tarballs in one version's directory, sorted."""
    found = []
    for path in sorted(version_dir.iterdir()) if version_dir.is_dir() else []:
        match = PREBUILT_NAME.match(path.name)
        if match and path.is_file():
            found.append((path, match.groupdict()))
    return found


def dependency_block(*, dep_id: str, name: str, version: str, uri: str, sha256: str, source_url: str,
                     source_sha256: str, cpe: str, licenses: Sequence[str], target: dict) -> str:
    """One [[dependencies]] entry of a prebuilt for one target (os, arch, Debian major `distro`)."""
    lines = [
        "[[dependencies]]",
        f"id = {toml_string(dep_id)}",
        f"name = {toml_string(name)}",
        f"version = {toml_string(version)}",
        f"uri = {toml_string(uri)}",
        f"checksum = {toml_string('sha256:' + sha256)}",
        f"source = {toml_string(source_url)}",
        f"source-checksum = {toml_string('sha256:' + source_sha256)}",
        f"purl = {toml_string(f'pkg:generic/{dep_id}@{version}?checksum=sha256:{source_sha256}&download_url={source_url}')}",
        f"cpe = {toml_string(cpe)}",
        f"licenses = [{', '.join(toml_string(x) for x in licenses)}]",
        "strip-components = 0",
        "[[dependencies.targets]]",
        f"os = {toml_string(target['os'])}",
        f"arch = {toml_string(target['arch'])}",
        "[[dependencies.targets.distros]]",
        'name = "debian"',
        f"version = {toml_string(target['distro'])}",
    ]
    return "\n".join(lines) + "\n"


def entries(mirror: Path, base_url: str) -> List[str]:
    blocks = []
    root = mirror / "prebuilt" / "cpython"
    versions = []
    if root.is_dir():
        versions = sorted((d.name for d in root.iterdir() if d.is_dir() and VERSION_RE.match(d.name)), key=version_key)
    for v, tarball, target in ((v, t, m) for v in versions for t, m in prebuilts(root / v) if m["v"] == v):
        candidates = [mirror / SOURCE_HOST / "ftp" / "python" / v / n.format(v=v) for n in SOURCE_NAMES]
        source = next((c for c in candidates if c.is_file()), None)
        if source is None:
            raise SystemExit(f"catalog.py: no source tarball of CPython {v} in {mirror / SOURCE_HOST}")
        source_url = f"https://{SOURCE_HOST}/ftp/python/{v}/{source.name}"
        blocks.append(dependency_block(
            dep_id="cpython", name="CPython", version=v, uri=f"{base_url}/prebuilt/cpython/{v}/{tarball.name}",
            sha256=sha256_file(tarball), source_url=source_url, source_sha256=sha256_file(source),
            cpe=f"cpe:2.3:a:python:python:{v}:*:*:*:*:*:*:*", licenses=["PSF-2.0"], target=target))
    return blocks


# R prebuilts (mirror/build-r-prebuilt.sh), one per Debian release it was compiled for.
R_PREBUILT = re.compile(r"^r_(?P<v>\d+\.\d+\.\d+)_(?P<os>linux)_(?P<arch>amd64|arm64)_debian_(?P<distro>\d+)\.tgz$")
R_SOURCE_HOST = "cran.r-project.org"


def r_entries(mirror: Path, base_url: str) -> List[str]:
    blocks = []
    root = mirror / "prebuilt" / "r"
    found = []
    if root.is_dir():
        for tarball in root.glob("*/r_*.tgz"):
            m = R_PREBUILT.match(tarball.name)
            if m and m.group("v") == tarball.parent.name:
                found.append((version_key(m.group("v")), int(m.group("distro")), tarball.name, tarball, m.groupdict()))
    for _, _, _, tarball, target in sorted(found):
        v = target["v"]
        source_path = f"src/base/R-{v.split('.')[0]}/R-{v}.tar.gz"
        source = mirror / R_SOURCE_HOST / source_path
        if not source.is_file():
            raise SystemExit(f"catalog.py: no source tarball of R {v} at {source}")
        blocks.append(dependency_block(
            dep_id="r", name="R", version=v, uri=f"{base_url}/prebuilt/r/{v}/{tarball.name}",
            sha256=sha256_file(tarball), source_url=f"https://{R_SOURCE_HOST}/{source_path}",
            source_sha256=sha256_file(source), cpe=f"cpe:2.3:a:r-project:r:{v}:*:*:*:*:*:*:*",
            licenses=["GPL-2.0-or-later"], target=target))
    return blocks


def write_catalog(output: Path, title: str, blocks: List[str]) -> None:
    text = f"# Extra {title} dependency catalog of the pycnb test mirror (generated by mirror/catalog.py).\n"
    text += "\n".join(blocks)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, output)
    print(f"catalog.py: {len(blocks)} entr{'y' if len(blocks) == 1 else 'ies'} in {output}", file=sys.stderr)


def platform_defaults(mirror: Path, buildpack_toml: Path) -> List[str]:
    """Settings a build on this mirror needs: when no source of the cpython buildpack's
    default line could be fetched here, the newest prebuilt release stands in for it
    (BP_CPYTHON_DEFAULT_VERSION), so apps that request no version still build offline."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    with open(buildpack_toml, "rb") as fh:
        meta = tomllib.load(fh)["metadata"]
    default = str(meta["default-versions"]["cpython"])
    in_line = [d["version"] for d in meta["dependencies"] if d["id"] == "cpython-source"
               and (d["version"] + ".").startswith(default + ".")]
    if any((mirror / SOURCE_HOST / "ftp" / "python" / v / n.format(v=v)).is_file() for v in in_line for n in SOURCE_NAMES):
        return []
    root = mirror / "prebuilt" / "cpython"
    targets = {d.name: {(m["os"], m["arch"], m["distro"]) for _, m in prebuilts(d)}
               for d in (root.iterdir() if root.is_dir() else []) if d.is_dir() and VERSION_RE.match(d.name)}
    every = set().union(*targets.values())
    # The default serves builds on every release: prefer a version prebuilt for all of them.
    prebuilt = sorted((v for v, t in targets.items() if t and t >= every), key=version_key) or \
        sorted((v for v, t in targets.items() if t), key=version_key)
    if not prebuilt:
        return []
    stand_in = prebuilt[-1]  # the exact release: its line's newest release may be source-only here
    print(f"catalog.py: WARNING: no source of the default CPython line {default} could be fetched here; "
          f"builds that request no version use CPython {stand_in} (BP_CPYTHON_DEFAULT_VERSION={stand_in})", file=sys.stderr)
    return [f"BP_CPYTHON_DEFAULT_VERSION={stand_in}"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    cache = Path(os.environ.get("PYCNB_CACHE") or Path.home() / ".cache" / "pycnb")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=cache / "mirror", help="mirror root (default: $PYCNB_CACHE/mirror)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PYCNB_MIRROR_PORT") or 8642))
    parser.add_argument("--output", type=Path, help="default: <mirror>/catalog/cpython.toml")
    parser.add_argument("--r-output", type=Path, help="default: <mirror>/catalog/r.toml")
    parser.add_argument("--cpython-buildpack", type=Path, help="buildpack.toml of the cpython buildpack: writes "
                        "<mirror>/catalog/platform.env with the settings builds on this mirror need")
    args = parser.parse_args(argv)

    base_url = f"http://127.0.0.1:{args.port}"
    output = args.output or args.mirror / "catalog" / "cpython.toml"
    write_catalog(output, "CPython", entries(args.mirror, base_url))
    write_catalog(args.r_output or args.mirror / "catalog" / "r.toml", "R", r_entries(args.mirror, base_url))
    if args.cpython_buildpack:
        settings = platform_defaults(args.mirror, args.cpython_buildpack)
        (output.parent / "platform.env").write_text("".join(s + "\n" for s in settings), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
