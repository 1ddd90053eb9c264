"""pycnb/pip-install: detect."""
from __future__ import annotations

import re

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in, opt_out

from . import project


def requirement_files(ctx) -> list[str]:
    named = re.split(r"[,\s]+", ctx.setting("BP_PIP_REQUIREMENT", "") or "")
    return [n for n in named if n] or (["requirements.txt"] if (ctx.app_dir / "requirements.txt").is_file() else [])


def installs_project(ctx) -> bool:
    """No requirement file nor pipper manifest, but a pyproject.toml project: install it."""
    return (not requirement_files(ctx) and not any((ctx.app_dir / n).is_file() for n in ("pipper.json", "pipper.yaml"))
            and project.is_project(ctx.app_dir))


def detect(ctx: DetectContext) -> DetectResult:
    files = requirement_files(ctx)
    # pipper's own manifests (their packages come from an s3 binding; see s3inputs.py).
    files += [n for n in ("pipper.json", "pipper.yaml") if (ctx.app_dir / n).is_file()]
    if not files and project.is_project(ctx.app_dir):
        files = ["pyproject.toml (a project without a lock file)"]
    if not files:
        return opt_out("no requirements.txt, pipper.json/pipper.yaml or pyproject.toml project "
                       "(and BP_PIP_REQUIREMENT is not set)")
    return opt_in(f"found {', '.join(files)}", BuildPlan(
        provides=["site-packages"], requires=[Require("cpython", {"build": True}), Require("pip", {"build": True})]))
