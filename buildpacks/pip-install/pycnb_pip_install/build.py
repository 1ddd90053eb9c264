"""pycnb/pip-install: build."""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from libbuild import BuildContext, BuildResult, interpreter, venv
from libbuild.pipconfig import PipConfig

from . import project, requirements, s3inputs
from .detect import installs_project, requirement_files
from .selection import Selection

SETTINGS = ("BP_PIP_REQUIREMENT", "BP_PIP_FIND_LINKS", "BP_PIP_PROHIBITED_PACKAGES", "BP_PIP_EXTERNAL_PACKAGES",
            "BP_PIP_EXTERNAL_VERSION_MATCHING")


def build(ctx: BuildContext) -> BuildResult:
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, ctx.list_setting("BP_PIP_FIND_LINKS"))
    python = interpreter.probe(config.environ, ctx.log)
    pip_version = venv.pip_in_use(ctx, python)
    if installs_project(ctx):
        return _build_project(ctx, config, python, pip_version)
    scratch = tempfile.TemporaryDirectory(prefix="pip-install-")
    from_s3 = s3inputs.prepare(ctx, config)  # s3 wheelhouses and pipper packages, if any

    with ctx.log.section("Reading requirements"):
        top = [ctx.app_dir / name for name in requirement_files(ctx)]
        files = requirements.read_all(top, ctx.app_dir,
                                      "BP_PIP_REQUIREMENT" if ctx.setting("BP_PIP_REQUIREMENT") else "the build")
        selection = Selection(ctx.list_setting("BP_PIP_PROHIBITED_PACKAGES"), ctx.list_setting("BP_PIP_EXTERNAL_PACKAGES"),
                              ctx.flag("BP_PIP_EXTERNAL_VERSION_MATCHING"), python["distributions"])
        install_files = top
        if selection.active:
            dropped, copies = requirements.write_filtered(files, ctx.app_dir, Path(scratch.name), selection.reason_to_drop)
            for line, reason in dropped:
                ctx.log.info(f"Dropping {line.text!r} ({line.where(ctx.app_dir)}): {reason}")
            for note in selection.notes:
                ctx.log.info(note)
            install_files = [copies[p] for p in top]
        ctx.log.info(f"{sum(1 for ls in files.values() for line in ls if line.requirement)} requirements in "
                     f"{len(files)} file(s); installing from {config.describe_index()}")

    metadata = {
        "requirements": requirements.digest(files, ctx.app_dir)[:16],
        "local-sources": local_sources_digest(files, ctx.app_dir)[:16],
        "python": python["version"],
        "pip": pip_version,
        "settings": _digest({k: ctx.setting(k) for k in SETTINGS})[:16],
        "index": config.fingerprint()[:16],
        **from_s3.metadata,
    }
    # Externally provided packages must stay visible to the app.
    venv.packages_layer(ctx, metadata, "Installing requirements", config, python["version"],
                        lambda: [a for f in install_files for a in ("-r", str(f))] + from_s3.pip_args,
                        system_site_packages=bool(selection.externals))
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


def local_sources_digest(files, app: Path) -> str:
    """Contents of local directories that requirements install from (-e ., ./pkg), so that
    editing them rebuilds the layer."""
    h = hashlib.sha256()
    for lines in files.values():
        for line in lines:
            if not line.local:
                continue
            target = line.text.split()[-1] if line.text.startswith("-e") else line.text.split()[0]
            root = (app / target).resolve()
            if root.is_dir():
                for p in sorted(root.rglob("*")):
                    if p.is_file() and not {".git", "__pycache__", ".venv"} & set(p.parts):
                        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
            elif root.is_file():
                h.update(root.read_bytes())
    return h.hexdigest()
