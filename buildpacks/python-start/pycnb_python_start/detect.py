"""pycnb/python-start: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, UserError, opt_in, opt_out
from libbuild.python import manager


# Files that make a directory a Python app even without a top-level *.py file.
MANIFESTS = ("requirements.txt", "Pipfile", "Pipfile.lock", "pyproject.toml", "uv.lock", "poetry.lock", "setup.py",
             "setup.cfg", "environment.yml", "environment.yaml", "package-list.txt", "conda-lock.yml", "pixi.lock",
             ".python-version", "runtime.txt")

_LAUNCH = {"launch": True}


def detect(ctx: DetectContext) -> DetectResult:
    found = next((m for m in MANIFESTS if (ctx.app_dir / m).is_file()), None)
    if found is None:
        found = next((p.name for p in sorted(ctx.app_dir.glob("*.py")) if p.is_file()), None)
    if found is None:
        return opt_out("no *.py file or Python manifest")
    try:
        manager.chosen(ctx.app_dir, ctx.settings)
    except UserError as exc:
        # The install buildpacks report it; a group without one must not pass in their place.
        return opt_out(f"no package manager can be chosen ({exc.message})")
    # Installed packages first: when an install buildpack provides them they must be in the
    # image, even if another buildpack (django-collectstatic) already requires them at build.
    plan = BuildPlan(
        requires=[Require("cpython", dict(_LAUNCH)), Require("site-packages", dict(_LAUNCH))],
        alternatives=[
            BuildPlan(requires=[Require("cpython", dict(_LAUNCH))]),
            BuildPlan(requires=[Require("conda-environment", dict(_LAUNCH))]),
        ])
    return opt_in(f"found {found}", plan)
