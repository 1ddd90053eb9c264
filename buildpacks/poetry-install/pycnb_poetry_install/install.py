"""pycnb/poetry-install: the install, when python3 is on the build."""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import BuildContext, appfiles, buildinputs, execute, interpreter, venv
from libbuild.descriptors import LayerDescriptor
from libbuild.pipconfig import PipConfig
from libbuild.python.pyproject import Project

from . import errors


# Locks of large apps (every file hash of every package) outgrow the manifest limit.
LOCK_LIMIT = 16 * 1024 * 1024


def install(ctx: BuildContext, inputs: Optional[str]) -> None:
    """Check the lock and install it into the `packages` layer (reused while unchanged);
    `inputs`, the build inputs stated at detect, are recorded when the layer is launch-only."""
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, ctx.list_setting("BP_PIP_FIND_LINKS"))
    python = interpreter.probe(config.environ, ctx.log)
    if not appfiles.exists(ctx.app_dir, "pyproject.toml"):
        raise errors.no_pyproject()
    project = Project.read(ctx.app_dir)
    lock = appfiles.read_bytes(ctx.app_dir, "poetry.lock", "poetry.lock", limit=LOCK_LIMIT)
    pyproject = appfiles.read_bytes(ctx.app_dir, "pyproject.toml", "pyproject.toml")
    scratch = Path(tempfile.mkdtemp(prefix="poetry-install-"))
    env = {**config.environ, "POETRY_CACHE_DIR": str(scratch / "cache"), "POETRY_CONFIG_DIR": str(scratch / "config"),
           "POETRY_DATA_DIR": str(scratch / "data"), "POETRY_VIRTUALENVS_CREATE": "false",
           "POETRY_VIRTUALENVS_IN_PROJECT": "false", "POETRY_VIRTUALENVS_PATH": str(scratch / "venvs"),
           "POETRY_NO_INTERACTION": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    metadata = {"lock": hashlib.sha256(lock).hexdigest()[:16], "pyproject": hashlib.sha256(pyproject).hexdigest()[:16],
                "python": python["version"], "pip": venv.pip_in_use(ctx, python), "index": config.fingerprint()[:16]}
    # Stated build inputs: the layer is launch-only and uncached, reused by metadata while they
    # and the interpreter are unchanged (pycnb/cpython then keeps python3 off the build).
    transient = bool(inputs) and not ctx.plan.wants("site-packages", "build")
    if transient:
        metadata[buildinputs.PLAN_KEY] = inputs
    try:
        with ctx.log.section("Checking poetry.lock"):
            if not project.allows(python["version"]):
                raise errors.python_mismatch(python["version"], project.python or "", project.python_source)
            previous = LayerDescriptor.read(ctx.layers_dir / "packages.toml")
            if previous is not None and previous.metadata == metadata:
                # The layer was built from exactly these files, after they passed this check.
                ctx.log.info("poetry.lock and pyproject.toml are unchanged since the last build")
            else:
                execute.run(["poetry", "check", "--lock", "--no-ansi"], ctx.log, cwd=ctx.app_dir, env=env, quiet=True,
                            explain=lambda out: errors.lock_out_of_sync() if any("poetry lock" in o for o in out) else None)
                ctx.log.info("poetry.lock is in sync with pyproject.toml")
            _check_run_target(ctx, project)

        def locked_requirements() -> list[str]:
            exported = scratch / "locked-requirements.txt"
            execute.run(["poetry", "export", "--only", "main", "--format", "requirements.txt", "--output", exported,
                         "--no-ansi"], ctx.log, cwd=ctx.app_dir, env=env, quiet=True)
            lines = exported.read_text().splitlines()
            kept = config.without_lock_sources(lines)
            if len(kept) != len(lines):
                ctx.log.info("Using the index the platform configured instead of the sources in poetry.lock")
            exported.write_text("\n".join(kept) + "\n")
            pinned = [line for line in kept if line.strip() and not line.startswith(("-", " "))]
            ctx.log.info(f"{len(pinned)} locked packages in the main group")
            return ["--no-deps", "-r", str(exported)] if pinned else []

        if not project.package_mode:
            ctx.log.info("package-mode = false: installing the dependencies only, not the project")
        venv.packages_layer(ctx, metadata, "Installing locked packages", config, python["version"], locked_requirements,
                            editable_project=ctx.app_dir if project.package_mode else None, cache=not transient)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _check_run_target(ctx: BuildContext, project: Project) -> None:
    target = ctx.setting("BP_POETRY_RUN_TARGET")
    if target and target not in project.scripts:
        raise errors.unknown_run_target(target, sorted(project.scripts))
    if not target and len(project.scripts) > 1:
        ctx.log.info(f"{len(project.scripts)} scripts in pyproject.toml: set BP_POETRY_RUN_TARGET to make one "
                     "the web process")
