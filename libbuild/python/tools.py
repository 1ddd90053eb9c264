"""A Python tool (pipenv, Poetry) for later buildpacks: a venv inside a build-only layer,
with only the tool's own command linked into the layer's `bin/`.

The venv's python is never on PATH, so later buildpacks keep using the app's CPython. When
every requirer states its build inputs (libbuild/buildinputs.py), the tool is installed only
in builds where python3 is on the build, and its layer is not cached: a code-only rebuild
then restores nothing for it.
"""
from __future__ import annotations

import os
TYPE_CHECKING = False

from .. import buildinputs, errors, interpreter, venv
from ..pipconfig import PipConfig
from ..versions import parse_version

if TYPE_CHECKING:
    from ..context import BuildContext
    from ..layers import Layer


def version_setting(ctx: "BuildContext", setting: str, tool: str) -> str:
    """The version `setting` asks for, else the buildpack's [metadata.default-versions]."""
    default = ctx.buildpack.metadata["default-versions"][tool]
    version = ctx.setting(setting) or default
    if parse_version(version) is None:
        raise errors.invalid_setting(setting, version, f"a {tool} version such as {default}")
    return version


def tool_layer(ctx: "BuildContext", tool: str, version: str, requirements: list[str]) -> "Layer":
    """The layer named `tool` holding `requirements` in a venv and `bin/<tool>`; reused while
    the requirements and the Python version are unchanged. Cached while some requirer needs
    the tool at every build; when all of them state build inputs, the next build most likely
    needs no tool at all, so nothing is kept for it."""
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, ctx.list_setting("BP_PIP_FIND_LINKS"))
    python = interpreter.probe(config.environ, ctx.log)
    metadata = {"version": version, "python": python["version"]}
    extras = [r for r in requirements if r != f"{tool}=={version}"]
    if extras:
        metadata["with"] = " ".join(extras)
    layer = ctx.layers.cached(tool, metadata, build=True, cache=buildinputs.planned(ctx.plan.named(tool)) is None)
    if not layer.reused:
        with ctx.log.section(f"Installing {tool} {version} from {config.describe_index()}"):
            home = layer.path / "venv"
            venv.create(home, config, ctx.log)
            venv.pip_install(home, requirements, config, ctx.log, cwd=ctx.app_dir)
            (layer.path / "bin").mkdir()
            os.symlink(f"../venv/bin/{tool}", layer.path / "bin" / tool)
    return layer
