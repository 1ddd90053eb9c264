"""pycnb/uv: build."""
from __future__ import annotations

import os

from libbuild import BuildContext, BuildResult, errors
from libbuild import buildinputs
from libbuild.python import buildinputs as pyinputs


def build(ctx: BuildContext) -> BuildResult:
    # Every requirer stated build inputs: while pycnb/cpython keeps python3 off the build they
    # are all unchanged and nothing runs uv; the layer is then not cached either.
    stated = buildinputs.planned(ctx.plan.named("uv")) is not None
    if stated and not pyinputs.python_at_build(ctx.environ):
        ctx.log.info("Nothing to do: no buildpack installs with uv in this build (their build inputs are unchanged)")
        return BuildResult()
    wanted = ctx.setting("BP_UV_VERSION") or ctx.buildpack.metadata["default-versions"]["uv"]
    source = "BP_UV_VERSION" if ctx.setting("BP_UV_VERSION") else "the buildpack's default"
    dep = ctx.catalog.find("uv", wanted, ctx.target, source)
    if dep is None:
        raise errors.no_matching_dependency("uv", wanted, source, ctx.catalog.versions("uv", ctx.target),
                                            f"{ctx.target.os}/{ctx.target.arch}")
    layer = ctx.layers.cached("uv", {"version": dep.version, "sha256": dep.sha256}, build=True, cache=not stated)
    if not layer.reused:
        with ctx.log.section(f"Installing uv {dep.version}"):
            ctx.fetcher().install(dep, layer.path / "wheel")
            binary = layer.path / "wheel" / f"uv-{dep.version}.data" / "scripts" / "uv"
            if not binary.is_file():
                raise errors.invalid_catalog(dep.origin, f"uv {dep.version} at {dep.uri} holds no uv binary")
            binary.chmod(0o755)
            (layer.path / "bin").mkdir()
            os.symlink(os.path.relpath(binary, layer.path / "bin"), layer.path / "bin" / "uv")
    else:
        ctx.log.info(f"Using uv {dep.version}")
    return BuildResult()
