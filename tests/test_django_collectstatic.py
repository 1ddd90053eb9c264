"""django-collectstatic with a real Django (from the wheel cache) in a real venv."""
import os
import subprocess
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
DJANGO_WHEELS = CACHE / "wheels" / "django"
BUILD = {"build": True}

MANAGE = '''import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
'''
SETTINGS = '''SECRET_KEY = "test"
INSTALLED_APPS = {apps}
STATIC_URL = "static/"
{root}STATICFILES_DIRS = ["assets"]
'''


def _venv(path: Path, *packages: str) -> Path:
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(path)], check=True)
    if packages:
        subprocess.run(["python3", "-m", "pip", "--python", str(path / "bin" / "python"), "install", "--quiet",
                        "--no-index", "--find-links", str(DJANGO_WHEELS), *packages], check=True)
    return path


@pytest.fixture(scope="module")
def django_venv(tmp_path_factory):
    assert (DJANGO_WHEELS / ".stamp").exists(), "django wheels missing: run `make test-unit` (make wheels-poetry)"
    return _venv(tmp_path_factory.mktemp("django") / "venv", "django")


def django_app(tree, venv, apps='["django.contrib.staticfiles"]', root='STATIC_ROOT = "staticfiles"\n', extra=""):
    tree.write("manage.py", MANAGE)
    tree.write("site_settings.py", SETTINGS.format(apps=apps, root=root) + extra)
    tree.write("assets/site.css", "body { color: teal }\n")
    tree.write("requirements.txt", "Django==5.2.19\n")
    tree.set_env("VIRTUAL_ENV", str(venv))


def test_detect_needs_manage_py_and_django_named_by_a_manifest(tree):
    tree.write("requirements.txt", "django-environ\nmydjango\n")
    assert tree.detect("django-collectstatic").code == 100
    tree.write("manage.py", MANAGE)
    run = tree.detect("django-collectstatic")
    assert run.code == 100 and "no manifest names Django" in run.output
    tree.write("poetry.lock", '[[package]]\nname = "django"\nversion = "5.2.19"\n')
    run = tree.detect("django-collectstatic")
    assert run.code == 0 and run.plan() == {"requires": [{"name": "site-packages", "metadata": BUILD}]}
    tree.set_env("BP_DISABLE_COLLECTSTATIC", "true")
    assert tree.detect("django-collectstatic").code == 100


def test_collects_static_files_into_the_app(tree, django_venv):
    django_app(tree, django_venv)
    run = tree.build("django-collectstatic", [("site-packages", BUILD)])
    assert run.code == 0, run.output
    assert (tree.app / "staticfiles" / "site.css").read_text() == "body { color: teal }\n"
    assert "1 static file copied" in run.output


def test_skips_without_the_staticfiles_app(tree, django_venv):
    django_app(tree, django_venv, apps="[]")
    run = tree.build("django-collectstatic", [("site-packages", BUILD)])
    assert run.code == 0, run.output
    assert "django.contrib.staticfiles is not in INSTALLED_APPS: nothing to collect" in run.output
    assert not (tree.app / "staticfiles").exists()


def test_skips_when_django_is_not_installed(tree, tmp_path):
    django_app(tree, _venv(tmp_path / "empty"))
    run = tree.build("django-collectstatic", [("site-packages", BUILD)])
    assert run.code == 0 and "Django is not installed: nothing to collect" in run.output


def test_failing_collectstatic_shows_djangos_message_without_frames(tree, django_venv):
    django_app(tree, django_venv, root="")
    run = tree.build("django-collectstatic", [("site-packages", BUILD)])
    assert run.code == 1
    assert "ERROR: `manage.py collectstatic --noinput` failed:" in run.output
    assert "You're using the staticfiles app without having set the STATIC_ROOT setting" in run.output
    assert "BP_DISABLE_COLLECTSTATIC=true" in run.output
    assert "Traceback" not in run.output and 'File "' not in run.output


def test_broken_settings_module_shows_djangos_message(tree, django_venv):
    django_app(tree, django_venv, extra="import no_such_module\n")
    run = tree.build("django-collectstatic", [("site-packages", BUILD)])
    assert run.code == 1
    assert "ERROR: Django could not load the app's settings:" in run.output
    assert "ModuleNotFoundError: No module named 'no_such_module'" in run.output
    assert "Traceback" not in run.output and 'File "' not in run.output
