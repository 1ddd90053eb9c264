"""pycnb/uv-install: the install path, imported only when python3 is on the build (a
code-only rebuild whose build inputs are unchanged reuses the layer without it)."""
from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from pathlib import Path

from libbuild import BuildContext, BuildResult, appfiles, execute, interpreter, venv
from libbuild.pipconfig import PipConfig
from libbuild import buildinputs
from libbuild.python import uv

from . import errors, project

# Index settings the lock check must not see: it compares the lock with pyproject.toml only.
# Checking a lock that pins everything pyproject.toml asks for needs no network: when uv
# wants the network offline, it is resolving something the lock does not have.
_STALE, _NEEDS_NETWORK = "needs to be updated", re.compile(r"network (was|is|connectivity is) disabled", re.I)
_INDEX_VARS = ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS", "UV_NO_INDEX")


def install(ctx: BuildContext, inputs) -> BuildResult:
    """Check uv.lock against pyproject.toml and install it into the packages layer; `inputs`
    is detect's build-inputs digest (None: the layer is cached and not transient)."""
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, ctx.list_setting("BP_PIP_FIND_LINKS"))
    python = interpreter.probe(config.environ, ctx.log)
    env = uv.environ(config)
    uv_version = uv.version(env, ctx.log)
    interpreter_path = shutil.which("python3", path=env.get("PATH"))
    lock = appfiles.read_bytes(ctx.app_dir, "uv.lock", "uv.lock")
    data = project.pyproject(ctx.app_dir)
    from_platform = uv.has_platform_index(config)
    scratch = Path(tempfile.mkdtemp(prefix="uv-install-"))
    try:
        with ctx.log.section("Checking uv.lock"):
            check_python(ctx, data, python["version"])
            check_env = {k: v for k, v in env.items() if k not in _INDEX_VARS}
            check_env.update(UV_OFFLINE="1", UV_CACHE_DIR=str(scratch / "cache"))
            check_env.pop("UV_NO_CACHE", None)
            execute.run(["uv", "lock", "--check", "--python", interpreter_path], ctx.log, cwd=ctx.app_dir,
                        env=check_env, quiet=True,
                        explain=lambda out: errors.lock_stale() if any(_STALE in o or _NEEDS_NETWORK.search(o) for o in out) else None)
            ctx.log.info(f"uv.lock is up to date with pyproject.toml; installing with uv {uv_version} from "
                         + (config.describe_index() if from_platform else "the sources recorded in uv.lock"))

        metadata = {"lock": hashlib.sha256(lock).hexdigest()[:16],
                    "pyproject": hashlib.sha256(appfiles.read_bytes(ctx.app_dir, "pyproject.toml", "pyproject.toml")).hexdigest()[:16],
                    "python": python["version"], "uv": uv_version,
                    "index": config.fingerprint()[:16] if from_platform else "uv.lock"}
        # Stated build inputs: launch-only and uncached, reused by metadata while unchanged.
        transient = bool(inputs) and not ctx.plan.wants("site-packages", "build")
        if transient:
            metadata[buildinputs.PLAN_KEY] = inputs

        def sync(venv_dir: Path, _args: list[str], cache_dir: Path) -> None:
            run_env = {**uv.environ(config, cache_dir), "UV_PROJECT_ENVIRONMENT": str(venv_dir)}
            execute.run(["uv", "sync", "--locked", "--no-dev", "--python", str(venv_dir / "bin" / "python")], ctx.log,
                        cwd=ctx.app_dir, env=run_env, explain=lambda out: uv.explain_failure(out, config))

        def install_exported(venv_dir: Path, _args: list[str], cache_dir: Path) -> None:
            run_env = uv.environ(config, cache_dir)
            exported = scratch / "locked-requirements.txt"
            execute.run(["uv", "export", "--frozen", "--no-dev", "--no-header", "--format", "requirements-txt",
                         "--output-file", str(exported)], ctx.log, cwd=ctx.app_dir,
                        env={k: v for k, v in run_env.items() if k not in _INDEX_VARS}, quiet=True)
            execute.run(["uv", "pip", "install", "--python", str(venv_dir / "bin" / "python"), "--no-deps",
                         *uv.index_args(config), "-r", str(exported)], ctx.log, cwd=ctx.app_dir, env=run_env,
                        explain=lambda out: uv.explain_failure(out, config))

        venv.packages_layer(ctx, metadata, "Installing locked packages", config, python["version"], lambda: [],
                            installer=install_exported if from_platform else sync, cache_name="uv-cache",
                            cache=not transient)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BuildResult()


def check_python(ctx: BuildContext, data: dict, version: str) -> None:
    """.python-version, and the interpreter really installed, must be allowed by requires-python."""
    requires = project.requires_python(data)
    if not requires:
        return
    asked = project.python_version_file(ctx.app_dir)
    if asked and not project.allows(requires, asked):
        raise errors.python_outside(asked, ".python-version", requires)
    if not project.allows(requires, version):
        raise errors.python_outside(version, "the build's CPython", requires)
