"""pycnb/poetry-install: detect."""
from __future__ import annotations

from typing import Optional

from libbuild import BuildPlan, DetectContext, DetectResult, Require, UserError, appfiles, opt_in, opt_out

from .project import Project


def not_chosen(ctx: DetectContext) -> Optional[str]:
    """Why Poetry does not install this app (None: it does). The package-manager rule of
    libbuild/python plugs in here."""
    return None if appfiles.exists(ctx.app_dir, "poetry.lock") else "no poetry.lock"


def detect(ctx: DetectContext) -> DetectResult:
    reason = not_chosen(ctx)
    if reason:
        return opt_out(reason)
    cpython = {"build": True}
    requires = [Require("cpython", cpython), Require("poetry", {"build": True})]
    try:
        project = Project.read(ctx.app_dir)
    except UserError:
        project = None  # the build reports an unreadable or missing pyproject.toml with its fix
    if project is not None:
        version = project.plan_version()
        if version:
            cpython.update(version=version, **{"version-source": "pyproject.toml"})
        command = start_command(ctx, project)
        if command:
            # python-start provides `start-command`: its default web process becomes this script.
            requires.append(Require("start-command", {"command": command, "launch": True}))
    return opt_in("found poetry.lock", BuildPlan(provides=["site-packages"], requires=requires))


def start_command(ctx: DetectContext, project: Project) -> Optional[str]:
    """BP_POETRY_RUN_TARGET, else the project's only script — when the project is installed."""
    if not project.package_mode:
        return None
    target = ctx.setting("BP_POETRY_RUN_TARGET")
    if target:
        return target
    return next(iter(project.scripts)) if len(project.scripts) == 1 else None
