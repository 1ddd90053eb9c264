#!/usr/bin/env python3
"""Publish the suite to an OCI registry, as a platform team does (`make publish REGISTRY=…`).

Pushes, for one distro:
  $REGISTRY/pycnb/build:<distro>, $REGISTRY/pycnb/run:<distro>      (+ :<suite version>-<distro>)
  $REGISTRY/pycnb/<buildpack>:<version> for every buildpack and the composite (buildpackages)
  $REGISTRY/pycnb/builder:<distro>                                   (+ :<suite version>-<distro>)
The published builder names the registry's build and run images, so any CNB platform
(pack, kpack, Tekton, the bare lifecycle) can use it without the local daemon.

Usage: tools/publish.py REGISTRY [DISTRO] [--env-file FILE]   (REGISTRY is host:port[/path]; DISTRO bookworm;
FILE: the platform's settings baked into the builder, as tools/builder_config.py takes them)
Needs `make package-dirs`, the stack images and the lifecycle tarball (make builder does all).
"""
from __future__ import annotations

import subprocess
import urllib.request
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "build" / "vendor"), str(REPO / "tools")]
from libbuild import tomlfile  # noqa: E402
from builder_config import read_env_file, write as builder_config  # noqa: E402


def log(text: str) -> None:
    print(f"[publish] {text}", file=sys.stderr, flush=True)


def run(*argv: str) -> None:
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:])
        raise SystemExit(f"[publish] ERROR: `{' '.join(argv)}` failed with exit code {proc.returncode}")


_MANIFEST_TYPES = ", ".join((
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json"))


def retag(registry: str, repo: str, src: str, dst: str) -> None:
    """Give a pushed manifest a second tag through the registry API (no pull, no re-push).
    Loopback registries speak plain HTTP, as Docker and pack assume for them."""
    host, _, prefix = registry.partition("/")
    base = f"http://{host}/v2/{prefix + '/' if prefix else ''}{repo}/manifests/"
    with urllib.request.urlopen(urllib.request.Request(base + src, headers={"Accept": _MANIFEST_TYPES})) as resp:
        body, media_type = resp.read(), resp.headers["Content-Type"]
    put = urllib.request.Request(base + dst, data=body, method="PUT", headers={"Content-Type": media_type})
    urllib.request.urlopen(put).close()


def suite_version() -> str:
    return tomlfile.read(REPO / "buildpacks" / "python" / "buildpack.toml")["buildpack"]["version"]


def push_stack(registry: str, distro: str, version: str) -> None:
    for kind in ("build", "run"):
        remote = f"{registry}/pycnb/{kind}:{distro}"
        run("docker", "tag", f"pycnb/{kind}:{distro}", remote)
        run("docker", "push", "--quiet", remote)
        run("docker", "rmi", remote)  # the local name stays; the registry holds the copy
        retag(registry, f"pycnb/{kind}", distro, f"{version}-{distro}")
        log(f"pushed {remote}")


def push_buildpacks(registry: str, out: Path) -> list[str]:
    """Every buildpack as a buildpackage image; the composite with its members."""
    refs = []
    for bp in sorted(p for p in out.iterdir() if (p / "buildpack.toml").is_file()):
        desc = tomlfile.read(bp / "buildpack.toml")["buildpack"]
        ref = f"{registry}/{desc['id']}:{desc['version']}"
        package_toml = out / f"{bp.name}.package.toml"
        source = ["--config", str(package_toml)] if package_toml.is_file() else ["--path", str(bp)]
        run("pack", "buildpack", "package", ref, *source, "--publish")
        refs.append(ref)
        log(f"pushed {ref}")
    return refs


def main(argv: list[str]) -> int:
    env_file = ""
    if "--env-file" in argv:
        at = argv.index("--env-file")
        env_file = argv[at + 1] if at + 1 < len(argv) else ""
        argv = argv[:at] + argv[at + 2:]
    env = read_env_file(Path(env_file)) if env_file else None
    if len(argv) < 2 or not argv[1]:
        print("usage: tools/publish.py REGISTRY [DISTRO]   (make publish REGISTRY=host:port[/path])",
              file=sys.stderr)
        return 2
    registry, distro = argv[1].rstrip("/"), (argv[2] if len(argv) > 2 else "bookworm")
    out = REPO / "build" / "buildpacks"
    start = time.monotonic()
    version = suite_version()
    push_stack(registry, distro, version)
    push_buildpacks(registry, out)
    config = builder_config(distro, registry, env)
    builder = f"{registry}/pycnb/builder:{distro}"
    run("pack", "builder", "create", builder, "--config", str(config), "--publish", "--pull-policy", "always")
    retag(registry, "pycnb/builder", distro, f"{version}-{distro}")
    log(f"pushed {builder} in {time.monotonic() - start:.1f}s")
    print(f"BUILDER={builder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
