#!/usr/bin/env python3
"""Fetches the uv wheel that buildpacks/uv's catalog names (default version, this machine's
target) from the package index pip is configured for, checks it against the catalog's
sha256, and caches it in $PYCNB_CACHE/uv/<sha256>/<file>. Idempotent.

  fetch-uv.py                 prints the cached wheel's path
  fetch-uv.py --mirror DIR    also places it at DIR/<host>/<path> of its catalog URI, where
                              BP_DEPENDENCY_MIRROR=http://<mirror>/{originalHost} finds it
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
PLATFORM_TAG = {"amd64": "manylinux_2_17_x86_64", "arm64": "manylinux_2_17_aarch64"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entry(arch: str) -> dict:
    meta = tomllib.loads((REPO / "buildpacks" / "uv" / "buildpack.toml").read_text())["metadata"]
    version = meta["default-versions"]["uv"]
    for dep in meta["dependencies"]:
        if dep["id"] == "uv" and dep["version"] == version and any(t["arch"] == arch for t in dep["targets"]):
            return dep
    sys.exit(f"buildpacks/uv/buildpack.toml has no uv {version} for {arch}")


def fetch(dep: dict, arch: str) -> Path:
    want = dep["checksum"].split(":", 1)[1]
    name = Path(urllib.parse.urlparse(dep["uri"]).path).name
    cached = CACHE / "uv" / want / name
    if cached.is_file() and sha256(cached) == want:
        return cached
    print(f"fetching uv {dep['version']} ({arch}) with pip download", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--only-binary=:all:", "--platform", PLATFORM_TAG[arch], "--dest", tmp,
                        f"uv=={dep['version']}"], check=True, stdout=sys.stderr)
        got = Path(tmp) / name
        if not got.is_file():
            sys.exit(f"pip download gave {os.listdir(tmp)}, not {name}")
        if sha256(got) != want:
            sys.exit(f"{name}: sha256 {sha256(got)} differs from the catalog's {want}")
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(got, cached)
    return cached


def main(argv: list[str]) -> int:
    dep = entry(ARCH)
    wheel = fetch(dep, ARCH)
    if argv[:1] == ["--mirror"]:
        parsed = urllib.parse.urlparse(dep["uri"])
        dest = Path(argv[1]) / parsed.netloc / parsed.path.lstrip("/")
        if not (dest.is_file() and sha256(dest) == sha256(wheel)):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(wheel, dest)
    print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
