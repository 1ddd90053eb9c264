"""pycnb/pipenv-install: the install, when python3 is on the build."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import BuildContext, appfiles, buildinputs, errors, execute, interpreter, tomlfile, venv
from libbuild.pipconfig import PipConfig
from libbuild.python import failures

from . import lockhash, pipfile


def install(ctx: BuildContext, inputs: Optional[str]) -> None:
    """Check (or make) the lock and install it into the `packages` layer (reused while
    unchanged); `inputs`, the build inputs stated at detect, are recorded when the layer is
    launch-only."""
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, ctx.list_setting("BP_PIP_FIND_LINKS"))
    python = interpreter.probe(config.environ, ctx.log)
    scratch = Path(tempfile.mkdtemp(prefix="pipenv-install-"))
    env = {**config.environ, "PIPENV_VERBOSITY": "-1", "PIPENV_YES": "1", "PIPENV_NOSPIN": "1",
           "PIPENV_IGNORE_VIRTUALENVS": "1", "PIPENV_DONT_LOAD_ENV": "1", "WORKON_HOME": str(scratch / "venvs"),
           "PIPENV_PIPFILE": str(ctx.app_dir / "Pipfile")}
    try:
        with ctx.log.section("Checking Pipfile.lock"):
            pipfile_text = pipfile.check_files(ctx.app_dir)
            lock = pipfile.read_lock(ctx.app_dir)
            if lock is not None:
                _verify(ctx, lock[1], env)
                ctx.log.info("Pipfile.lock is up to date with Pipfile")
                lock_bytes = lock[0]
            else:
                ctx.log.warn("No Pipfile.lock: locking now. Commit a Pipfile.lock for reproducible builds.")
                (scratch / "lock").mkdir()
                # The text already read (and checked), not the app's file again.
                (scratch / "lock" / "Pipfile").write_text(pipfile_text, encoding="utf-8")
                env["PIPENV_PIPFILE"] = str(scratch / "lock" / "Pipfile")
                execute.run(["pipenv", "lock", "--python", "python3"], ctx.log, cwd=scratch / "lock", env=env,
                            explain=lambda out: failures.explain(out, config.describe_index(), "pipenv",
                                                                 _pipfile_sources(ctx), env))
                lock_bytes = (scratch / "lock" / "Pipfile.lock").read_bytes()

        metadata = {"lock": hashlib.sha256(lock_bytes).hexdigest()[:16], "python": python["version"],
                    "pip": venv.pip_in_use(ctx, python), "index": config.fingerprint()[:16]}
        # Stated build inputs: the layer is launch-only and uncached, reused by metadata while
        # they and the interpreter are unchanged (pycnb/cpython then keeps python3 off the build).
        transient = bool(inputs) and not ctx.plan.wants("site-packages", "build")
        if transient:
            metadata[buildinputs.PLAN_KEY] = inputs

        def locked_requirements() -> list[str]:
            exported = execute.run(["pipenv", "requirements", "--hash"], ctx.log, cwd=ctx.app_dir, env=env, quiet=True)
            locked = scratch / "locked-requirements.txt"
            kept = config.without_lock_sources(exported)
            if len(kept) != len(exported):
                ctx.log.info("Using the index the platform configured instead of the sources in Pipfile.lock")
            locked.write_text("\n".join(kept) + "\n")
            return ["--no-deps", "-r", str(locked)]

        venv.packages_layer(ctx, metadata, "Installing locked packages", config, python["version"], locked_requirements,
                            cache=not transient)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _pipfile_sources(ctx: BuildContext) -> list[str]:
    """The Pipfile's [[source]] URLs, for probing when pipenv's lock hides why it found nothing
    (URLs with ${VARIABLES} are pipenv's to expand: left out)."""
    try:
        data = tomlfile.loads(appfiles.read_text(ctx.app_dir, "Pipfile", "Pipfile"), "Pipfile")
    except errors.UserError:
        return []
    sources = data.get("source", [])
    urls = [s.get("url") for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []
    return [u for u in urls if isinstance(u, str) and "$" not in u]

def _verify(ctx: BuildContext, lock: dict, env: dict[str, str]) -> None:
    """The lock's hash must be the Pipfile's by the spec (lockhash.py); pipenv verify only
    judges when the spec's default source cannot be read from pipenv."""
    pipfile = tomlfile.loads(appfiles.read_text(ctx.app_dir, "Pipfile", "Pipfile"), "Pipfile")
    defaults = [] if "source" in pipfile else _default_sources(env, ctx)
    if defaults is not None and lockhash.locked_hash(lock) in lockhash.spec_hashes(pipfile, defaults):
        return
    if defaults is not None:
        raise errors.lock_out_of_date()
    execute.run(["pipenv", "verify"], ctx.log, cwd=ctx.app_dir, env=env, quiet=True,
                explain=lambda out: errors.lock_out_of_date() if any("out-of-date" in o for o in out) else None)


_DEFAULT_SOURCE = ("import json; from pipenv.vendor import tomlkit; "
                   "from pipenv.vendor.plette.pipfiles import DEFAULT_SOURCE_TOML as d; "
                   "print(json.dumps(tomlkit.loads(d).unwrap()['source']))")


def _default_sources(env: dict[str, str], ctx: BuildContext):
    """The source the spec assumes for a Pipfile without [[source]], as the pinned pipenv's
    plette defines it (None when it cannot say)."""
    pipenv = shutil.which("pipenv", path=env.get("PATH"))
    if pipenv is None:
        return None
    python = Path(os.path.realpath(pipenv)).parent / "python"
    try:
        out = execute.run([str(python), "-I", "-c", _DEFAULT_SOURCE], ctx.log, env=env, quiet=True)
        return json.loads(out[-1])
    except (errors.UserError, ValueError, IndexError):
        return None
