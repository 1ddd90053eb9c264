"""pycnb/django-collectstatic: build."""
from __future__ import annotations

import os
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

from libbuild import BuildContext, BuildResult, UserError, execute

from . import errors

_HAS_DJANGO = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('django') else 3)"


def build(ctx: BuildContext) -> BuildResult:
    env = dict(ctx.settings)
    python = os.path.join(env["VIRTUAL_ENV"], "bin", "python") if env.get("VIRTUAL_ENV") else "python3"
    with ctx.log.section("Collecting static files"):
        try:
            execute.run([python, "-c", _HAS_DJANGO], ctx.log, cwd=ctx.app_dir, env=env, quiet=True)
        except UserError:
            ctx.log.info("Django is not installed: nothing to collect")
            return BuildResult()
        help_out = _manage(ctx, python, env, ["help", "collectstatic"], errors.settings_broken, allow_unknown=True)
        if help_out is None:
            ctx.log.info("django.contrib.staticfiles is not in INSTALLED_APPS: nothing to collect")
            return BuildResult()
        out = _manage(ctx, python, env, ["collectstatic", "--noinput"], errors.collectstatic_failed)
        ctx.log.info(next((line for line in reversed(out) if line.strip()), "collectstatic done"))
    return BuildResult()


def _manage(ctx: BuildContext, python: str, env: dict[str, str], args: list[str],
            error: Callable[[str], UserError], allow_unknown: bool = False):
    """Output of `manage.py <args>`; None for an unknown command when `allow_unknown`.
    A failure becomes `error` with Django's own message, without Python frames."""
    unknown = []

    def explain(output: list[str]) -> UserError | None:
        if allow_unknown and any(line.startswith("Unknown command:") for line in output) and \
                not any("No Django settings specified" in line for line in output):
            unknown.append(True)
            return UserError("", "")
        return error(django_message(output))
    try:
        return execute.run([python, "manage.py", *args], ctx.log, cwd=ctx.app_dir, env=env, quiet=True, explain=explain)
    except UserError:
        if unknown:
            return None
        raise


def django_message(output: list[str]) -> str:
    """The exception lines of a traceback (or the last lines of output): what Django said."""
    start = max((i for i, line in enumerate(output) if line.startswith("Traceback (most recent call last)")), default=-1)
    said = [line for line in output[start + 1:]
            if line.strip() and not line.startswith((" ", "\t", "Traceback (most recent call last)",
                                                     "During handling of the above exception",
                                                     "The above exception was the direct cause"))]
    return "\n    ".join(said[-3:]) or "(no output)"
