"""A Django app end to end: collectstatic at build, the collected files in the image."""
from __future__ import annotations

from conftest import app, pack_build, serve_and_get


def test_django_static_files_are_collected_into_the_image(tmp_path, images, mirror_env, tools_index):
    src = app(tmp_path, "django")
    image = images("django")
    build = pack_build(image, src, {**mirror_env, "PIP_INDEX_URL": tools_index.url()})
    assert build.code == 0
    assert "1 static file copied to '/workspace/staticfiles'" in build.output
    data, _ = serve_and_get(image)
    assert data["collected"] == ["site.css"] and data["css"] == "h1 { color: teal }\n"


def test_failing_collectstatic_fails_the_build_with_djangos_message(tmp_path, images, mirror_env, tools_index):
    src = app(tmp_path, "django")
    settings = src / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace('STATIC_ROOT = BASE_DIR / "staticfiles"\n', ""))
    build = pack_build(images("django-broken"), src, {**mirror_env, "PIP_INDEX_URL": tools_index.url()})
    assert build.code != 0 and "status code: 51" in build.output
    assert "ERROR: `manage.py collectstatic --noinput` failed:" in build.output
    assert "without having set the STATIC_ROOT setting to a filesystem path" in build.output
    assert "Traceback" not in build.output and 'File "' not in build.output
