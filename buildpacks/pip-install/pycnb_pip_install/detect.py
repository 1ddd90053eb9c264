"""pycnb/pip-install: detect."""
from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import BuildPlan, DetectContext, DetectResult, Require, appfiles, opt_in, opt_out
from libbuild import buildinputs
from libbuild.python import buildinputs as pyinputs
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


def build_inputs(ctx) -> Optional[str]:
    """What the packages layer depends on besides the interpreter (libbuild/python/buildinputs.py):
    while unchanged, nobody needs python3 at build. Only plain pip installs of requirement files
    are digested (pip or uv); pipper manifests (s3 inputs), vendored wheel directories and
    settings that name files or directories need python3 at every build."""
    files = requirement_files(ctx)
    # Settings naming files or directories: their contents are not hashed.
    named = ("BP_PIP_REQUIREMENT", "BP_PIP_FIND_LINKS", "PIP_FIND_LINKS", "PIP_REQUIREMENT", "PIP_CONSTRAINT")
    if installer(ctx) not in ("pip", "uv") or not files or any(ctx.setting(n) for n in named):
        return None
    return buildinputs.digest(ctx, files, absent=("pipper.json", "pipper.yaml", *pyinputs.WHEELHOUSE_DIRS),
                              includes=pyinputs.requirement_includes)


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
    build = {"build": True}
    inputs = build_inputs(ctx)
    if inputs:
        build[buildinputs.PLAN_KEY] = inputs
    requires = [Require("cpython", dict(build)), Require("pip", dict(build))]
    if installer(ctx) == "uv":
        requires.append(Require("uv", dict(build)))
    return opt_in(f"found {', '.join(files)}; installer {installer(ctx)}", BuildPlan(provides=["site-packages"], requires=requires))
