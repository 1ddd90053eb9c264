"""tools/builder_config.py: the builder.toml `make builder` and `make publish` hand to pack, and
the platform settings (BUILD_ENV=FILE) it bakes in as [[build.env]] defaults."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
from builder_config import read_env_file, write  # noqa: E402

from libbuild import tomlfile  # noqa: E402

TOOL = REPO / "tools" / "builder_config.py"


def test_settings_become_build_env_defaults_the_users_env_overrides(tmp_path):
    env_file = tmp_path / "platform.env"
    env_file.write_text("# the platform's mirror\nBP_DEPENDENCY_MIRROR=http://127.0.0.1:8642/{originalHost}\n\n"
                        "PIP_INDEX_URL=https://pypi.internal/simple\n")
    out = subprocess.run([sys.executable, str(TOOL), "trixie", "--env-file", str(env_file)],
                         stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    config = tomlfile.read(out)
    assert out.endswith("builder-trixie-env.toml")
    assert config["build"]["image"] == "pycnb/build:trixie"
    assert config["build"]["env"] == [
        {"name": "BP_DEPENDENCY_MIRROR", "value": "http://127.0.0.1:8642/{originalHost}", "suffix": "default"},
        {"name": "PIP_INDEX_URL", "value": "https://pypi.internal/simple", "suffix": "default"}]


def test_no_env_file_writes_no_build_env():
    # `make builder` passes --env-file "" when BUILD_ENV is not set.
    out = subprocess.run([sys.executable, str(TOOL), "bookworm", "--env-file", ""], stdout=subprocess.PIPE,
                         text=True, check=True).stdout.strip()
    assert out.endswith("builder-bookworm.toml") and "env" not in tomlfile.read(out)["build"]
    assert "env" not in tomlfile.read(write("bookworm"))["build"]


@pytest.mark.parametrize("line", [
    "PIP_INDEX_URL=https://deploy:hunter2-secret@pypi.internal/simple",
    "BP_DEPENDENCY_MIRROR=http://user:hunter2-secret@127.0.0.1:8642/{originalHost}",
    "AWS_SECRET_ACCESS_KEY=hunter2-secret",
    "GITHUB_TOKEN=hunter2-secret",
    "ARTIFACTORY_API_KEY=hunter2-secret",
])
def test_a_credential_is_refused_without_being_shown(tmp_path, line):
    env_file = tmp_path / "platform.env"
    env_file.write_text(f"BP_CPYTHON_DEFAULT_VERSION=3.13.15\n{line}\n")
    proc = subprocess.run([sys.executable, str(TOOL), "bookworm", "--env-file", str(env_file)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.returncode != 0 and proc.stdout == ""
    assert "looks like a credential" in proc.stderr and "binding" in proc.stderr
    assert "hunter2" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("text", ["no equals sign\n", "1BAD=x\n", "=value\n"])
def test_a_malformed_line_names_the_file_and_line(tmp_path, text):
    env_file = tmp_path / "platform.env"
    env_file.write_text(f"OK=1\n{text}")
    with pytest.raises(SystemExit) as exc:
        read_env_file(env_file)
    assert f"{env_file}:2: expected NAME=VALUE" in str(exc.value)


def test_a_missing_env_file_is_one_message(tmp_path):
    with pytest.raises(SystemExit) as exc:
        read_env_file(tmp_path / "absent.env")
    assert "cannot read the builder's env file" in str(exc.value)
