"""pycnb/django-collectstatic: detect."""
from __future__ import annotations

import re

from libbuild import BuildPlan, DetectContext, DetectResult, Require, UserError, appfiles, opt_in, opt_out

# Where an app names its dependencies: manifests and the lock files of every manager.
MANIFESTS = ("requirements.txt", "Pipfile", "Pipfile.lock", "pyproject.toml", "poetry.lock", "uv.lock")
# "django" as a whole distribution name (not django-environ, not mydjango).
# Locks of large apps outgrow appfiles' manifest limit.
_LOCK_LIMIT = 16 * 1024 * 1024
_DJANGO = re.compile(r"(?<![\w.-])django(?![\w.-])", re.IGNORECASE)


def names_django(ctx: DetectContext) -> str:
    """The first manifest that names Django, or ""."""
    for name in MANIFESTS:
        try:
            text = appfiles.read_optional_text(ctx.app_dir, name, limit=_LOCK_LIMIT)
        except UserError:
            continue  # the install buildpack reports an unreadable manifest
        if text and _DJANGO.search(text):
            return name
    return ""


def detect(ctx: DetectContext) -> DetectResult:
    if ctx.flag("BP_DISABLE_COLLECTSTATIC"):
        return opt_out("BP_DISABLE_COLLECTSTATIC is set")
    if not appfiles.exists(ctx.app_dir, "manage.py"):
        return opt_out("no manage.py")
    manifest = names_django(ctx)
    if not manifest:
        return opt_out("manage.py, but no manifest names Django")
    return opt_in(f"found manage.py and Django in {manifest}",
                  BuildPlan(requires=[Require("site-packages", {"build": True})]))
