"""bin/detect and bin/build through the real launcher, as the lifecycle runs them."""
from pathlib import Path

import pytest

from harness import REPO
from libbuild import tomlfile

PROBE = '''
import os
from libbuild import BuildPlan, BuildResult, Process, Require, UserError, opt_in, opt_out
from libbuild import errors


def detect(ctx):
    mode = ctx.setting("PROBE_DETECT", "pass")
    if mode == "fail":
        return opt_out("PROBE_DETECT=fail")
    if mode == "crash":
        raise RuntimeError("boom")
    return opt_in("probe", BuildPlan(provides=["probe"], requires=[Require("probe", {"launch": True})]))


def build(ctx):
    seen = {k: ctx.setting(k) for k in ("PROBE_SETTING",)}
    seen["process_env"] = os.environ.get("PROBE_SETTING")
    (ctx.layers_dir / "seen.txt").write_text(repr(seen))
    if ctx.setting("PROBE_BUILD") == "user-error":
        raise errors.procfile_malformed(3, "web gunicorn")
    if ctx.setting("PROBE_BUILD") == "crash":
        raise KeyError("missing")
    layer = ctx.layers.cached("probe", {"v": 1}, launch=True, cache=True)
    return BuildResult(processes=[Process("web", ["true"], default=True)])
'''


def make_probe(root: Path, clear_env=False) -> Path:
    """A buildpack laid out as `make package` lays it out: bin/, lib/ with libbuild and vendored libraries."""
    bp = root / "probe-bp"
    (bp / "bin").mkdir(parents=True)
    (bp / "lib").mkdir()
    launcher = (REPO / "libbuild" / "launcher.sh").read_text()
    for phase in ("detect", "build"):
        (bp / "bin" / phase).write_text(launcher)
        (bp / "bin" / phase).chmod(0o755)
    (bp / "lib" / "libbuild").symlink_to(REPO / "libbuild")
    for entry in (REPO / "build" / "vendor").iterdir():
        (bp / "lib" / entry.name).symlink_to(entry)
    (bp / "pycnb_probe").mkdir()
    (bp / "pycnb_probe" / "__init__.py").write_text("")
    (bp / "pycnb_probe" / "detect.py").write_text(PROBE)
    (bp / "pycnb_probe" / "build.py").write_text(PROBE)
    tomlfile.write(bp / "buildpack.toml", {"api": "0.11", "buildpack": {"id": "pycnb/probe", "version": "0.0.1",
                                                                         "clear-env": clear_env}})
    return bp


@pytest.fixture
def probe(tree, tmp_path):
    return make_probe(tmp_path)


def test_detect_pass_writes_plan(tree, probe):
    run = tree.detect(str(probe))
    assert run.code == 0, run.output
    assert run.plan() == {"provides": [{"name": "probe"}], "requires": [{"name": "probe", "metadata": {"launch": True}}]}


def test_detect_fail_exits_100_without_plan(tree, probe):
    tree.set_env("PROBE_DETECT", "fail")
    run = tree.detect(str(probe))
    assert run.code == 100 and run.plan() == {}
    assert "PROBE_DETECT=fail" in run.output


def test_detect_error_exits_other_code(tree, probe):
    tree.set_env("PROBE_DETECT", "crash")
    run = tree.detect(str(probe))
    assert run.code not in (0, 100)
    assert "internal error" in run.output and "Traceback" not in run.output


def test_platform_env_reaches_buildpack_without_clear_env(tree, probe):
    tree.set_env("PROBE_SETTING", "from-platform")
    run = tree.build(str(probe))
    assert run.code == 0, run.output
    assert (run.layers / "seen.txt").read_text() == "{'PROBE_SETTING': 'from-platform', 'process_env': 'from-platform'}"


def test_clear_env_keeps_process_env_clean_but_settings_readable(tree, tmp_path):
    bp = make_probe(tmp_path / "clear", clear_env=True)
    tree.set_env("PROBE_SETTING", "from-platform")
    run = tree.build(str(bp))
    assert run.code == 0, run.output
    assert (run.layers / "seen.txt").read_text() == "{'PROBE_SETTING': 'from-platform', 'process_env': None}"


def test_user_error_is_one_message_without_traceback(tree, probe):
    tree.set_env("PROBE_BUILD", "user-error")
    run = tree.build(str(probe))
    assert run.code == 1
    assert "Traceback" not in run.output
    assert "ERROR: Procfile line 3 is not a process definition: 'web gunicorn'" in run.output
    assert "How to fix:" in run.output
    assert run.output.count("ERROR:") == 1
    assert not (run.layers / "probe.toml").exists()  # no layer committed by a failed build


def test_debug_log_level_adds_the_traceback(tree, probe):
    tree.set_env("PROBE_BUILD", "user-error")
    tree.set_env("BP_LOG_LEVEL", "DEBUG")
    run = tree.build(str(probe))
    assert run.code == 1 and "Traceback (most recent call last)" in run.output


def test_internal_errors_say_so_without_traceback(tree, probe):
    tree.set_env("PROBE_BUILD", "crash")
    run = tree.build(str(probe))
    assert run.code == 1 and "internal error" in run.output and "KeyError" in run.output
    assert "Traceback" not in run.output


def test_hostile_python_environment_is_ignored(tree, probe, tmp_path):
    # From the user (platform env files) and from an earlier buildpack's build layer.
    for name, value in (("PYTHONPATH", "/invalid"), ("PYTHONHOME", "/invalid"), ("PIP_REQUIRE_VIRTUALENV", "1"),
                        ("PYTHONSTARTUP", "/invalid/startup.py")):
        tree.set_env(name, value)
    earlier = tmp_path / "earlier-layer"
    (earlier / "env.build").mkdir(parents=True)
    (earlier / "env.build" / "PYTHONHOME.override").write_text("/also/invalid")
    (earlier / "bin").mkdir()
    fake = earlier / "bin" / "python3"
    fake.write_text("#!/bin/sh\necho 'wrong interpreter' >&2; exit 9\n")
    fake.chmod(0o755)
    tree.earlier.append(earlier)
    assert tree.detect(str(probe)).code == 0
    run = tree.build(str(probe))
    assert run.code == 0, run.output
    assert "wrong interpreter" not in run.output


def test_build_writes_launch_toml_and_layers(tree, probe):
    run = tree.build(str(probe))
    assert run.launch() == {"processes": [{"type": "web", "command": ["true"], "default": True}]}
    assert run.layer_toml("probe")["types"] == {"build": False, "launch": True, "cache": True}
    assert "Creating layer 'probe'" in run.output
    tree.restore(str(probe))
    again = tree.build(str(probe))
    assert "Reusing layer 'probe'" in again.output
