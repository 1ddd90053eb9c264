"""pycnb/pipenv-install: build."""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from libbuild import BuildContext, BuildResult, appfiles, errors, execute, interpreter, tomlfile, venv
from libbuild.pipconfig import PipConfig
from libbuild.python import failures, manager

from . import pipfile


def build(ctx: BuildContext) -> BuildResult:
    ctx.log.info(manager.chosen(ctx.app_dir, ctx.settings).note())
    if appfiles.exists(ctx.app_dir, "requirements.txt"):
        ctx.log.info("Both Pipfile and requirements.txt are present: installing from Pipfile.lock with pipenv; "
                     "requirements.txt is ignored")
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
                execute.run(["pipenv", "verify"], ctx.log, cwd=ctx.app_dir, env=env, quiet=True,
                            explain=lambda out: errors.lock_out_of_date() if any("out-of-date" in o for o in out) else None)
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

        def locked_requirements() -> list[str]:
            exported = execute.run(["pipenv", "requirements", "--hash"], ctx.log, cwd=ctx.app_dir, env=env, quiet=True)
            locked = scratch / "locked-requirements.txt"
            locked.write_text("\n".join(_without_lock_sources(exported, config, ctx)) + "\n")
            return ["--no-deps", "-r", str(locked)]

        venv.packages_layer(ctx, metadata, "Installing locked packages", config, python["version"], locked_requirements)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BuildResult()


def _without_lock_sources(lines: list[str], config: PipConfig, ctx: BuildContext) -> list[str]:
    """The lock names its index (`-i ...`); an index the platform configured wins over it."""
    if not config.has_platform_index():
        return lines
    kept = [line for line in lines if not line.startswith(("-i ", "--index-url", "--extra-index-url"))]
    if len(kept) != len(lines):
        ctx.log.info("Using the index the platform configured instead of the sources in Pipfile.lock")
    return kept


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
