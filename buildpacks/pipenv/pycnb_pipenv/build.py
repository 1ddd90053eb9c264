"""pycnb/pipenv: build."""
from __future__ import annotations

import os

from libbuild import BuildContext, BuildResult, errors, interpreter, venv
from libbuild.pipconfig import PipConfig
from libbuild.versions import parse_version


def build(ctx: BuildContext) -> BuildResult:
    version = ctx.setting("BP_PIPENV_VERSION") or ctx.buildpack.metadata["default-versions"]["pipenv"]
    if parse_version(version) is None:
        raise errors.invalid_setting("BP_PIPENV_VERSION", version, "a pipenv version such as 2026.10.3")
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, ctx.list_setting("BP_PIP_FIND_LINKS"))
    python = interpreter.probe(config.environ, ctx.log)
    layer = ctx.layers.cached("pipenv", {"version": version, "python": python["version"]}, build=True, cache=True)
    if not layer.reused:
        with ctx.log.section(f"Installing pipenv {version} from {config.describe_index()}"):
            home = layer.path / "venv"
            venv.create(home, config, ctx.log)
            venv.pip_install(home, [f"pipenv=={version}"], config, ctx.log, cwd=ctx.app_dir)
            (layer.path / "bin").mkdir()
            os.symlink("../venv/bin/pipenv", layer.path / "bin" / "pipenv")
    return BuildResult()
