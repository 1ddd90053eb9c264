"""pycnb/miniconda: build."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

from libbuild import BuildContext, BuildResult, buildinputs
from libbuild.conda import buildinputs as condainputs

from . import errors

DEPENDENCY = {"rattler": "py-rattler", "miniconda3": "miniconda3"}


def build(ctx: BuildContext) -> BuildResult:
    distribution = ctx.setting("BP_CONDA_DISTRIBUTION") or ctx.buildpack.metadata.get("default-distribution", "rattler")
    if distribution not in DEPENDENCY:
        raise errors.unknown_distribution(distribution)
    # Decided before the catalog is read (platform catalogs may be fetched): which conda installed
    # an unchanged environment does not matter, as before build inputs (conda-env's metadata has no
    # conda version either).
    if not needed_at_build(ctx, distribution):
        ctx.log.info("Nothing to do: no buildpack runs conda in this build (their build inputs are unchanged)")
        return BuildResult()
    dep = ctx.catalog.find(DEPENDENCY[distribution], "*", ctx.target)
    if dep is None:
        raise errors.no_installer(DEPENDENCY[distribution], f"{ctx.target.os}/{ctx.target.arch}")
    metadata = {"distribution": distribution, "version": dep.version, "checksum": dep.sha256[:16]}
    # Cached only while a requirer needs conda at every build: with build inputs, the next build
    # most likely needs no conda at all, so nothing is restored for it.
    # "at-build-env": a layer cached before that variable existed is rebuilt once.
    layer = ctx.layers.cached("conda", {**metadata, "at-build-env": condainputs.AT_BUILD_ENV}, build=True,
                              cache=buildinputs.planned(ctx.plan.named("conda")) is None)
    layer.env.override(condainputs.AT_BUILD_ENV, distribution, scope="build")
    if not layer.reused:
        from libbuild import archives  # not imported by a build that installs nothing
        with ctx.log.section(f"Installing {dep.display} ({distribution})"):
            if distribution == "rattler":
                archives.extract(ctx.fetcher().fetch(dep), layer.path / "site", label=dep.display)
            else:
                install_miniconda(ctx, ctx.fetcher().fetch(dep), layer.path)
    if distribution == "rattler":
        # Written every build: it names this buildpack's code, which a new builder may move.
        write_command(layer.path)
    layer.sbom = [dep.component()]
    ctx.log.info(f"conda: {layer.path / 'bin' / 'conda'} ({distribution} {dep.version})")
    return BuildResult()


def needed_at_build(ctx: BuildContext, distribution: str) -> bool:
    """Whether a later buildpack runs conda in this build. The requirers' build-input digests,
    the distribution, the target and its glibc are recorded in the launch-only `build-inputs`
    layer (empty: the record lives in the image's metadata, so no image means no record); while
    they are what the previous image recorded, nobody runs conda."""
    inputs = buildinputs.planned(ctx.plan.named("conda"))
    if inputs is None:
        return True  # a requirer needs conda at every build
    record = {"distribution": distribution, "target": ctx.target.describe(), "virtual-packages": _glibc(),
              buildinputs.PLAN_KEY: inputs}
    if ctx.layers.cached("build-inputs", record, launch=True).reused:
        ctx.log.info("conda is not needed at build: the build inputs of every buildpack that runs it are unchanged")
        return False
    return True


def _glibc() -> str:
    import os
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or "unknown"
    except (ValueError, OSError, AttributeError):
        return "unknown"


def install_miniconda(ctx: BuildContext, installer: Path, prefix: Path) -> None:
    """Anaconda's batch mode: -b (no questions), -f (the layer directory exists), -p prefix."""
    from libbuild import execute
    execute.run(["bash", str(installer), "-b", "-f", "-p", str(prefix)], ctx.log, env=dict(ctx.settings), quiet=True)
    if not (prefix / "bin" / "conda").is_file():
        raise errors.no_installer("a working Miniconda3 (its installer wrote no bin/conda)", str(installer.name))


def write_command(layer: Path) -> None:
    """bin/conda: cli.py on the build image's python3 in isolated mode, with py-rattler from
    the layer and libbuild (and its vendored libraries) from this buildpack."""
    own = [p for p in sys.path if p and not p.startswith(sys.base_prefix)]
    path = ":".join([str(layer / "site"), *own])
    script = ("#!/bin/sh\n# conda of pycnb/miniconda (py-rattler); see pycnb_miniconda/cli.py for what it supports.\n"
              "exec /usr/bin/python3 -I -S -B -c 'import sys; sys.path[:0] = sys.argv[1].split(\":\"); "
              "from pycnb_miniconda.cli import run; run(sys.argv[2:])' "
              f"{shlex.quote(path)} \"$@\"\n")
    (layer / "bin").mkdir(exist_ok=True)
    target = layer / "bin" / "conda"
    target.write_text(script)
    target.chmod(0o755)
