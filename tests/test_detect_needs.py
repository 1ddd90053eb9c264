"""detect-needs.txt: the launcher fails a detect in the shell when none of what a buildpack
needs is there. Sound only if the Python detect fails on every such app too: checked here on an
app holding every manifest any pycnb buildpack reads, minus what the list names."""
from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess

import pytest

from harness import BUILDPACKS, bp_path

# Plausible contents, so a detect that reads a file sees a real one.
RICH_APP = {
    "requirements.txt": "flask==3.1.3\n", "Pipfile": "[packages]\nflask = \"*\"\n", "Pipfile.lock": "{}\n",
    "pyproject.toml": "[project]\nname = \"app\"\nversion = \"0\"\nrequires-python = \">=3.9\"\n",
    "uv.lock": "version = 1\n", "poetry.lock": "# poetry\n", "setup.py": "print()\n", "setup.cfg": "[metadata]\n",
    "environment.yml": "dependencies: [python=3.11]\n", "environment.yaml": "dependencies: [python=3.11]\n",
    "package-list.txt": "@EXPLICIT\n", "conda-lock.yml": "version: 1\n", "pixi.lock": "version: 5\n",
    "explicit.lock": "@EXPLICIT\n", ".python-version": "3.11\n", "runtime.txt": "python-3.11.2\n",
    "app.py": "print('hi')\n", "manage.py": "import django\n", "Procfile": "web: python app.py\n",
    "pipper.json": "{}\n", "pipper.yaml": "{}\n", "renv.lock": "{\"R\": {\"Version\": \"4.5.0\"}}\n",
    "r-packages.txt": "R6\n", "DESCRIPTION": "Package: app\nImports: R6\n", "api.R": "1\n",
}


def needs(name: str) -> list[tuple[str, str]]:
    lines = (BUILDPACKS / name / "detect-needs.txt").read_text().splitlines()
    return [tuple(line.split(None, 1) + [""])[:2] for line in lines if line.strip() and not line.startswith("#")]


WITH_NEEDS = sorted(p.parent.name for p in BUILDPACKS.glob("*/detect-needs.txt"))


def test_the_consumers_have_lists():
    assert {"pip-install", "uv-install", "pipenv-install", "poetry-install", "conda-env-update", "r-minicran",
            "python-start", "procfile"} <= set(WITH_NEEDS)


def _excluded(name: str, wanted: list[tuple[str, str]]) -> bool:
    return any((kind == "file" and name == value) or (kind == "glob" and fnmatch.fnmatch(name, value))
               for kind, value in wanted)


@pytest.mark.parametrize("buildpack", WITH_NEEDS)
def test_the_python_detect_fails_without_anything_the_list_names(tree, buildpack):
    """One file at a time (beside app.py when the list does not name it): a file of another
    manager would make many detects opt out for that reason and hide a gap in the list."""
    wanted = needs(buildpack)
    assert wanted and all(kind in ("file", "glob", "setting", "bindings") for kind, _ in wanted)
    if not any(kind == "bindings" for kind, _ in wanted):
        tree.binding("certs", "ca-certificates", {"ca.crt": "x"})
    others = [name for name in RICH_APP if not _excluded(name, wanted)]
    for name in others:
        for path in tree.app.iterdir():
            path.unlink()
        tree.write(name, RICH_APP[name])
        if "app.py" in others:
            tree.write("app.py", RICH_APP["app.py"])
        # BP_LOG_LEVEL=DEBUG skips the shell's check: this is the Python detect's own verdict.
        run = tree.detect(buildpack, BP_LOG_LEVEL="DEBUG")
        assert run.code == 100, (f"{buildpack} passes detect with only {name} in the app, which its "
                                 f"detect-needs.txt rejects:\n{run.output}")


@pytest.mark.parametrize("buildpack", WITH_NEEDS)
def test_the_shell_fails_fast_naming_what_is_missing_and_lets_each_need_through(tree, buildpack):
    shell = tree.detect(buildpack)
    assert shell.code == 100
    assert shell.output.startswith("no ") and "Traceback" not in shell.output
    kind, value = needs(buildpack)[0]
    if kind == "file":
        tree.write(value, RICH_APP.get(value, "x\n"))
    elif kind == "bindings":
        tree.binding("certs", "ca-certificates", {"ca.crt": "x"})
    passed = tree.detect(buildpack)
    assert passed.output != shell.output  # the Python detect ran and gave its own verdict


def test_a_setting_is_a_need_from_a_platform_file_or_the_environment(tree):
    assert tree.detect("pip-install").output.startswith("no requirements.txt")
    tree.write("reqs/prod.txt", "flask==3.1.3\n")
    tree.set_env("BP_PIP_REQUIREMENT", "reqs/prod.txt")
    run = tree.detect("pip-install")
    assert run.code == 0, run.output
    assert tree.detect("uv-install", BP_PIP_REQUIREMENT="x").output.startswith("no uv.lock")


def test_a_glob_matches_any_python_file(tree):
    assert tree.detect("python-start").code == 100
    tree.write("worker.py", "print()\n")
    assert tree.detect("python-start").code == 0


def _bare_detect(tree, argv0: str) -> subprocess.CompletedProcess:
    """bin/detect with only what the lifecycle always sets: no BP_LOG_LEVEL in the environment,
    as for a clear-env buildpack, whose settings the launcher reads from the platform's files."""
    env = {"PATH": "/usr/bin:/bin", "CNB_PLATFORM_DIR": str(tree.platform),
           "CNB_BUILD_PLAN_PATH": str(tree.root / "plan.toml")}
    return subprocess.run([argv0], cwd=tree.app, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("level", ["DEBUG", "debug\n"])
def test_debug_from_the_platform_file_runs_the_python_detect(tree, level):
    detect = str(bp_path("pip-install") / "bin" / "detect")
    assert _bare_detect(tree, detect).stdout.startswith("no requirements.txt")
    (tree.platform / "env").mkdir(parents=True, exist_ok=True)
    (tree.platform / "env" / "BP_LOG_LEVEL").write_text(level)  # with or without a final newline
    run = _bare_detect(tree, detect)
    assert run.returncode == 100 and "pycnb/pip-install: no requirements.txt" in run.stdout, run.stdout


def test_the_launcher_finds_its_buildpack_from_a_relative_path(tree):
    tree.write("requirements.txt", "flask==3.1.3\n")
    relative = os.path.relpath(bp_path("pip-install") / "bin" / "detect", tree.app)
    run = _bare_detect(tree, relative)
    assert run.returncode == 0, run.stdout
    assert "flask" not in run.stdout and (tree.root / "plan.toml").read_text().count("site-packages")


WITH_PLAN = sorted(p.parent.name for p in BUILDPACKS.glob("*/detect-plan.toml"))


def _plan(tree) -> dict:
    from libbuild import tomlfile
    path = tree.root / "plan.toml"
    return tomlfile.read(path) if path.exists() else {}  # a detect that passes with no plan writes none


def _apps_meeting_needs(tree, buildpack: str) -> list[dict[str, str]]:
    """Apps that meet the buildpack's needs, each in one way (the full app meets them all)."""
    if not (BUILDPACKS / buildpack / "detect-needs.txt").exists():
        return [{}, RICH_APP]
    apps = [RICH_APP]
    for kind, value in needs(buildpack):
        if kind == "file":
            apps.append({value: RICH_APP.get(value, "x\n")})
        elif kind == "glob":
            name = next(n for n in RICH_APP if fnmatch.fnmatch(n, value))
            apps.append({name: RICH_APP[name]})
        else:
            raise AssertionError(f"{buildpack}: add a case for a {kind} need with a static plan")
    return apps


def test_the_tools_that_always_pass_have_static_plans():
    assert {"uv", "miniconda", "r", "procfile"} <= set(WITH_PLAN)


@pytest.mark.parametrize("buildpack", WITH_PLAN)
def test_a_static_plan_is_what_the_python_detect_writes_whenever_the_needs_are_met(tree, buildpack):
    from libbuild import tomlfile
    static = tomlfile.read(BUILDPACKS / buildpack / "detect-plan.toml")
    for app in _apps_meeting_needs(tree, buildpack):
        for path in tree.app.iterdir():
            path.unlink()
        for name, text in app.items():
            tree.write(name, text)
        run = tree.detect(buildpack, BP_LOG_LEVEL="DEBUG")  # the Python detect
        assert run.code == 0, run.output
        assert _plan(tree) == static, f"{buildpack}: detect-plan.toml is stale for an app of {sorted(app)}"


@pytest.mark.parametrize("buildpack", WITH_PLAN)
def test_a_static_plan_is_written_without_python(tree, tmp_path, buildpack):
    # A copy whose Python cannot start (no libbuild beside it): only the shell can pass it.
    copy = tmp_path / buildpack
    shutil.copytree(BUILDPACKS / buildpack, copy, symlinks=False)
    for name, text in _apps_meeting_needs(tree, buildpack)[-1].items():
        tree.write(name, text)
    run = tree.detect(str(copy))
    assert run.code == 0 and run.output == "", run.output
    assert (tree.root / "plan.toml").read_text() == (copy / "detect-plan.toml").read_text()
    assert tree.detect(str(copy), BP_LOG_LEVEL="DEBUG").code == 1  # the Python detect did run: it cannot here


def test_a_dangling_link_meets_a_file_need_as_the_python_detect_sees_it(tree):
    (tree.app / "Procfile").symlink_to("/nonexistent/Procfile")
    assert tree.detect("procfile").code == 0
    assert tree.detect("procfile", BP_LOG_LEVEL="DEBUG").code == 0
