#!/usr/bin/env python3
"""Build the test conda channel from real artifacts, the stand-in for conda-forge.

    <mirror>/conda/conda-forge/{linux-64,linux-aarch64,noarch}/*.tar.bz2 + repodata.json

- every prebuilt CPython tarball of the mirror (<mirror>/prebuilt/cpython/<ver>/cpython_<ver>_linux_<arch>_*.tgz)
  becomes a `python` package: the tree as it is, minus what ensurepip put in site-packages
  (pip is a package of its own, as on conda-forge), with `prefix_placeholder` on every text file that names the
  prefix it was compiled at (binaries find their libraries through $ORIGIN rpaths);
- every wheel `pip download`ed for the requirement files given (with dependencies, once per
  CPython minor version of the channel) becomes a `noarch: python` package, or a
  `linux-64` package pinned to its CPython minor version when it holds compiled code.

Package files are reproducible (sorted members, fixed times) and named by the digest of
what they were made from, so a second run only re-indexes when something new appeared.
The channel is indexed with py-rattler (`rattler.index.index_fs`). Progress goes to stderr.

Usage: conda_channel.py [--requirements FILE]... [--channel NAME]
"""
from __future__ import annotations

import argparse
import asyncio
import bz2
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

CACHE = Path(os.environ.get("PYCNB_CACHE") or Path.home() / ".cache" / "pycnb")
MIRROR = CACHE / "mirror"
# The prefix mirror/build-prebuilt.sh compiles CPython at (common.sh: CPYTHON_LAYER_PREFIX).
PREBUILT_PREFIX = "/layers/pycnb_cpython/cpython"
TIMESTAMP_MS = 1_700_000_000_000  # fixed: the same inputs give the same package bytes
# Part of every package's build string: bump it when the way packages are made changes.
RECIPE = "3"
ARCH_SUBDIR = {"amd64": "linux-64", "arm64": "linux-aarch64"}
WHEEL_PLATFORMS = {"linux-64": ("manylinux2014_x86_64", "manylinux_2_28_x86_64"),
                   "linux-aarch64": ("manylinux2014_aarch64", "manylinux_2_28_aarch64")}
_PREBUILT = re.compile(r"^cpython_(?P<version>\d+\.\d+\.\d+)_linux_(?P<arch>[a-z0-9]+)_.*\.tgz$")


def log(msg: str) -> None:
    print(f"[conda-channel] {msg}", file=sys.stderr, flush=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def conda_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class PackageWriter:
    """Collects the members of one conda package and writes it as a .tar.bz2."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, int]] = {}   # path -> (content, mode)
        self.links: dict[str, str] = {}                  # path -> target
        self.placeholders: dict[str, str] = {}           # text files naming a prefix

    def add(self, path: str, data: bytes, mode: int = 0o644, placeholder: str = "") -> None:
        self.files[path] = (data, mode)
        if placeholder:
            self.placeholders[path] = placeholder

    def link(self, path: str, target: str) -> None:
        self.links[path] = target

    def paths_json(self) -> dict:
        entries = []
        for path in sorted(set(self.files) | set(self.links)):
            if path in self.links:
                entries.append({"_path": path, "path_type": "softlink"})
                continue
            data, _ = self.files[path]
            entry = {"_path": path, "path_type": "hardlink", "sha256": sha256_bytes(data), "size_in_bytes": len(data)}
            if path in self.placeholders:
                entry.update(prefix_placeholder=self.placeholders[path], file_mode="text")
            entries.append(entry)
        return {"paths": entries, "paths_version": 1}

    def write(self, out: Path, index: dict, link: dict | None = None, about: dict | None = None) -> None:
        info = {"info/index.json": index, "info/paths.json": self.paths_json()}
        if link:
            info["info/link.json"] = link
        if about:
            info["info/about.json"] = about
        members = {k: (json.dumps(v, indent=2, sort_keys=True).encode() + b"\n", 0o644) for k, v in info.items()}
        members["info/files"] = ("".join(p + "\n" for p in sorted(set(self.files) | set(self.links))).encode(), 0o644)
        tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as raw, bz2.BZ2File(raw, "wb", compresslevel=6) as comp:
            with tarfile.open(fileobj=comp, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for path, (data, mode) in sorted({**members, **self.files}.items()):
                    ti = tarfile.TarInfo(path)
                    ti.size, ti.mode, ti.mtime = len(data), mode, 0
                    tar.addfile(ti, io.BytesIO(data))
                for path, target in sorted(self.links.items()):
                    ti = tarfile.TarInfo(path)
                    ti.type, ti.linkname, ti.mode, ti.mtime = tarfile.SYMTYPE, target, 0o777, 0
                    tar.addfile(ti)
        os.replace(tmp, out)


# -- CPython -------------------------------------------------------------------

def prebuilt_tarballs(mirror: Path) -> list[tuple[str, str, Path]]:
    found = []
    for tgz in sorted((mirror / "prebuilt" / "cpython").glob("*/cpython_*_linux_*.tgz")):
        m = _PREBUILT.match(tgz.name)
        if m and m["arch"] in ARCH_SUBDIR:
            found.append((m["version"], ARCH_SUBDIR[m["arch"]], tgz))
    return found


def python_package(version: str, subdir: str, tgz: Path, channel: Path) -> Path:
    digest = sha256_bytes(f"{RECIPE} {sha256_file(tgz)}".encode())
    out = channel / subdir / f"python-{version}-h{digest[:8]}_0_cpython.tar.bz2"
    if out.is_file():
        return out
    log(f"python {version} ({subdir}) from {tgz.name}")
    minor = ".".join(version.split(".")[:2])
    pkg = PackageWriter()
    needle = PREBUILT_PREFIX.encode()
    # ensurepip's pip and setuptools are packages of their own in a conda channel.
    bundled_pip = re.compile(rf"^(lib/python{re.escape(minor)}/site-packages/(?!README)|bin/pip[0-9.]*$)")
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            name = member.name.lstrip("./")
            if not name or member.isdir() or bundled_pip.match(name):
                continue
            if member.issym():
                pkg.link(name, member.linkname)
            elif member.isfile():
                data = tar.extractfile(member).read()
                text_with_prefix = needle in data and b"\0" not in data
                pkg.add(name, data, member.mode & 0o777, PREBUILT_PREFIX if text_with_prefix else "")
    # Bytecode compiled from a file that names the prefix would outlive the rewrite of that
    # file (hash-based .pyc files are not re-checked): leave it out, it is compiled again.
    for path in [p for p in pkg.placeholders if p.endswith(".py")]:
        directory, _, name = path.rpartition("/")
        stale = f"{directory}/__pycache__/{name[:-3]}."
        for pyc in [f for f in pkg.files if f.startswith(stale) and f.endswith(".pyc")]:
            del pkg.files[pyc]
    if "bin/python" not in pkg.files and "bin/python" not in pkg.links:
        pkg.link("bin/python", f"python{minor}")  # conda environments run `python`
    index = {"name": "python", "version": version, "build": f"h{digest[:8]}_0_cpython", "build_number": 0,
             "depends": [], "license": "PSF-2.0", "subdir": subdir, "timestamp": TIMESTAMP_MS,
             "arch": "x86_64" if subdir == "linux-64" else "aarch64", "platform": "linux"}
    pkg.write(out, index, about={"summary": f"CPython {version} compiled from the python.org release tarball",
                                 "license": "PSF-2.0"})
    return out


# -- wheels --------------------------------------------------------------------

def marker_env(python: str) -> dict:
    return {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python, "os_name": "posix",
            "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
            "platform_python_implementation": "CPython", "implementation_name": "cpython",
            "implementation_version": python, "platform_release": "", "platform_version": "", "extra": ""}


def depends_of(meta, python: str) -> list[str]:
    from packaging.requirements import Requirement
    deps = []
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(marker_env(python)):
            continue
        spec = ",".join(sorted(str(s) for s in req.specifier))
        deps.append(f"{conda_name(req.name)} {spec}".strip())
    return sorted(set(deps))


def wheel_package(whl: Path, channel: Path, subdir: str, pythons: list[str]) -> Path | None:
    """A conda package made from a wheel; None if the wheel fits no CPython of the channel."""
    parts = whl.name[:-4].split("-")
    dist, version, tags = parts[0], parts[1], parts[-3:]
    pure = tags[2] == "any"
    minor = None
    if not pure:
        m = re.match(r"cp(\d)(\d+)$", tags[0])
        minor = f"{m[1]}.{m[2]}" if m else None
        if minor is None or not any(p.startswith(minor + ".") for p in pythons):
            return None
    digest = sha256_bytes(f"{RECIPE} {sha256_file(whl)}".encode())
    name = conda_name(dist)
    build = f"pyh{digest[:8]}_0" if pure else f"py{minor.replace('.', '')}h{digest[:8]}_0"
    out = channel / ("noarch" if pure else subdir) / f"{name}-{version}-{build}.tar.bz2"
    if out.is_file():
        return out
    with zipfile.ZipFile(whl) as zf:
        names = zf.namelist()
        info_dir = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        meta = Parser().parsestr(zf.read(f"{info_dir}/METADATA").decode("utf-8", "replace"), headersonly=True)
        entry_points = zf.read(f"{info_dir}/entry_points.txt").decode() if f"{info_dir}/entry_points.txt" in names else ""
        site = "site-packages" if pure else f"lib/python{minor}/site-packages"
        scripts = "python-scripts" if pure else "bin"
        pkg = PackageWriter()
        data_dir = info_dir[: -len(".dist-info")] + ".data"
        for n in names:
            if n.endswith("/"):
                continue
            mode = ((zf.getinfo(n).external_attr >> 16) & 0o777) or 0o644
            body = zf.read(n)
            if n.startswith(data_dir + "/"):
                kind, _, rest = n[len(data_dir) + 1:].partition("/")
                if kind in ("purelib", "platlib"):
                    pkg.add(f"{site}/{rest}", body, mode)
                elif kind == "scripts":
                    pkg.add(f"{scripts}/{rest}", body, 0o755)
                elif kind == "data":
                    pkg.add(rest, body, mode)
                continue
            pkg.add(f"{site}/{n}", body, mode)
    console = _console_scripts(entry_points)
    python_dep = "python " + (meta.get("Requires-Python") or "").replace(" ", "")
    if not pure:
        python_dep = f"python {minor}.*"
        for script, target in console:  # noarch packages get these from link.json at install time
            module, _, func = target.partition(":")
            body = (f"#!{PREBUILT_PREFIX}/bin/python{minor}\nimport sys\nfrom {module} import {func.split('.')[0]}\n"
                    f"if __name__ == '__main__':\n    sys.exit({func}())\n").encode()
            pkg.add(f"bin/{script}", body, 0o755, PREBUILT_PREFIX)
    index = {"name": name, "version": version, "build": build, "build_number": 0,
             "depends": sorted(set(depends_of(meta, min(pythons, key=_vkey)) + [python_dep.strip()])),
             "license": meta.get("License-Expression") or meta.get("License") or "", "subdir": "noarch" if pure else subdir,
             "timestamp": TIMESTAMP_MS}
    link = None
    if pure:
        index["noarch"] = "python"
        link = {"noarch": {"type": "python", "entry_points": [f"{s} = {t}" for s, t in console]},
                "package_metadata_version": 1}
    else:
        index.update(arch="x86_64" if subdir == "linux-64" else "aarch64", platform="linux")
    log(f"{name} {version} ({index['subdir']}) from {whl.name}")
    pkg.write(out, index, link, about={"summary": meta.get("Summary") or "", "license": index["license"]})
    return out


def _console_scripts(text: str) -> list[tuple[str, str]]:
    out, section = [], ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]").strip()
        elif section == "console_scripts" and "=" in line:
            name, _, target = line.partition("=")
            out.append((name.strip(), target.split("[")[0].strip()))
    return sorted(out)


def _vkey(v: str) -> tuple:
    return tuple(int(x) for x in v.split("."))


def download_wheels(requirements: list[Path], minor: str, subdir: str) -> Path:
    """Wheels (with dependencies) for one CPython minor version, cached by the requirements' content."""
    text = "".join(p.read_text() for p in requirements)
    key = sha256_bytes(f"{minor} {subdir}\n{text}".encode())[:16]
    dest = CACHE / "conda-wheels" / f"{minor}-{subdir}-{key}"
    if (dest / ".stamp").is_file():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    argv = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
            "--python-version", minor, "--implementation", "cp", "--dest", str(dest)]
    for plat in WHEEL_PLATFORMS[subdir]:
        argv += ["--platform", plat]
    for r in requirements:
        argv += ["-r", str(r)]
    log(f"downloading wheels for CPython {minor} ({subdir}): {' '.join(r.name for r in requirements)}")
    subprocess.run(argv, check=True, stdout=sys.stderr, env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"})
    (dest / ".stamp").write_text(key + "\n")
    return dest


def index_channel(channel: Path) -> None:
    from rattler.index import index_fs
    for subdir in ("noarch", "linux-64"):
        (channel / subdir).mkdir(parents=True, exist_ok=True)
    result = index_fs(channel, force=True, write_zst=False, write_shards=False)
    if asyncio.iscoroutine(result):
        asyncio.run(result)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", "-r", type=Path, action="append", default=[])
    parser.add_argument("--channel", default="conda-forge", help="channel name under <mirror>/conda (default conda-forge)")
    parser.add_argument("--mirror", type=Path, default=MIRROR)
    args = parser.parse_args(argv)
    channel = args.mirror / "conda" / args.channel
    before = {p.name for p in channel.glob("*/*.tar.bz2")}
    pythons = prebuilt_tarballs(args.mirror)
    if not pythons:
        raise SystemExit("conda_channel.py: no prebuilt CPython in the mirror: run mirror/setup.sh first")
    for version, subdir, tgz in pythons:
        python_package(version, subdir, tgz, channel)
    versions = sorted({v for v, _, _ in pythons}, key=_vkey)
    if args.requirements:
        for subdir in sorted({s for _, s, _ in pythons}):
            in_subdir = [v for v, s, _ in pythons if s == subdir]
            for minor in sorted({".".join(v.split(".")[:2]) for v in in_subdir}, key=_vkey):
                wheels = download_wheels([r.resolve() for r in args.requirements], minor, subdir)
                for whl in sorted(wheels.glob("*.whl")):
                    wheel_package(whl, channel, subdir, versions)
    after = {p.name for p in channel.glob("*/*.tar.bz2")}
    if after != before or not (channel / "noarch" / "repodata.json").is_file():
        index_channel(channel)
        log(f"indexed {channel} ({len(after)} packages, {len(after - before)} new)")
    else:
        log(f"{channel} is up to date ({len(after)} packages)")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # py-rattler 0.28's runtime threads can crash the interpreter's teardown: skip it.
    os._exit(code)
