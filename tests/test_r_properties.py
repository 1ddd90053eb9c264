"""Property-based tests (hypothesis) of the R parsers, in the manner of test_parser_properties.py:
any DESCRIPTION, PACKAGES, renv.lock, r-packages.txt or R version constraint yields a parsed
value or a UserError — never another exception."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libbuild.errors import UserError
from libbuild.r import dcf, renvlock

REPO = Path(__file__).resolve().parent.parent
for bp in ("r", "r-minicran"):
    sys.path.insert(0, str(REPO / "buildpacks" / bp))
from pycnb_r import version_sources  # noqa: E402
from pycnb_r_minicran import inputs  # noqa: E402

_SCALE = int(os.environ.get("PYCNB_HYPOTHESIS_SCALE", "1"))


def examples(n: int):
    return settings(max_examples=n * _SCALE, deadline=None, database=None, derandomize=_SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


_DCF_LINE = st.one_of(
    st.text(max_size=40),
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(["Package", "Version", "Depends", "Imports", "LinkingTo",
                                                          "License", "x-y.z"]),
              st.text(alphabet=st.sampled_from(list("abcR6 (>=<)0123456789.,-\t\n")), max_size=40)),
    st.just(""), st.just("  continued"))


@examples(300)
@given(text=st.lists(_DCF_LINE, max_size=8).map("\n".join))
def test_dcf_files_parse_or_a_user_error(text):
    try:
        records = dcf.parse(text, "DESCRIPTION")
    except UserError:
        return
    for record in records:
        try:
            names = dcf.package_dependencies(record, "DESCRIPTION")
            constraint = dcf.r_constraint(record, "DESCRIPTION")
        except UserError:
            continue
        assert all(dcf.PACKAGE_NAME.match(n) for n in names)
        assert constraint is None or constraint[0] in "<>=!"
        try:
            inputs.parse_description(text)
        except UserError:
            pass


_JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10),
                               st.sampled_from(["4.5.0", "2.5.1", "Repository", "GitHub", "R6", "Package", "Version"])),
                     lambda inner: st.one_of(st.lists(inner, max_size=3),
                                             st.dictionaries(st.sampled_from(["R", "Version", "Packages", "Package",
                                                                              "Source", "R6", "glue"]), inner, max_size=4)),
                     max_leaves=12)


@examples(300)
@given(data=st.one_of(_JSON.map(json.dumps), st.text(max_size=60)))
def test_renv_locks_parse_or_a_user_error(data):
    try:
        lock = renvlock.parse(data)
    except UserError:
        return
    assert all(renvlock.VERSION.match(p.version) and dcf.PACKAGE_NAME.match(p.name) for p in lock.packages)


@examples(300)
@given(text=st.lists(st.one_of(st.text(max_size=20), st.sampled_from(["plumber", "R6==2.5.1", "# c", "a.b == 1-2",
                                                                      "x==", "==1"])), max_size=6).map("\n".join))
def test_r_packages_txt_parses_or_a_user_error(text):
    try:
        wanted = inputs.parse_packages_txt(text)
    except UserError:
        return
    assert wanted and all(dcf.PACKAGE_NAME.match(w.name) for w in wanted)


@examples(300)
@given(value=st.one_of(st.text(max_size=20), st.sampled_from(["4.5", ">=4.4", "4.5.*", "~=4.5", "latest", "9" * 30])))
def test_r_version_settings_are_constraints_or_a_user_error(value):
    try:
        version_sources.check_constraint(value, "BP_R_VERSION")
    except UserError:
        pass
