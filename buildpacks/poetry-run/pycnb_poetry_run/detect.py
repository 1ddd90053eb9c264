"""pycnb/poetry-run: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, UserError, appfiles, opt_in, opt_out
from libbuild.python.pyproject import Project

_LAUNCH = {"launch": True}


def detect(ctx: DetectContext) -> DetectResult:
    if not appfiles.exists(ctx.app_dir, "poetry.lock"):
        return opt_out("no poetry.lock")
    try:
        project = Project.read(ctx.app_dir)
    except UserError:
        return opt_out("pyproject.toml cannot be read (poetry-install reports why)")
    script = project.start_script(ctx.setting("BP_POETRY_RUN_TARGET"))
    if script is None:
        return opt_out("no single script in pyproject.toml, and BP_POETRY_RUN_TARGET is not set")
    return opt_in(f"the project's script {script!r} starts the app", BuildPlan(
        requires=[Require("cpython", dict(_LAUNCH)), Require("site-packages", dict(_LAUNCH))]))
