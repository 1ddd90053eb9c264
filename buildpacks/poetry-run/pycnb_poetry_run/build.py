"""pycnb/poetry-run: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, Process
from libbuild.python.pyproject import Project


def build(ctx: BuildContext) -> BuildResult:
    script = Project.read(ctx.app_dir).start_script(ctx.setting("BP_POETRY_RUN_TARGET"))
    # poetry-install put the script into the packages venv, whose bin/ is on PATH at launch.
    return BuildResult(processes=[Process("web", [script], default=True)])
