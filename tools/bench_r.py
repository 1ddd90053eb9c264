#!/usr/bin/env python3
"""make bench, R part: the plumber app of integration/testdata/r-plumber through the real
builder — a cold build (no image, no cache volumes), warm rebuilds after code-only changes (the
median of WARM_RUNS: the first one still restores R, cached by the cold build, once), and the
r-minicran step alone (its own "Done in" time from the build log), from the mirror's
binary repository. PYCNB_BENCH_R_SOURCE=1 adds a cold build from the source repository, where
r-minicran compiles the plumber closure (several minutes on 2 cores).

Standalone on purpose (tools/bench.py is the pip benchmark): it reads the same settings,
`make -s mirror`'s output, and PYCNB_BUILDER.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILDER = os.environ.get("PYCNB_BUILDER", "pycnb/builder:bookworm")
IMAGE = "pycnb-bench/r"
WARM_RUNS = 3
# libbuild/log.py writes "Done in 12.34s", or "Done in 1m05.2s" past a minute.
_DONE = r"(?:.*\n)*?.*Done in (?:(?P<m>\d+)m)?(?P<s>[\d.]+)s"
STEPS = {"r": re.compile(r"pycnb R [\d.]+\n" + _DONE),
         "r-minicran": re.compile(r"pycnb R packages from miniCRAN [\d.]+\n" + _DONE)}


def sh(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def settings() -> dict[str, str]:
    out = subprocess.run(["bash", str(REPO / "mirror" / "setup.sh")], stdout=subprocess.PIPE, text=True, check=True)
    pairs = (line.split("=", 1) for line in out.stdout.splitlines() if "=" in line and not line.startswith("--"))
    return dict(pairs)


def clean() -> None:
    sh(["docker", "image", "rm", "-f", IMAGE])
    for vol in sh(["docker", "volume", "ls", "-q"]).stdout.split():
        if "pycnb-bench_r" in vol:
            sh(["docker", "volume", "rm", "-f", vol])


def seconds(log: str, step: str) -> float:
    match = STEPS[step].search(log)
    return 60 * int(match["m"] or 0) + float(match["s"]) if match else float("nan")


def build(app: Path, env: dict[str, str]) -> tuple[float, str]:
    argv = ["pack", "build", IMAGE, "--builder", BUILDER, "--path", str(app), "--network", "host",
            "--pull-policy", "never", "--trust-builder"]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    start = time.monotonic()
    proc = sh(argv)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"pack build failed:\n{proc.stdout}")
    return wall, proc.stdout


def main() -> int:
    env = settings()
    if "BP_R_REPOS" not in env:
        sys.exit("`make -s mirror` printed no BP_R_REPOS: the mirror has no R repository yet")
    source_repo = env["BP_R_REPOS"].rstrip("/")
    binary_repo = source_repo.rsplit("/", 1)[0] + "/cran-bin/4.5/debian-12"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "r-plumber"
        shutil.copytree(REPO / "integration" / "testdata" / "r-plumber", app)
        try:
            clean()
            cold, log = build(app, {**env, "BP_R_REPOS": binary_repo})
            rows.append(("cold (binary repository)", cold, seconds(log, "r"), seconds(log, "r-minicran")))
            warm = []
            for n in range(WARM_RUNS):
                (app / "api.R").write_text((app / "api.R").read_text() + f"\n# code-only change {n}\n")
                wall, log = build(app, {**env, "BP_R_REPOS": binary_repo})
                if "Reusing layer 'r-library'" not in log:
                    sys.exit("the warm rebuild did not reuse the r-library layer:\n" + log)
                warm.append((wall, seconds(log, "r"), seconds(log, "r-minicran")))
            rows.append((f"warm (code-only, median of {WARM_RUNS})", *(statistics.median(c) for c in zip(*warm))))
            if os.environ.get("PYCNB_BENCH_R_SOURCE") == "1":
                clean()
                cold_src, log = build(app, {**env, "BP_R_REPOS": source_repo})
                rows.append(("cold (source repository, compiled)", cold_src, seconds(log, "r"), seconds(log, "r-minicran")))
        finally:
            clean()
    print("R benchmark: integration/testdata/r-plumber (plumber and its closure), R 4.5.0 prebuilt")
    print(f"  {'':<38} {'pack build':>10} {'r step':>8} {'r-minicran step':>16}")
    for label, wall, r_step, minicran in rows:
        print(f"  {label:<38} {wall:9.1f}s {r_step:7.2f}s {minicran:15.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
