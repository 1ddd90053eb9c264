"""What django-collectstatic tells users when collectstatic cannot run."""
from __future__ import annotations

from libbuild.errors import UserError

_SKIP = "or set BP_DISABLE_COLLECTSTATIC=true to build without collecting static files"


def settings_broken(django_error: str) -> UserError:
    return UserError(
        "django-settings", f"Django could not load the app's settings:\n    {django_error}",
        "Fix the settings module manage.py names (DJANGO_SETTINGS_MODULE): it must import at build "
        f"time, without services or secrets the build does not have, {_SKIP}.")


def collectstatic_failed(django_error: str) -> UserError:
    return UserError(
        "django-collectstatic", f"`manage.py collectstatic --noinput` failed:\n    {django_error}",
        "Fix what Django names above (typically STATIC_ROOT, STATICFILES_DIRS or a storage setting) "
        f"until `python manage.py collectstatic --noinput` works in a fresh checkout, {_SKIP}.")
