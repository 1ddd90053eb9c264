"""pycnb/pip-install: detect."""
from __future__ import annotations

import re

from libbuild import BuildPlan, DetectContext, DetectResult, Require, appfiles, opt_in, opt_out
from libbuild.python import manager

from . import project


def requirement_files(ctx) -> list[str]:
    """The named files, else requirements.txt if the app has anything by that name: a
    directory or a link leading outside the app passes detect, and build says what is wrong
    with it (never an image built silently without the packages)."""
    named = re.split(r"[,\s]+", ctx.setting("BP_PIP_REQUIREMENT", "") or "")
    return [n for n in named if n] or (["requirements.txt"] if appfiles.exists(ctx.app_dir, "requirements.txt") else [])


def installer(ctx) -> str:
    """pip, or uv when BP_PIP_INSTALLER=uv (checked again, with a message, at build)."""
    return (ctx.setting("BP_PIP_INSTALLER") or "pip").lower()


def installs_project(ctx) -> bool:
    """No requirement file nor pipper manifest, but a pyproject.toml project: install it."""
    return (not requirement_files(ctx) and not any((ctx.app_dir / n).is_file() for n in ("pipper.json", "pipper.yaml"))
            and project.is_project(ctx.app_dir))


def detect(ctx: DetectContext) -> DetectResult:
    files = requirement_files(ctx)
    # pipper's own manifests (their packages come from an s3 binding; see s3inputs.py).
    files += [n for n in ("pipper.json", "pipper.yaml") if appfiles.exists(ctx.app_dir, n)]
    if not files and project.is_project(ctx.app_dir):
        files = ["pyproject.toml (a project without a lock file)"]
    if not files:
        return opt_out("no requirements.txt, pipper.json/pipper.yaml or pyproject.toml project "
                       "(and BP_PIP_REQUIREMENT is not set)")
    why_not = manager.opt_out_reason(ctx.app_dir, ctx.settings, "pip")
    if why_not:
        return opt_out(why_not)
    requires = [Require("cpython", {"build": True}), Require("pip", {"build": True})]
    if installer(ctx) == "uv":
        requires.append(Require("uv", {"build": True}))
    return opt_in(f"found {', '.join(files)}; installer {installer(ctx)}", BuildPlan(provides=["site-packages"], requires=requires))
