"""pycnb/pip: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, errors, execute, interpreter
from libbuild.pipconfig import PipConfig
from libbuild.versions import parse_version


def build(ctx: BuildContext) -> BuildResult:
    wanted = ctx.setting("BP_PIP_VERSION")
    if wanted and parse_version(wanted) is None:
        raise errors.invalid_setting("BP_PIP_VERSION", wanted, "a pip version such as 24.2")
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, [])
    env = {**config.environ, "PIP_REQUIRE_VIRTUALENV": "0"}  # pip installs itself outside any venv
    python = interpreter.probe(env, ctx.log)
    layer = ctx.layers.cached("pip", {"pip": wanted or "bundled", "python": python["version"]}, build=True, cache=True)
    if not wanted:
        ctx.log.info(f"Using pip {python['pip']} bundled with CPython {python['version']} (no download)")
        layer.env.override("PYCNB_PIP_VERSION", python["pip"] or "", scope="build")
        return BuildResult()
    if not layer.reused:
        with ctx.log.section(f"Installing pip {wanted}"):
            execute.run(["python3", "-m", "pip", "install", "--user", "--no-warn-script-location", *config.install_args(),
                         f"pip=={wanted}"], ctx.log, env={**env, "PYTHONUSERBASE": str(layer.path)})
        # pip's --user scheme: `python3 -m pip` finds this pip before the bundled one.
        layer.env.override("PYTHONUSERBASE", str(layer.path), scope="build")
        layer.env.override("PYCNB_PIP_VERSION", wanted, scope="build")
    return BuildResult()
