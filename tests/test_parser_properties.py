"""Property-based tests (hypothesis) over every parser of user input the buildpacks own:
any input yields a parsed value or a UserError — never another exception — and nothing
a parser accepts leads outside the app.

Examples per parser are fixed (see EXAMPLES) and derandomized, so the suite is fast and
the same on every run; `pytest --hypothesis-show-statistics` prints what ran.
"""
from __future__ import annotations

import codecs
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libbuild import appfiles, bindings
from libbuild.errors import UserError

REPO = Path(__file__).resolve().parent.parent
for bp in ("pip-install", "pipenv-install", "procfile"):
    sys.path.insert(0, str(REPO / "buildpacks" / bp))

from pycnb_pip_install import requirements  # noqa: E402
from pycnb_pipenv_install import pipfile  # noqa: E402
from pycnb_procfile import procfile  # noqa: E402

EXAMPLES = {"requirements": 400, "requirements-files": 100, "decode": 400, "procfile": 300, "pipfile": 200,
            "pipfile-data": 200, "lock": 200, "lock-data": 300, "bindings": 100}


# PYCNB_HYPOTHESIS_SCALE=20 runs twenty times as many random (not derandomized) examples: a deeper search.
_SCALE = int(os.environ.get("PYCNB_HYPOTHESIS_SCALE", "1"))


def examples(parser: str):
    return settings(max_examples=EXAMPLES[parser] * _SCALE, deadline=None, database=None, derandomize=_SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def app():
    """An app with the things hostile lines reach for: includes, a package, a link to /."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "app"
        (root / "pkg").mkdir(parents=True)
        (root / "pkg" / "setup.py").write_text("")
        (root / "wheels").mkdir()
        (root / "other.txt").write_text("six\n-r nested/inner.txt\n")
        (root / "nested").mkdir()
        (root / "nested" / "inner.txt").write_text("flask\n")
        (root / "c.txt").write_text("six<2\n")
        (root / "up").symlink_to("/")
        (root / "passwd").symlink_to("/etc/passwd")
        (Path(tmp) / "outside.txt").write_text("root:x:0:0\n")
        yield root


def _inside(path: Path, app: Path) -> bool:
    real = Path(os.path.realpath(app))
    return path == real or real in path.parents


# -- requirements -------------------------------------------------------------

_FRAGMENTS = ["six", "flask==3.0.3", "requests>=2", "-r", "other.txt", "-r /etc/passwd", "-r ../outside.txt",
              "-c c.txt", "-e", ".", "/", "../..", "./pkg", "./up", "up/etc", "passwd", "pkg[dev]",
              "file:///etc", "file:pkg", "name @ file:///etc", "name @ https://x/y.whl", "git+https://x/y",
              "--hash=sha256:00", "--index-url", "file:///", "-i http://127.0.0.1:9/simple", "-f", "./wheels",
              "--find-links=/nonexistent", "${HOME}", "${CNB_PLATFORM_DIR}/bindings", "~", "\\", "#", "# coding",
              "\"", "'", "--requirement=", "-rother.txt", "-e.", ";", "; python_version<'4'", "[", "]", "@",
              "\t", "\x00", "..", "x.whl", "dist/a.tar.gz", "--pre", "--no-index", "--editable=./pkg"]
_LINE = st.one_of(st.text(max_size=30),
                  st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=4).map(" ".join),
                  st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=3).map("".join))
_REQUIREMENTS_TEXT = st.lists(_LINE, max_size=8).map("\n".join)


@examples("requirements")
@given(text=_REQUIREMENTS_TEXT)
def test_requirements_parse_yields_lines_or_a_user_error(app, text):
    environ = {"HOME": "/root", "CNB_PLATFORM_DIR": "/platform"}
    try:
        lines = requirements.parse(text, app / "requirements.txt", app, environ)
    except UserError:
        return
    for line in lines:
        for path in (line.include, line.local):
            assert path is None or _inside(path, app), (line, path)
        if line.requirement is not None or line.local is not None:
            assert line.installs


@examples("requirements-files")
@given(data=st.one_of(st.binary(max_size=200), _REQUIREMENTS_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
                      st.tuples(st.sampled_from([codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE, codecs.BOM_UTF8,
                                                 b"# -*- coding: latin-1 -*-\n", b"# coding=nonsense\n"]),
                                _REQUIREMENTS_TEXT).map(lambda p: p[0] + p[1].encode("utf-8", "surrogatepass"))))
def test_requirement_files_read_or_a_user_error(app, data):
    (app / "requirements.txt").write_bytes(data)
    try:
        reqs = requirements.read_all(["requirements.txt"], app)
    except UserError:
        return
    assert all(_inside(p, app) for p in reqs.files)
    assert reqs.install_lines() >= 0


# -- appfiles.decode ------------------------------------------------------------

_BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE,
         b"# -*- coding: latin-1 -*-\n", b"# coding: utf-16\n", b"#coding=rot13\n", b"# coding: idna\n",
         b"# coding: punycode\n", b"# coding: unicode_escape\n", b"# coding: no-such-codec\n", b"# coding: hex\n"]


@examples("decode")
@given(prefix=st.sampled_from(_BOMS), body=st.one_of(st.binary(max_size=100),
                                                     st.text(max_size=50).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_decode_yields_text_or_a_user_error_and_agrees_with_pip(prefix, body):
    data = prefix + body
    try:
        text = appfiles.decode(data, "requirements.txt")
    except UserError:
        return
    assert isinstance(text, str)
    encoding, declared = appfiles.encoding_of(data)
    if not declared:  # what pip reads in UTF-8 mode (files with a BOM or coding line reach pip as UTF-8 copies)
        assert text == data.decode("utf-8")


# -- Procfile -------------------------------------------------------------------

_PROC_LINE = st.one_of(st.text(max_size=30),
                       st.tuples(st.from_regex(r"\A[A-Za-z0-9._-]{1,8}\Z"), st.sampled_from([":", " : ", ":\t", "::"]),
                                 st.text(max_size=20)).map("".join))


@examples("procfile")
@given(text=st.lists(_PROC_LINE, max_size=6).map("\n".join))
def test_procfile_parse_yields_processes_or_a_user_error(text):
    try:
        processes = procfile.parse(text)
    except UserError:
        return
    assert processes and len({p.type for p in processes}) == len(processes)
    assert sum(p.default for p in processes) <= 1
    assert all("\0" not in p.command[-1] for p in processes)


# -- Pipfile and Pipfile.lock -----------------------------------------------------

_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10),
                    st.sampled_from(["/", "../..", "./pkg", "up", "file:///etc", "file:pkg"]))
_JSON = st.recursive(_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["_meta", "default", "develop", "hash", "requires", "sources", "sha256",
                                     "python_version", "python_full_version", "version", "hashes", "path", "file",
                                     "markers", "editable", "extras", "six", "url"]) | st.text(max_size=5),
                    inner, max_size=4)), max_leaves=12)
_TOML_KEYS = st.sampled_from(["source", "packages", "dev-packages", "requires", "pipenv", "scripts", "url", "path",
                              "file", "python_version", "six", "version", "editable"]) | st.from_regex(r"\A[a-z]{1,4}\Z")
_TOML_VALUE = st.recursive(st.one_of(st.booleans(), st.integers(), st.text(max_size=10),
                                     st.sampled_from(["/", "../..", "./pkg", "file:///etc", "*", "==1.0"])),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(_TOML_KEYS, inner, max_size=3)), max_leaves=10)


@examples("pipfile-data")
@given(data=st.dictionaries(_TOML_KEYS, _TOML_VALUE, max_size=5))
def test_pipfile_shapes_are_accepted_or_a_user_error(app, data):
    import tomli_w
    (app / "Pipfile").write_text(tomli_w.dumps(data))
    try:
        parsed = pipfile.read_pipfile(app)
    except UserError:
        return
    assert parsed == data


@examples("pipfile")
@given(text=st.one_of(st.text(max_size=80), st.lists(st.sampled_from(
    ["[packages]", "[requires]", "[[source]]", 'url = "x"', 'six = "*"', "six = 3", 'python_version = "3.11"',
     "packages = 3", "[dev-packages]", 'x = {path = "../.."}', 'y = {path = "./pkg"}', "= =", "[[packages]]",
     "\x00", '"\\ud800"', "a = " + "[" * 3000 + "]" * 3000, "b = " + "{c = " * 2000 + "1" + "}" * 2000]),
    max_size=6).map("\n".join)))
def test_pipfile_text_is_read_or_a_user_error(app, text):
    (app / "Pipfile").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        pipfile.read_pipfile(app)
    except UserError:
        pass
    assert pipfile.locked_python(app) is None or isinstance(pipfile.locked_python(app)[0], str)


@examples("lock-data")
@given(data=_JSON)
def test_lock_shapes_are_accepted_or_a_user_error(app, data):
    try:
        pipfile.check_lock(data, app)
    except UserError as exc:
        assert len(exc.message) < 400  # a short excerpt of what was found, never the whole input
        return
    assert isinstance(data, dict)


@examples("lock")
@given(raw=st.one_of(st.binary(max_size=100), _JSON.map(json.dumps).map(str.encode),
                     st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n)))
def test_lock_files_are_read_or_a_user_error(app, raw):
    (app / "Pipfile.lock").write_bytes(raw)
    try:
        result = pipfile.read_lock(app)
    except UserError:
        return
    assert result is not None and isinstance(result[1], dict)


# -- binding entries ------------------------------------------------------------------

_ENTRY = st.one_of(st.binary(max_size=40), st.text(max_size=20).map(str.encode))
_BINDING = st.fixed_dictionaries({"type": _ENTRY}, optional={"provider": _ENTRY, "entries": st.dictionaries(
    st.from_regex(r"\A[a-zA-Z0-9._-]{1,10}\Z").filter(lambda n: n not in (".", "..")), _ENTRY, max_size=3)})


@examples("bindings")
@given(found=st.dictionaries(st.from_regex(r"\A[a-z0-9-]{1,10}\Z"), _BINDING, max_size=3))
def test_binding_entries_are_read_or_a_user_error(found):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bindings"
        for name, spec in found.items():
            d = root / name
            d.mkdir(parents=True)
            (d / "type").write_bytes(spec["type"])
            if "provider" in spec:
                (d / "provider").write_bytes(spec["provider"])
            for key, value in spec.get("entries", {}).items():
                if key not in ("type", "provider"):
                    (d / key).write_bytes(value)
        try:
            discovered = bindings.discover({}, tmp)
        except UserError:
            return
        for b in discovered:
            b.secret_values()
            for key in b.entries:
                try:
                    assert isinstance(b.get(key), str)
                except UserError:
                    pass

