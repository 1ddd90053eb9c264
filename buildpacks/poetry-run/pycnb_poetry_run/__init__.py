"""poetry-run: a Poetry project's one script (or BP_POETRY_RUN_TARGET) as the default `web`
process. It follows python-start in the Poetry group, so its `web` replaces python-start's;
a Procfile, later still, replaces both.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
