#!/usr/bin/env python3
"""builder.toml for one distro (and optionally a registry's images), as `pack builder create` takes it.

builder.toml in the repo describes the bookworm builder; `make builder DISTRO=trixie` and
`make publish` need the same builder on other stack images. This writes
build/builder-<distro>[-<registry>][-env].toml with the images renamed and every path
absolute, and prints its path.

`--env-file FILE` bakes a platform's settings (NAME=VALUE lines: BP_DEPENDENCY_MIRROR,
PIP_INDEX_URL, ...) into the builder as `[[build.env]]` defaults. The lifecycle applies them
at detect and build unless the user sets the same name, so an air-gapped platform's users run
a plain `pack build`: every `--env` makes pack save a temporary copy of the builder first
(about 0.3 s of every build). Credentials never go there: the builder is an image anyone who
builds can read, so a value with a URL password or a secret-looking name is refused (a
binding carries those).

Usage: tools/builder_config.py DISTRO [REGISTRY] [--env-file FILE]
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "build" / "vendor")]
from libbuild import tomlfile  # noqa: E402

DISTROS = {"bookworm": "12", "trixie": "13"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|(^|_)(API_)?KEY$|ACCESS_KEY", re.I)
_URL_PASSWORD = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\s]+:[^/@\s]*@")


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=VALUE lines (blank lines and # comments skipped), refused if one carries a credential."""
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise SystemExit(f"cannot read the builder's env file {path}: {e.strerror}")
    env: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not _NAME.fullmatch(name):
            raise SystemExit(f"{path}:{number}: expected NAME=VALUE (a letter or _ first, then letters, digits or _)")
        if _SECRET_NAME.search(name) or _URL_PASSWORD.search(value):
            raise SystemExit(f"{path}:{number}: {name} looks like a credential, and a builder's env is readable by "
                             "anyone who can pull the builder. Remove it from the file and give it to builds as a "
                             "binding (pack build --volume DIR:/platform/bindings/NAME) instead.")
        env[name] = value
    return env


def write(distro: str, registry: str = "", env: dict[str, str] | None = None) -> Path:
    if distro not in DISTROS:
        raise SystemExit(f"unknown DISTRO {distro!r}: expected one of {', '.join(DISTROS)}")
    config = tomlfile.read(REPO / "builder.toml")
    prefix = f"{registry.rstrip('/')}/" if registry else ""
    config["build"]["image"] = f"{prefix}pycnb/build:{distro}"
    if env:
        # "default": the user's own --env (or project.toml) still wins over the platform's value.
        config["build"]["env"] = [{"name": k, "value": v, "suffix": "default"} for k, v in sorted(env.items())]
    config["run"]["images"] = [{"image": f"{prefix}pycnb/run:{distro}"}]
    config["description"] = re.sub(r"Debian \w+", f"Debian {distro}", config.get("description", ""))
    for bp in config["buildpacks"]:
        bp["uri"] = str((REPO / bp["uri"]).resolve())
    config["lifecycle"]["uri"] = str((REPO / config["lifecycle"]["uri"]).resolve())
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", registry) if registry else ""
    path = REPO / "build" / f"builder-{distro}{'-' + slug if slug else ''}{'-env' if env else ''}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    tomlfile.write(path, config)
    return path


def main(argv: list[str]) -> int:
    args, env = [], None
    rest = iter(argv)
    for arg in rest:
        if arg == "--env-file":
            env_file = next(rest, "")
            if env_file:  # an empty BUILD_ENV= from make means none
                env = read_env_file(Path(env_file))
        else:
            args.append(arg)
    if not 1 <= len(args) <= 2:
        raise SystemExit("usage: tools/builder_config.py DISTRO [REGISTRY] [--env-file FILE]")
    print(write(args[0], args[1] if len(args) > 1 else "", env))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
