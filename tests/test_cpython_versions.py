"""Versions people write, and version files that go wrong: each case is one message from a real
bin/build (detect passes, so the lifecycle shows the build's message), never a traceback."""
from __future__ import annotations

import pytest

from test_cpython import BOTH, catalog  # noqa: F401  (the fake prebuilt catalog fixture)


def build(tree, **extra):
    detect = tree.detect("cpython")
    assert detect.code == 0, detect.output
    run = tree.build("cpython", [("cpython", BOTH)], **extra)
    assert "Traceback" not in run.output
    return run


def failure(tree, message: str):
    run = build(tree)
    assert run.code == 1, run.output
    assert run.output.count("ERROR:") == 1, run.output
    assert message in run.output, run.output
    assert not (run.layers / "cpython.toml").exists()
    return run


@pytest.mark.parametrize("written,selected", [
    ("3", "3.15.0 (source"), ("3.14", "3.14.8 (prebuilt"), ("3.13.5", "3.13.5 (prebuilt"), ("3.11", "3.11.17 (source"),
    ("==3.12.*", "3.12.15 (source"), (">=3.13", "3.15.0 (source"), (">=3.11,<3.14", "3.13.16 (source"),
    ("~=3.14.0", "3.14.8 (prebuilt"),
])
def test_versions_people_write_resolve_to_the_newest_match(tree, catalog, written, selected):
    tree.set_env("BP_CPYTHON_VERSION", written)
    tree.set_env("BP_DEPENDENCY_MIRROR", "file:///nonexistent/{originalHost}")  # never compile here
    run = build(tree)
    assert f"Using version {written!r} from BP_CPYTHON_VERSION" in run.output
    assert f"Selected CPython {selected}" in run.output, run.output
    if "(source" in selected:  # announced, then the (unreachable) download fails: no silent compile
        assert "compiling from source, which takes several minutes" in run.output
        assert run.code == 1 and "could not download CPython" in run.output
    else:
        assert run.code == 0, run.output


def test_requires_python_in_pyproject(tree, catalog):
    tree.write("pyproject.toml", '[project]\nname = "app"\nrequires-python = ">=3.14,<3.15"\n')
    run = build(tree)
    assert run.code == 0 and "Using version '>=3.14,<3.15' from pyproject.toml" in run.output
    assert "Selected CPython 3.14.8 (prebuilt" in run.output


def test_comments_and_blank_lines_are_ignored(tree, catalog):
    tree.write(".python-version", "# the app's interpreter\n\n   3.14   # current line\n\n# end\n")
    run = build(tree)
    assert run.code == 0 and "Using version '3.14' from .python-version" in run.output


def test_the_same_version_twice_is_one_version(tree, catalog):
    tree.write(".python-version", "3.14\n3.14\n")
    assert build(tree).code == 0


def test_more_than_one_version_names_them(tree, catalog):
    tree.write(".python-version", "3.14\n3.13.5\n")
    failure(tree, ".python-version names more than one version: '3.14', '3.13.5'")


@pytest.mark.parametrize("content,shown", [
    ("3.14\u200b\n", r"'3.14\u200b'"), ("3.\x0014\n", r"'3.\x0014'"), ("\u202e3.14\n", r"'\u202e3.14'"),
    ("3.14\x1b[0m\n", r"'3.14\x1b[0m'"),
])
def test_invisible_or_control_characters_are_shown(tree, catalog, content, shown):
    tree.write(".python-version", content)
    failure(tree, f".python-version line 1 contains invisible or control characters: {shown}")


@pytest.mark.parametrize("content", ["3.12.0a", "python-3.11", "3.14.8rc1", "pypy3.10", "3.14.*", ">=3.11", "system"])
def test_unsupported_forms_list_the_accepted_ones(tree, catalog, content):
    tree.write(".python-version", content + "\n")
    run = failure(tree, f".python-version line 1 asks for {content!r}, which is not a CPython version")
    assert "accepted forms: 3.14 (the newest 3.14.x), 3.14.8 (exactly that release) or 3 (the newest 3.x)" in run.output


@pytest.mark.parametrize("content,message", [
    ("3.12.99", "no CPython version matching '3.12.99' (requested by .python-version) is available for "
                "linux/amd64 debian 12; the 3.12 line has 3.12.14, 3.12.15"),
    ("3.8", "no CPython version matching '3.8' (requested by .python-version) is available for linux/amd64 "
            "debian 12; available versions: 3.9.2, 3.10.21"),
    ("4", "no CPython version matching '4' (requested by .python-version) is available for linux/amd64 "
          "debian 12; available versions: 3.9.2"),
])
def test_a_version_no_catalog_has_lists_what_is_available(tree, catalog, content, message):
    tree.write(".python-version", content + "\n")
    failure(tree, message)


def test_huge_version_file_is_refused_without_echoing_it(tree, catalog):
    tree.write(".python-version", "3." + "9" * 5_000_000)
    run = failure(tree, ".python-version: '.python-version' is larger than 4 KiB")
    assert "9999999999" not in run.output


def test_long_number_within_the_limit_is_a_form_error(tree, catalog):
    tree.write(".python-version", "3." + "9" * 4000)
    run = failure(tree, ".python-version line 1 asks for '3.99999")
    assert len(run.output) < 2000


def test_symlinked_version_file_outside_the_app_is_not_read(tree, catalog, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("3.14-top-secret\n")
    (tree.app / ".python-version").symlink_to(secret)
    run = failure(tree, "which is outside the app directory; it was not read")
    assert "top-secret" not in run.output


@pytest.mark.parametrize("value", ["latest", "LATEST", "default", "3." + "1" * 5000, "3.14; rm -rf /", "\x1b[31m3.14"])
def test_bad_settings_are_one_message(tree, catalog, value):
    tree.set_env("BP_CPYTHON_VERSION", value)
    run = failure(tree, "BP_CPYTHON_VERSION asks for")
    assert "which is not a CPython version constraint" in run.output
    if value.lower() == "latest":
        assert "write 3 for the newest 3.x" in run.output
    assert len(run.output) < 2000


def test_end_of_life_line_fails_unless_allowed(tree, catalog):
    tree.write(".python-version", "3.9\n")
    failure(tree, "CPython 3.9.2 is end of life: the 3.9 line stopped receiving security fixes on 2025-10-31")
    tree.set_env("BP_CPYTHON_ALLOW_EOL", "true")
    tree.set_env("BP_DEPENDENCY_MIRROR", "file:///nonexistent/{originalHost}")
    run = build(tree)
    assert "CPython 3.9.2 reached end of life on 2025-10-31 and gets no security fixes; building anyway " \
           "because BP_CPYTHON_ALLOW_EOL=true." in run.output
    assert "Selected CPython 3.9.2 (source" in run.output


def test_line_close_to_its_end_of_life_warns_with_the_date(tree, catalog):
    import datetime
    tree.write(".python-version", "3.11.2\n")
    run = build(tree)
    assert run.code == 0
    if datetime.date.today() >= datetime.date(2026, 10, 31):  # within a year of 2027-10-31
        assert "CPython 3.11.2 reaches end of life on 2027-10-31; plan the move to a newer line." in run.output


def test_runtime_txt_is_used_with_a_deprecation_warning(tree, catalog):
    tree.write("runtime.txt", "python-3.14.8\n")
    run = build(tree)
    assert run.code == 0 and "Using version '3.14.8' from runtime.txt" in run.output
    assert "runtime.txt is deprecated as a version source" in run.output


def test_runtime_txt_that_agrees_with_python_version_is_fine(tree, catalog):
    tree.write("runtime.txt", "python-3.14.8\n")
    tree.write(".python-version", "3.14\n")
    run = build(tree)
    assert run.code == 0 and "Using version '3.14' from .python-version" in run.output


def test_runtime_txt_disagreeing_with_python_version_names_both(tree, catalog):
    tree.write("runtime.txt", "python-3.11.2\n")
    tree.write(".python-version", "3.14\n")
    failure(tree, ".python-version asks for '3.14' but runtime.txt asks for '3.11.2'")


def test_malformed_runtime_txt(tree, catalog):
    tree.write("runtime.txt", "3.14\n")
    failure(tree, "runtime.txt says '3.14', expected python-<version> such as python-3.14.8")


def test_platform_default_replaces_the_buildpack_default_only(tree, catalog):
    tree.set_env("BP_CPYTHON_DEFAULT_VERSION", "3.13.5")
    run = build(tree)
    assert run.code == 0
    assert ("No version requested by the app; using the platform's default '3.13.5' from BP_CPYTHON_DEFAULT_VERSION "
            "(the buildpack's own default is '3.14')") in run.output
    assert "Selected CPython 3.13.5 (prebuilt" in run.output
    tree.write(".python-version", "3.14\n")  # any request of the app wins
    assert "Selected CPython 3.14.8 (prebuilt" in build(tree).output


def test_versions_from_other_buildpacks_are_checked_too(tree, catalog):
    run = tree.build("cpython", [("cpython", {"version": "3." + "9" * 5000, "version-source": "Pipfile.lock", **BOTH})])
    assert run.code == 1 and "Traceback" not in run.output and len(run.output) < 2000
    assert "Pipfile.lock asks for '3.999" in run.output
