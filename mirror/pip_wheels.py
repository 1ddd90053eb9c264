#!/usr/bin/env python3
"""Put the pip wheels of the pip buildpack's catalog into the local mirror.

Each `id = "pip"` entry of buildpacks/pip/buildpack.toml names the wheel's URI on the
package index's file host and its sha256. The wheel is downloaded by pip itself (`pip
download`, through whatever index and proxy this machine's pip is configured for; pip checks
the index's own hash), then checked against the catalog's sha256 — a mismatch is refused —
and stored at <mirror>/<host>/<path of the URI>, where BP_DEPENDENCY_MIRROR finds it.
Standard library only. Prints "<sha256>  <path>" per wheel.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_sources import MirrorError, mirror_path, sha256_of, tomllib  # noqa: E402


def main(argv: Optional[list[str]] = None) -> int:
    cache = Path(os.environ.get("PYCNB_CACHE") or Path.home() / ".cache" / "pycnb")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--mirror", type=Path, default=Path(os.environ.get("PYCNB_MIRROR_ROOT") or cache / "mirror"))
    args = parser.parse_args(argv)
    try:
        with open(args.catalog, "rb") as fh:
            entries = [d for d in tomllib.load(fh)["metadata"]["dependencies"] if d["id"] == "pip"]
        for d in entries:
            sha = d["checksum"].split(":", 1)[1]
            dest = mirror_path(args.mirror, d["uri"])
            if not (dest.is_file() and sha256_of(dest) == sha):
                fetch(d["version"], d["uri"], sha, d.get("requires-python", ""), dest)
            print(f"{sha}  {dest}")
    except MirrorError as exc:
        print(f"[mirror] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


def fetch(version: str, uri: str, sha: str, requires_python: str, dest: Path) -> None:
    name = uri.rsplit("/", 1)[1]
    # The lowest Python the wheel supports, so pip does not refuse it for the host's Python.
    python = requires_python.removeprefix(">=").split(",")[0].strip() or "3"
    print(f"[mirror] pip download pip=={version} ({name})", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="pycnb-pip-wheel-") as tmp:
        env = {**os.environ, "PIP_FIND_LINKS": "", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--python-version", python, "--dest", tmp, f"pip=={version}"]
        if subprocess.run(cmd, env=env, stdout=sys.stderr).returncode != 0:
            raise MirrorError(f"pip download pip=={version} failed")
        got = Path(tmp) / name
        if not got.is_file():
            raise MirrorError(f"pip download pip=={version} did not produce {name}")
        actual = sha256_of(got)
        if actual != sha:
            raise MirrorError(f"refusing {name}: sha256 {actual} is not the catalog's {sha}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(got, 0o644)
        shutil.move(str(got), dest.with_name(dest.name + ".part"))
        os.replace(dest.with_name(dest.name + ".part"), dest)


if __name__ == "__main__":
    sys.exit(main())
