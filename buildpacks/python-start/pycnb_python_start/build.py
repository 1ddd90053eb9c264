"""pycnb/python-start: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, Process


def build(ctx: BuildContext) -> BuildResult:
    commands = [str(e.metadata["command"]) for e in ctx.plan.named("start-command") if e.metadata.get("command")]
    if commands:
        ctx.log.info(f"Starting the project's script {commands[0]!r} (asked for by an install buildpack)")
        return BuildResult(processes=[Process("web", [commands[0]], default=True)])
    return BuildResult(processes=[Process("web", ["python"], default=True)])
