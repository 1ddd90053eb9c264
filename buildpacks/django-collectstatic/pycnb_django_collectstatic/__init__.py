"""django-collectstatic: `manage.py collectstatic --noinput` at build time, with the app's
installed packages (the `packages` layer, asked for at build), so the collected files are
part of the app directory and so of the image.

Detect can only see the app: it passes for a `manage.py` whose manifests or locks name
Django. Build then asks the venv's python whether Django and its staticfiles app are
really there, and skips with a log line when not.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
