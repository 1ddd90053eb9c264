import io
import sys

import pytest

from libbuild import bindings, execute
from libbuild.errors import UserError
from libbuild.log import Logger


def make_binding(root, name, kind, **entries):
    d = root / name
    d.mkdir(parents=True)
    (d / "type").write_text(kind + "\n")
    (d / "provider").write_text("acme")
    for k, v in entries.items():
        (d / k).write_text(v)


def test_service_binding_root_then_platform_bindings(tmp_path):
    make_binding(tmp_path / "sbr", "pip", "pip", **{"pip.conf": "[global]\n"})
    make_binding(tmp_path / "platform" / "bindings", "pip", "pip")
    make_binding(tmp_path / "platform" / "bindings", "mirror", "Dependency-Mirror", default="http://127.0.0.1:1")
    found = bindings.discover({"SERVICE_BINDING_ROOT": str(tmp_path / "sbr")}, tmp_path / "platform")
    assert [(b.name, b.type, b.provider) for b in found] == [("pip", "pip", "acme"), ("mirror", "dependency-mirror", "acme")]
    assert "pip.conf" in found[0].entries
    assert bindings.of_type(found, "dependency-mirror")[0].get("default") == "http://127.0.0.1:1"
    assert bindings.discover({}, tmp_path / "nowhere") == []


def test_logger_masks_secrets_and_url_passwords():
    out = io.StringIO()
    log = Logger(out, debug=False)
    log.add_secret("s3cr3t-token")
    log.info("index https://alice:pa55word@127.0.0.1/simple token=s3cr3t-token")
    text = out.getvalue()
    assert "pa55word" not in text and "s3cr3t-token" not in text
    assert "https://alice:***@127.0.0.1/simple" in text


def test_sections_indent_and_time():
    out = io.StringIO()
    log = Logger(out, debug=False)
    log.title("pycnb/x 1.0")
    with log.section("Installing"):
        log.info("step")
        log.detail("tool output")
    log.debug("hidden")
    lines = out.getvalue().splitlines()
    assert lines[:4] == ["pycnb/x 1.0", "  Installing", "    step", "      tool output"]
    assert lines[4].startswith("    Completed in ") and len(lines) == 5


def test_run_streams_output_and_raises_with_tail():
    out = io.StringIO()
    log = Logger(out, debug=False)
    assert execute.run(["sh", "-c", "echo one; echo two"], log) == ["one", "two"]
    assert "    one\n" in out.getvalue()
    with pytest.raises(UserError) as exc:
        execute.run(["sh", "-c", "echo 'ERROR: bad requirement' >&2; exit 3"], log, quiet=True)
    assert "exit code 3" in exc.value.message and "bad requirement" in exc.value.message


def test_run_missing_tool_is_a_user_error():
    with pytest.raises(UserError, match="not available"):
        execute.run(["definitely-not-a-tool"], Logger(io.StringIO()), env={"PATH": "/nonexistent"})


def test_a_tools_python_traceback_is_hidden_at_info_and_shown_at_debug():
    script = ("import sys\n"
              "print('Resolving dependencies...')\n"
              "def inner(): raise ValueError('Pipfile is broken at line 3')\n"
              "inner()\n")
    out = io.StringIO()
    with pytest.raises(UserError) as info:
        execute.run([sys.executable, "-c", script], Logger(stream=out, debug=False))
    logged = out.getvalue()
    assert "Resolving dependencies..." in logged and "ValueError: Pipfile is broken at line 3" in logged
    assert "File \"<string>\"" not in logged and "Traceback" not in logged
    assert "(a Python traceback of 3 lines is hidden; BP_LOG_LEVEL=DEBUG shows it)" in logged
    assert "Traceback" not in info.value.render() and "ValueError: Pipfile is broken" in info.value.render()
    debug = io.StringIO()
    with pytest.raises(UserError):
        execute.run([sys.executable, "-c", script], Logger(stream=debug, debug=True))
    assert "Traceback (most recent call last):" in debug.getvalue() and "File \"<string>\"" in debug.getvalue()
