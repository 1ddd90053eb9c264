#!/usr/bin/env python3
"""builder.toml for one distro (and optionally a registry's images), as `pack builder create` takes it.

builder.toml in the repo describes the bookworm builder; `make builder DISTRO=trixie` and
`make publish` need the same builder on other stack images. This writes
build/builder-<distro>[-<registry>].toml with the images renamed and every path absolute,
and prints its path.

Usage: tools/builder_config.py DISTRO [REGISTRY]
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "build" / "vendor")]
from libbuild import tomlfile  # noqa: E402

DISTROS = {"bookworm": "12", "trixie": "13"}


def write(distro: str, registry: str = "") -> Path:
    if distro not in DISTROS:
        raise SystemExit(f"unknown DISTRO {distro!r}: expected one of {', '.join(DISTROS)}")
    config = tomlfile.read(REPO / "builder.toml")
    prefix = f"{registry.rstrip('/')}/" if registry else ""
    config["build"]["image"] = f"{prefix}pycnb/build:{distro}"
    config["run"]["images"] = [{"image": f"{prefix}pycnb/run:{distro}"}]
    config["description"] = re.sub(r"Debian \w+", f"Debian {distro}", config.get("description", ""))
    for bp in config["buildpacks"]:
        bp["uri"] = str((REPO / bp["uri"]).resolve())
    config["lifecycle"]["uri"] = str((REPO / config["lifecycle"]["uri"]).resolve())
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", registry) if registry else ""
    path = REPO / "build" / f"builder-{distro}{'-' + slug if slug else ''}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    tomlfile.write(path, config)
    return path


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: tools/builder_config.py DISTRO [REGISTRY]")
    print(write(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""))
