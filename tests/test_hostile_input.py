"""Issue 16: hostile and broken input, one test per case — each ends in one message that
says what is wrong, never a traceback, never the contents of a file outside the app.

(Cases 2 and 9's version files, and case 5's index failures, are tested with the code
that handles them.)"""
from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import pytest

from libbuild import appfiles, bindings
from libbuild.errors import UserError
from libbuild.log import Logger
from wheels import make_wheel

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "buildpacks" / "pip-install"))
from pycnb_pip_install import local_sources, requirements  # noqa: E402

BOTH = {"build": False, "launch": True}
PASSWD_LINE = "root:x:0:0"


def pip_install(tree, **extra):
    return tree.build("pip-install", [("site-packages", BOTH)], **extra)


def pipenv_install(tree):
    return tree.build("pipenv-install", [("site-packages", {"launch": True})])


def one_clear_error(run, *fragments):
    """A failed build with exactly one ERROR, no traceback, nothing of /etc/passwd."""
    assert run.code == 1, run.output
    assert run.output.count("ERROR:") == 1 and "Traceback" not in run.output, run.output
    assert "internal error" not in run.output and PASSWD_LINE not in run.output, run.output
    for fragment in fragments:
        assert fragment in run.output, run.output


@pytest.fixture
def wheelhouse(tree):
    d = tree.app / "wheelhouse"
    make_wheel(d, "alpha", "1.0.0")
    make_wheel(d, "gamma", "0.3.0")
    return d


# -- case 1: local packages and includes that leave the app ----------------------------

@pytest.mark.parametrize("line,shown", [("-e /", "/"), ("-e ../..", "../.."), ("./pkg", "./pkg"), ("-e ./pkg", "./pkg"),
                                        ("-r /etc/shadow", "/etc/shadow"), ("pkg @ file:///etc", "file:///etc"),
                                        ("-e file:///", "file:///"),
                                        ("-r ${CNB_PLATFORM_DIR}/bindings/x/pip.conf", "{platform}/bindings/x/pip.conf")])
def test_local_packages_and_includes_outside_the_app_are_refused(tree, line, shown):
    (tree.app / "pkg").symlink_to("/")
    tree.write("requirements.txt", f"six\n{line}\n")
    run = pip_install(tree)
    one_clear_error(run, "requirements.txt line 2", "outside the app directory; it was not read")
    assert f"names {shown.format(platform=tree.platform)!r}" in run.output  # the path as written (${VAR} expanded), not as joined to the app


def test_local_sources_digest_never_reads_outside_and_is_bounded(tmp_path):
    app = tmp_path / "app"
    (app / "pkg" / "sub").mkdir(parents=True)
    (app / "pkg" / "a.py").write_text("a = 1\n")
    (tmp_path / "secret").write_text("s3cr3t\n")
    (app / "pkg" / "leak").symlink_to(tmp_path / "secret")
    (app / "pkg" / "root").symlink_to("/")
    os.mkfifo(app / "pkg" / "fifo")  # opening it would block the build forever
    reqs = requirements.RequirementFiles([], {app / "r.txt": requirements.parse("-e ./pkg\n", app / "r.txt", app)}, [], set())
    log = Logger()
    first = local_sources.digest(reqs, app, log)
    (tmp_path / "secret").write_text("changed, and never read\n")
    assert local_sources.digest(reqs, app, log) == first
    (app / "pkg" / "a.py").write_text("a = 2\n")
    assert local_sources.digest(reqs, app, log) != first
    # Beyond the bound: not fingerprinted, so never reused stale.
    assert local_sources.digest(reqs, app, log, max_files=2) != local_sources.digest(reqs, app, log, max_files=2)


# -- case 3: a Procfile that is a link out of the app -----------------------------------

def test_procfile_linked_to_etc_passwd_is_refused_unread(tree):
    (tree.app / "Procfile").symlink_to("/etc/passwd")
    assert tree.detect("procfile").code == 0  # detect sees it; build says why it cannot be used
    run = tree.build("procfile")
    one_clear_error(run, "Procfile names 'Procfile' (it leads to '/etc/passwd'), which is outside the app directory")
    assert "daemon" not in run.output and not (run.layers / "launch.toml").exists()


def test_procfile_size_is_bounded(tree):
    tree.write("Procfile", "web: python app.py\n" + "# filler\n" * 10_000)
    one_clear_error(tree.build("procfile"), "Procfile: 'Procfile' is larger than 64 KiB")


def test_procfile_long_line_is_quoted_as_an_excerpt(tree):
    tree.write("Procfile", "x" * 5000 + "\n")
    run = tree.build("procfile")
    one_clear_error(run, "Procfile line 1 is not a process definition: 'xxxx")
    assert "x" * 200 not in run.output


# -- case 4: requirement files outside the app --------------------------------------------

@pytest.mark.parametrize("line", ["-r /etc/passwd", "-r ../../../../../../etc/passwd", "-c /etc/passwd",
                                  "-r file:///etc/passwd", "-f /etc", "--index-url file:///etc"])
def test_requirement_files_outside_the_app_are_refused_unread(tree, line):
    tree.write("requirements.txt", f"{line}\n")
    one_clear_error(pip_install(tree), "requirements.txt line 1", "outside the app directory")


def test_requirements_txt_linked_outside_is_refused(tree):
    (tree.app / "requirements.txt").symlink_to("/etc/passwd")
    assert tree.detect("pip-install").code == 0
    one_clear_error(pip_install(tree), "names 'requirements.txt' (it leads to '/etc/passwd'), which is outside")


def test_bp_pip_requirement_outside_is_refused(tree):
    tree.set_env("BP_PIP_REQUIREMENT", "../../../../../../../etc/passwd")
    one_clear_error(pip_install(tree), "BP_PIP_REQUIREMENT names '../../../../../../../etc/passwd'", "outside the app")


# -- case 6: encodings as pip reads them ---------------------------------------------------

@pytest.mark.parametrize("encode", [lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
                                    lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"),
                                    lambda t: ("# -*- coding: latin-1 -*-\n" + t).encode("latin-1")],
                         ids=["utf-16-bom", "utf-32-le-bom", "latin-1-coding-line"])
def test_encodings_pip_accepts_install(tree, wheelhouse, encode):
    tree.write("requirements.txt", "")
    (tree.app / "requirements.txt").write_bytes(encode("alpha==1.0.0  # café\n-r more.txt\n"))
    (tree.app / "more.txt").write_bytes(codecs.BOM_UTF16_BE + "gamma  # ünï\n".encode("utf-16-be"))
    run = pip_install(tree)
    assert run.code == 0, run.output
    assert "2 requirements in 2 file(s)" in run.output
    site = next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))
    assert {p.name for p in site.glob("*.dist-info")} == {"alpha-1.0.0.dist-info", "gamma-0.3.0.dist-info"}


def test_latin1_byte_without_a_coding_line_names_line_and_byte(tree):
    (tree.app / "requirements.txt").write_bytes(b"six\n# caf\xe9\n")
    one_clear_error(pip_install(tree), "requirements.txt is not valid utf-8: byte 0xe9 at line 2, column 6")


def test_unknown_coding_line_is_a_user_error(tree):
    (tree.app / "requirements.txt").write_bytes(b"# coding: rot13\nsix\n")
    one_clear_error(pip_install(tree), "declares the encoding 'rot13'")


# -- case 7: Pipfile and Pipfile.lock of the wrong shape --------------------------------

@pytest.mark.parametrize("lock,fragment", [
    ("[]", "Pipfile.lock is JSON but not a lock file: the whole file must be an object, not list []"),
    ('{"default": 3}', "default must be an object of packages, not int 3"),
    ('{"default": {"six": []}}', "default.six must be an object"),
    ('{"_meta": {"requires": {"python_version": 3}}}', "_meta.requires.python_version must be a string"),
    ('{"default": {"x": {"path": "../..", "editable": true}}}', "outside the app directory"),
    ("[" * 100_000 + "]" * 100_000, "Pipfile.lock is not valid JSON: nested too deeply"),
    ("[" * 900 + "]" * 900, "the whole file must be an object, not list [[[...]]]"),  # hypothesis found this one
])
def test_lock_of_the_wrong_shape(tree, lock, fragment):
    tree.write("Pipfile", '[packages]\nsix = "*"\n')
    tree.write("Pipfile.lock", lock)
    assert tree.detect("pipenv-install").code == 0
    one_clear_error(pipenv_install(tree), fragment)


@pytest.mark.parametrize("pipfile,fragment", [
    ("[packages\nsix = '*'\n", "Pipfile is not valid TOML"),
    ("packages = 3\n", "Pipfile: [packages] must be a table of packages"),
    ("[packages]\nsix = 3\n", "Pipfile: [packages] 'six' must be a version string"),
    ("[[source]]\nname = 'x'\n", "Pipfile: [[source]] must be a list of tables"),
    ("[packages]\nx = {path = '../..'}\n", "outside the app directory"),
    ("a = " + "[" * 5000 + "]" * 5000, "Pipfile is not valid TOML: values nested too deeply"),
])
def test_pipfile_of_the_wrong_shape(tree, pipfile, fragment):
    tree.write("Pipfile", pipfile)
    assert tree.detect("pipenv-install").code == 0
    one_clear_error(pipenv_install(tree), fragment)


def test_pipfile_linked_outside_is_refused(tree):
    (tree.app / "Pipfile").symlink_to("/etc/passwd")
    assert tree.detect("pipenv-install").code == 0
    one_clear_error(pipenv_install(tree), "outside the app directory")


# -- case 8: no silent success ------------------------------------------------------------

def test_directory_named_requirements_txt_fails(tree):
    (tree.app / "requirements.txt").mkdir()
    assert tree.detect("pip-install").code == 0
    one_clear_error(pip_install(tree), "'requirements.txt' is not a regular file")


@pytest.mark.parametrize("value,fragment", [
    ("/nonexistent", "BP_PIP_FIND_LINKS names '/nonexistent', which does not exist"),
    ("file:///nonexistent", "BP_PIP_FIND_LINKS names 'file:///nonexistent', which does not exist"),
    ("no-such-dir", "BP_PIP_FIND_LINKS names 'no-such-dir', which does not exist"),
    ("../../..", "BP_PIP_FIND_LINKS names '../../..'"),
])
def test_find_links_pointing_at_nothing_or_outside_fails(tree, value, fragment):
    tree.write("requirements.txt", "six\n")
    tree.set_env("BP_PIP_FIND_LINKS", value)
    one_clear_error(pip_install(tree), fragment)


def test_absolute_find_links_the_platform_mounted_are_used(tree, tmp_path):
    make_wheel(tmp_path / "mounted", "alpha", "1.0.0")
    tree.write("requirements.txt", "alpha==1.0.0\n")
    tree.set_env("BP_PIP_FIND_LINKS", str(tmp_path / "mounted"))
    tree.set_env("PIP_NO_INDEX", "1")
    run = pip_install(tree)
    assert run.code == 0, run.output


def test_wheelhouse_linked_outside_is_refused(tree, tmp_path):
    make_wheel(tmp_path / "elsewhere", "alpha", "1.0.0")
    (tree.app / "wheelhouse").symlink_to(tmp_path / "elsewhere")
    tree.write("requirements.txt", "alpha\n")
    one_clear_error(pip_install(tree), "the vendored wheelhouse/ directory", "outside the app directory")


# -- case 9 (requirement count) ------------------------------------------------------------

def test_every_install_line_is_counted(tree, wheelhouse):
    tree.write("requirements.txt", "alpha==1.0.0\n./wheelhouse/gamma-0.3.0-py3-none-any.whl\n--no-index\n")
    run = pip_install(tree)
    assert run.code == 0, run.output
    assert "2 requirements in 1 file(s)" in run.output


def test_constraint_lines_are_not_counted_and_pip_constraint_is_read_as_an_app_file(tree, wheelhouse):
    tree.write("requirements.txt", "alpha\n-c c1.txt\n")
    tree.write("c1.txt", "alpha==1.0.0\ngamma==0.3.0\n")
    tree.write("c2.txt", "alpha<2\n")
    tree.set_env("PIP_CONSTRAINT", "c2.txt")
    run = pip_install(tree)
    assert run.code == 0, run.output
    assert "1 requirements in 3 file(s)" in run.output


@pytest.mark.parametrize("setting", ["PIP_CONSTRAINT", "PIP_REQUIREMENT"])
def test_pip_file_settings_outside_the_app_are_refused(tree, setting):
    tree.write("requirements.txt", "six\n")
    tree.set_env(setting, "/etc/passwd")
    one_clear_error(pip_install(tree), f"{setting} names '/etc/passwd', which is outside the app directory")


def test_pip_line_joining_and_env_expansion():
    app = Path("/nonexistent-app")
    lines = requirements.parse("fla\\\nsk==3.0  # c\n# x \\\nsix\n", app / "r.txt", app)
    assert [(line.number, line.text) for line in lines] == [(1, "flask==3.0"), (4, "six")]
    with pytest.raises(UserError) as info:
        requirements.parse("-r ${SECRET_DIR}/x\n", app / "r.txt", app, {"SECRET_DIR": "/platform"})
    assert info.value.code == "path-outside-app"


# -- binding entries --------------------------------------------------------------------

def test_binding_entry_that_is_not_utf8_is_a_user_error(tmp_path):
    d = tmp_path / "bindings" / "corp"
    d.mkdir(parents=True)
    (d / "type").write_bytes(b"pip\xff")
    with pytest.raises(UserError) as info:
        bindings.discover({}, tmp_path)
    assert info.value.code == "binding-unreadable" and "byte 0xff" in info.value.message


def test_confine_rejects_names_no_file_can_have(tmp_path):
    with pytest.raises(UserError) as info:
        appfiles.confine(tmp_path, "a\0b", "Pipfile [packages] 'x'")
    assert info.value.code == "app-file-missing"


@pytest.mark.parametrize("ref,fragment", [("/dev/zero", "not a regular file"), ("/bin/sh", "'utf-8' codec can't decode"),
                                          ("/nonexistent", "not a regular file")])
def test_dependency_catalog_setting_that_is_no_catalog_is_a_user_error(ref, fragment):
    from libbuild import dependencies
    with pytest.raises(UserError) as info:
        dependencies._read_ref(ref)
    assert info.value.code == "download-failed" and fragment in info.value.message
