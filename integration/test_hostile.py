"""Hostile input through a real pack build (issue 16): a requirement that installs the
whole file system and a Procfile linked to /etc/passwd each end in one message naming
the confinement rule, in the build phase, with no traceback and nothing of /etc read."""
from __future__ import annotations

import os

from conftest import app, pack_build


def one_confinement_error(build, fragment: str) -> None:
    assert build.code != 0 and "status code: 51" in build.output, build.output  # the build phase, not detect
    assert build.output.count("ERROR: ") == 1 + build.output.count("ERROR: failed to build"), build.output
    assert fragment in build.output
    assert "which is outside the app directory; it was not read" in build.output
    assert "Traceback" not in build.output and "internal error" not in build.output


def test_editable_root_is_refused_with_one_message(tmp_path, images, mirror_env):
    src = app(tmp_path, "web")
    (src / "requirements.txt").write_text("six==1.17.0\n-e ../..\n")
    build = pack_build(images("hostile-e"), src, mirror_env)
    one_confinement_error(build, "ERROR: requirements.txt line 2 (-e) names '../..' (it leads to '/')")


def test_procfile_linked_to_etc_passwd_is_refused(tmp_path, images, mirror_env):
    src = app(tmp_path, "web")
    (src / "Procfile").unlink()
    os.symlink("/etc/passwd", src / "Procfile")
    build = pack_build(images("hostile-procfile"), src, mirror_env)
    one_confinement_error(build, "ERROR: Procfile names 'Procfile' (it leads to '/etc/passwd')")
    for account in ("root", "daemon"):
        assert f"Process '{account}'" not in build.output and f"{account}:x:" not in build.output
