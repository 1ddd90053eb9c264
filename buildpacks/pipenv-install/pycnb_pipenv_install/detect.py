"""pycnb/pipenv-install: detect."""
from __future__ import annotations


from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in, opt_out
from libbuild.python import manager

from .pipfile import locked_python


def detect(ctx: DetectContext) -> DetectResult:
    if not (ctx.app_dir / "Pipfile").is_file():
        return opt_out("no Pipfile")
    why_not = manager.opt_out_reason(ctx.app_dir, ctx.settings, "pipenv")
    if why_not:
        return opt_out(why_not)
    cpython = {"build": True}
    version = locked_python(ctx.app_dir)
    if version:
        cpython.update(version=version[0], **{"version-source": version[1]})
    reason = "found Pipfile"
    if (ctx.app_dir / "requirements.txt").is_file():
        reason += "; requirements.txt is ignored because Pipfile takes precedence"
    return opt_in(reason, BuildPlan(provides=["site-packages"],
                                    requires=[Require("cpython", cpython), Require("pipenv", {"build": True})]))
