"""The confinement rule: app-named paths are read only inside the app, bounded, decoded as pip does."""
import codecs

import pytest

from libbuild import appfiles
from libbuild.errors import UserError


def _refused(fn, *args, **kw) -> UserError:
    with pytest.raises(UserError) as info:
        fn(*args, **kw)
    return info.value


def test_relative_and_inner_symlink_paths_are_read(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.txt").write_text("six\n")
    (tmp_path / "link.txt").symlink_to("sub/r.txt")
    assert appfiles.read_text(tmp_path, "sub/r.txt", "requirements") == "six\n"
    assert appfiles.read_text(tmp_path, "link.txt", "requirements") == "six\n"
    assert appfiles.read_text(tmp_path, tmp_path / "sub" / "r.txt", "requirements") == "six\n"


@pytest.mark.parametrize("name", ["/etc/passwd", "../../../etc/passwd", "escape"])
def test_paths_leading_outside_the_app_are_refused_unread(tmp_path, name):
    app = tmp_path / "app"
    app.mkdir()
    (app / "escape").symlink_to("/etc/passwd")
    err = _refused(appfiles.read_text, app, name, "Procfile")
    assert err.code == "path-outside-app"
    assert "outside the app directory" in err.message and "root:" not in err.render()


def test_a_sibling_directory_with_the_app_as_prefix_is_outside(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app2").mkdir()
    (tmp_path / "app2" / "x").write_text("secret")
    assert _refused(appfiles.read_text, tmp_path / "app", "../app2/x", "x").code == "path-outside-app"


def test_allowed_roots_are_readable(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "bindings").mkdir()
    (tmp_path / "bindings" / "pip.conf").write_text("[global]\n")
    text = appfiles.read_text(tmp_path / "app", tmp_path / "bindings" / "pip.conf", "pip.conf",
                              allowed=[tmp_path / "bindings"])
    assert text == "[global]\n"


def test_directories_missing_files_and_oversize_files(tmp_path):
    (tmp_path / "requirements.txt").mkdir()
    assert _refused(appfiles.read_text, tmp_path, "requirements.txt", "requirements").code == "app-file-not-regular"
    assert _refused(appfiles.read_text, tmp_path, "nope.txt", "requirements").code == "app-file-missing"
    (tmp_path / "big").write_bytes(b"3" * 2000)
    err = _refused(appfiles.read_text, tmp_path, "big", ".python-version", limit=1024)
    assert err.code == "app-file-too-large" and "333" not in err.render()
    assert appfiles.read_optional_text(tmp_path, "absent") is None


@pytest.mark.parametrize("bom,codec", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                       (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
                                       (codecs.BOM_UTF32_BE, "utf-32-be")])
def test_byte_order_marks_select_the_encoding(tmp_path, bom, codec):
    (tmp_path / "r.txt").write_bytes(bom + "flask==3.1.3  # ünïcode\n".encode(codec))
    assert appfiles.read_text(tmp_path, "r.txt", "requirements") == "flask==3.1.3  # ünïcode\n"


def test_invalid_utf8_names_line_column_and_byte(tmp_path):
    (tmp_path / "r.txt").write_bytes(b"six\n# caf\xe9\n")
    err = _refused(appfiles.read_text, tmp_path, "r.txt", "requirements.txt")
    assert err.code == "app-file-encoding"
    assert "byte 0xe9 at line 2, column 6" in err.message


def test_dangling_link_counts_as_present_and_is_reported(tmp_path):
    (tmp_path / "Procfile").symlink_to(tmp_path / "gone")
    assert appfiles.exists(tmp_path, "Procfile")
    assert _refused(appfiles.read_text, tmp_path, "Procfile", "Procfile").code == "app-file-missing"
