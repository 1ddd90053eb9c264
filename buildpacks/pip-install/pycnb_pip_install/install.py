"""pycnb/pip-install: the install path, imported only when python3 is on the build (a
code-only rebuild whose build inputs are unchanged reuses the layer without it)."""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from libbuild import BuildContext, BuildResult, buildinputs, execute, interpreter, venv
from libbuild.pipconfig import APP_FILE_SETTINGS, PipConfig
from libbuild.python import uv

from . import local_sources, project, requirements, s3inputs
from .detect import installs_project, requirement_files
from .selection import Selection

SETTINGS = ("BP_PIP_REQUIREMENT", "PIP_REQUIREMENT", "PIP_CONSTRAINT", "BP_PIP_FIND_LINKS", "BP_PIP_PROHIBITED_PACKAGES", "BP_PIP_EXTERNAL_PACKAGES",
            "BP_PIP_EXTERNAL_VERSION_MATCHING")


def install(ctx: BuildContext, tool: str, inputs) -> BuildResult:
    """Install the requirements (or the project) with `tool` into the packages layer; `inputs`
    is detect's build-inputs digest (None: the layer is cached and not transient)."""
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, ctx.list_setting("BP_PIP_FIND_LINKS"))
    # pip decodes a requirements file without a BOM or coding line in the locale's encoding:
    # UTF-8 mode makes that the UTF-8 the buildpack checked.
    config.environ["PYTHONUTF8"] = "1"
    python = interpreter.probe(config.environ, ctx.log)
    pip_version = venv.pip_in_use(ctx, python) if tool == "pip" else None
    if installs_project(ctx):
        return _build_project(ctx, config, python, pip_version or venv.pip_in_use(ctx, python))
    scratch = tempfile.TemporaryDirectory(prefix="pip-install-")
    from_s3 = s3inputs.prepare(ctx, config)  # s3 wheelhouses and pipper packages, if any

    with ctx.log.section("Reading requirements"):
        # pip splits these settings on whitespace; they name files like -r and -c do.
        named = [(name, setting) for setting in APP_FILE_SETTINGS for name in (ctx.setting(setting) or "").split()]
        reqs = requirements.read_all(requirement_files(ctx), ctx.app_dir,
                                     "BP_PIP_REQUIREMENT" if ctx.setting("BP_PIP_REQUIREMENT") else "the requirements file",
                                     config.environ, named)
        options = ["-r"] * (len(reqs.top) - len(named)) + ["-r" if s == "PIP_REQUIREMENT" else "-c" for _, s in named]
        selection = Selection(ctx.list_setting("BP_PIP_PROHIBITED_PACKAGES"), ctx.list_setting("BP_PIP_EXTERNAL_PACKAGES"),
                              ctx.flag("BP_PIP_EXTERNAL_VERSION_MATCHING"), python["distributions"])
        install_files = reqs.top
        if selection.active or reqs.declared:
            # pip reads these copies: UTF-8, with dropped lines commented out.
            dropped, copies = requirements.write_filtered(reqs, ctx.app_dir, Path(scratch.name), selection.reason_to_drop)
            for line, reason in dropped:
                ctx.log.info(f"Dropping {line.text!r} ({line.where(ctx.app_dir)}): {reason}")
            for note in selection.notes:
                ctx.log.info(note)
            install_files = [copies[p] for p in reqs.top]
        ctx.log.info(f"{reqs.install_lines()} requirements in {len(reqs.files)} file(s); "
                     f"installing from {config.describe_index()}")

    metadata = {
        "requirements": requirements.digest(reqs, ctx.app_dir)[:16],
        "local-sources": local_sources.digest(reqs, ctx.app_dir, ctx.log)[:16],
        "python": python["version"],
        "pip": pip_version or "unused",
        "settings": _digest({k: ctx.setting(k) for k in SETTINGS})[:16],
        "index": config.fingerprint()[:16],
        **from_s3.metadata,
    }
    # Stated build inputs: the layer is launch-only and uncached, reused by metadata while they
    # and the interpreter are unchanged (pycnb/cpython then keeps python3 off the build).
    transient = bool(inputs) and not ctx.plan.wants("site-packages", "build")
    if transient:
        metadata[buildinputs.PLAN_KEY] = inputs
    uv_install = None
    if tool == "uv":
        metadata["installer"] = f"uv {uv.version(uv.environ(config), ctx.log)}"

        def uv_install(venv_dir: Path, args: list[str], cache_dir: Path) -> None:
            execute.run(["uv", "pip", "install", "--python", str(venv_dir / "bin" / "python"), *uv.index_args(config),
                         *args], ctx.log, cwd=ctx.app_dir, env=uv.environ(config, cache_dir),
                        explain=lambda out: uv.explain_failure(out, config))
    # Externally provided packages must stay visible to the app.
    venv.packages_layer(ctx, metadata, "Installing requirements" + (" with uv" if uv_install else ""), config,
                        python["version"],
                        lambda: [a for option, f in zip(options, install_files) for a in (option, str(f))] + from_s3.pip_args,
                        system_site_packages=bool(selection.externals), installer=uv_install,
                        cache_name="uv-cache" if uv_install else "pip-cache", cache=not transient)
    scratch.cleanup()
    return BuildResult()


def _build_project(ctx: BuildContext, config: PipConfig, python: dict, pip_version: str) -> BuildResult:
    ctx.log.warn("pyproject.toml has no lock file: dependencies are resolved afresh on every rebuild. "
                 "Commit a lock (uv.lock, poetry.lock, or a requirements.txt of pinned versions) for "
                 "reproducible builds.")
    metadata = {"pyproject": hashlib.sha256(project.read(ctx.app_dir)).hexdigest()[:16], "python": python["version"],
                "pip": pip_version, "settings": _digest({k: ctx.setting(k) for k in SETTINGS})[:16],
                "index": config.fingerprint()[:16]}
    venv.packages_layer(ctx, metadata, f"Installing the project and its dependencies from {config.describe_index()}",
                        config, python["version"], lambda: ["--editable", str(ctx.app_dir)])
    return BuildResult()


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
