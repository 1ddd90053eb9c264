"""Procfile: every `<type>: <command>` line becomes a process run through bash."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, DetectContext, DetectResult, opt_in, opt_out

from .procfile import parse


def detect(ctx: DetectContext) -> DetectResult:
    if (ctx.app_dir / "Procfile").is_file():
        return opt_in("found Procfile")
    return opt_out("no Procfile")


def build(ctx: BuildContext) -> BuildResult:
    with ctx.log.section("Reading Procfile"):
        processes = parse((ctx.app_dir / "Procfile").read_text(encoding="utf-8", errors="replace"))
    return BuildResult(processes=processes)
