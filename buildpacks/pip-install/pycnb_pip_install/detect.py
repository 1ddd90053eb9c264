"""pycnb/pip-install: detect."""
from __future__ import annotations

import re

from libbuild import BuildPlan, DetectContext, DetectResult, Require, appfiles, opt_in, opt_out


def requirement_files(ctx) -> list[str]:
    """The named files, else requirements.txt if the app has anything by that name: a
    directory or a link leading outside the app passes detect, and build says what is wrong
    with it (never an image built silently without the packages)."""
    named = re.split(r"[,\s]+", ctx.setting("BP_PIP_REQUIREMENT", "") or "")
    return [n for n in named if n] or (["requirements.txt"] if appfiles.exists(ctx.app_dir, "requirements.txt") else [])


def detect(ctx: DetectContext) -> DetectResult:
    files = requirement_files(ctx)
    # pipper's own manifests (their packages come from an s3 binding; see s3inputs.py).
    files += [n for n in ("pipper.json", "pipper.yaml") if (ctx.app_dir / n).is_file()]
    if not files:
        return opt_out("no requirements.txt or pipper.json/pipper.yaml (and BP_PIP_REQUIREMENT is not set)")
    return opt_in(f"found {', '.join(files)}", BuildPlan(
        provides=["site-packages"], requires=[Require("cpython", {"build": True}), Require("pip", {"build": True})]))
