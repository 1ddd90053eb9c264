#!/usr/bin/env python3
"""make bench, Poetry part: poetry-install through the real builder for the same 24 pinned
distributions as tools/bench.py (locked by real Poetry against the same loopback index),
cold and warm, beside the plain-pip baseline that tools/bench.py measures the same way.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import BUILDER, CACHE, REPO, baseline, host_tool, mirror_settings, sh  # noqa: E402
from wheels import Index  # noqa: E402  (bench put tests/ on sys.path)

IMAGE = "pycnb-bench/poetry"  # apart from tools/bench.py's image: the two may run side by side
# libbuild/log.py writes "Done in 12.34s", or "Done in 1m05.2s" past a minute.
_STEP = re.compile(r"pycnb Poetry install [\d.]+\n(?:.*\n)*?.*Done in (?:(?P<m>\d+)m)?(?P<s>[\d.]+)s")


def poetry_project(src: Path, dest: Path, poetry: Path, index_url: str) -> int:
    """The bench requirements as a Poetry project (not a package), locked against the index."""
    shutil.copytree(src, dest)
    reqs = [line for line in (dest / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    (dest / "requirements.txt").unlink()
    (dest / ".python-version").write_text("3.11.2\n")  # a release the mirror serves (3.11 resolves to one it may not)
    (dest / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0"\nrequires-python = ">=3.11,<3.12"\n'
        "dependencies = [" + ", ".join(f'"{r}"' for r in reqs) + "]\n\n[tool.poetry]\npackage-mode = false\n\n"
        f'[[tool.poetry.source]]\nname = "local"\nurl = "{index_url}"\npriority = "primary"\n')
    env = {**os.environ, "POETRY_CACHE_DIR": str(dest.parent / "poetry-cache"), "POETRY_NO_INTERACTION": "1",
           "POETRY_CONFIG_DIR": str(dest.parent / "poetry-config"), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    subprocess.run([str(poetry), "lock"], cwd=dest, env=env, check=True, stdout=subprocess.DEVNULL)
    return len(reqs)


def main() -> int:
    apps, tools = CACHE / "wheels" / "apps", CACHE / "wheels" / "poetry"
    if not (apps / ".stamp").exists() or not (tools / ".stamp").exists():
        sys.exit("wheel caches missing: run `make bench` (it fetches the wheels)")
    settings = mirror_settings()
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(tmp) / "wheels"
        wheels.mkdir()
        for whl in [*apps.glob("*.whl"), *tools.glob("*.whl")]:
            if not (wheels / whl.name).exists():
                (wheels / whl.name).symlink_to(whl)
        poetry = host_tool(Path(tmp), "poetry", tools)
        index = Index(wheels)
        try:
            project = Path(tmp) / "bench-poetry"
            count = poetry_project(REPO / "integration" / "testdata" / "bench", project, poetry, index.url())
            env = settings + [f"PIP_INDEX_URL={index.url()}"]
            clean()
            cold = build(project, env)
            (project / "app.py").write_text((project / "app.py").read_text() + "\n# code-only change\n")
            warm = build(project, env)
            if "Reusing layer 'packages'" not in warm[2]:
                sys.exit("the warm poetry-install rebuild did not reuse the packages layer:\n" + warm[2])
            (project / "requirements.txt").write_text("\n".join(
                line for line in (REPO / "integration" / "testdata" / "bench" / "requirements.txt").read_text().splitlines()))
            base = baseline(project, index.url())
        finally:
            index.close()
            clean()
    print(f"poetry-install benchmark: the same {count} pinned distributions as a poetry.lock, same loopback index")
    print(f"  {'':<36} {'pack build':>10} {'install step':>13}")
    for label, (wall, step, _) in (("poetry-install, cold", cold), ("poetry-install, warm (code-only)", warm)):
        print(f"  {label:<36} {wall:9.1f}s {step:12.2f}s")
    print(f"  baseline, host python -m venv + pip install (no cache): {base:.2f}s; "
          f"cold poetry-install step / baseline: {cold[1] / base:.2f}x")
    print("  (the cold build includes installing Poetry itself into its build-only layer)")
    return 0


def clean() -> None:
    sh(["docker", "image", "rm", "-f", IMAGE])
    for vol in sh(["docker", "volume", "ls", "-q"]).stdout.split():
        if "pycnb-bench_poetry" in vol:
            sh(["docker", "volume", "rm", "-f", vol])


def build(app: Path, env: list[str]) -> tuple[float, float, str]:
    """Wall time of `pack build`, and the poetry-install step's own time from its log."""
    argv = ["pack", "build", IMAGE, "--builder", BUILDER, "--path", str(app), "--network", "host",
            "--pull-policy", "never", "--trust-builder"]
    for e in env:
        argv += ["--env", e]
    start = time.monotonic()
    proc = sh(argv)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"pack build failed:\n{proc.stdout}")
    step = _STEP.search(proc.stdout)
    seconds = 60 * int(step["m"] or 0) + float(step["s"]) if step else float("nan")
    return wall, seconds, proc.stdout


if __name__ == "__main__":
    sys.exit(main())
