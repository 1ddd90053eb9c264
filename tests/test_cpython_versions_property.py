"""Property: every version-source parser of the cpython buildpack turns ANY input into a parsed
value or one UserError — never another exception, never an interpreter limit."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "buildpacks" / "cpython"))

from libbuild import versions  # noqa: E402
from libbuild.errors import UserError  # noqa: E402
from pycnb_cpython import version_sources  # noqa: E402

EXAMPLES = 1000
RUNS: dict[str, int] = {}

# Text that looks like what people write, plus anything at all.
version_ish = st.text(alphabet=st.sampled_from(list("0123456789.*=<>!~, \t\n#-abcprvy\u200b\x00\x1b\r")), max_size=60)
anything = st.one_of(version_ish, st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")))


def outcome(name: str, fn, *args):
    RUNS[name] = RUNS.get(name, 0) + 1
    try:
        return fn(*args)
    except UserError as exc:
        assert exc.message and len(exc.render()) < 2000  # one short message, even for huge input
        return None


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(anything)
def test_python_version_file(text):
    value = outcome(".python-version", version_sources.parse_python_version, text)
    if value is not None:  # what it returns is a constraint the resolver accepts
        versions.parse_constraint(value, ".python-version")


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(anything)
def test_runtime_txt(text):
    value = outcome("runtime.txt", version_sources.parse_runtime_txt, text)
    if value is not None:
        versions.parse_constraint(value, "runtime.txt")


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(anything)
def test_constraint_setting(text):
    value = outcome("BP_CPYTHON_VERSION", version_sources.check_constraint, text, "BP_CPYTHON_VERSION")
    if value is not None:
        versions.best(["3.9.2", "3.14.8", "3.15.0"], versions.parse_constraint(value, "BP_CPYTHON_VERSION"))


pyproject = st.one_of(
    anything,
    version_ish.map(lambda v: f'[project]\nname = "x"\nrequires-python = {v!r}\n'),
    st.integers(min_value=1, max_value=6000).map(lambda n: "[project]\nrequires-python = 3" + "0" * n + "\n"),
    st.integers(min_value=1, max_value=3000).map(lambda n: "x = " + "[" * n + "]" * n + "\n"),
)


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(pyproject)
def test_pyproject_requires_python(text):
    value = outcome("pyproject.toml", version_sources.parse_requires_python, text, Path("pyproject.toml"))
    if value is not None:
        versions.parse_constraint(value, "pyproject.toml")


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=6000), st.binary(max_size=100))
def test_whole_app_from_bytes(tmp_path, python_version, runtime):
    """The files as bytes on disk: decoding, size limits, the conflict check."""
    (tmp_path / ".python-version").write_bytes(python_version)
    (tmp_path / "runtime.txt").write_bytes(runtime)
    outcome("app files (bytes)", version_sources.from_app, tmp_path, None)


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    print("\nhypothesis examples per parser: " + ", ".join(f"{k}={v}" for k, v in sorted(RUNS.items())))
