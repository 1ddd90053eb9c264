#!/usr/bin/env python3
"""make bench: every road through the real builder, beside the lifecycle's floor, in one run.

The floor is pycnb/builder:floor (tools/floor: one no-op shell buildpack on the same stack
images and lifecycle), built here. For the floor, the stdlib app (integration/testdata/web)
and the pip app (integration/testdata/bench, 24 pinned wheels from a loopback index) it
prints the cold build, the warm rebuild after a code-only change (difference and ratio to
the floor's), where that rebuild's time goes (from `pack build --timestamps`), the image
size beside the floor image, and the size of the CPython layer. For the pip app also a
rebuild after one requirement is removed, and plain `python -m venv` + `pip install` on the
host as the install baseline. Then detect times (tools/bench_detect.py).
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from wheels import Index  # noqa: E402

CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
BUILDER = os.environ.get("PYCNB_BUILDER", "pycnb/builder:bookworm")
FLOOR = "pycnb/builder:floor"
# Rebuilds are short and the machine may be shared: the median of a few is the figure.
WARM_RUNS = int(os.environ.get("BENCH_WARM_RUNS", "3"))
_PIP_STEP = re.compile(r"pycnb pip install [\d.]+\n(?:.*\n)*?.*Done in (?P<s>[\d.]+)s")
_STAMP = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+) (.*)$")
# The lifecycle's phase banners under `pack build --timestamps`.
_PHASES = ("ANALYZING", "DETECTING", "RESTORING", "BUILDING", "EXPORTING")


def sh(argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def mirror_settings() -> list[str]:
    out = subprocess.run(["bash", str(REPO / "mirror" / "setup.sh")], stdout=subprocess.PIPE, text=True, check=True)
    return [line for line in out.stdout.splitlines() if "=" in line]


class Build:
    def __init__(self, wall: float, output: str):
        self.wall = wall
        self.output = output

    def phases(self) -> dict[str, float]:
        """Seconds from each phase banner to the next (the last runs to the final line)."""
        marks = []
        for line in self.output.splitlines():
            m = _STAMP.match(line)
            if not m:
                continue
            at = datetime.datetime.strptime(m[1], "%Y/%m/%d %H:%M:%S.%f")
            text = m[2]
            name = next((p for p in _PHASES if f"===> {p}" in text), None)
            if name:
                marks.append((name, at))
            elif "Saving " in text and marks and marks[-1][0] == "EXPORTING":
                marks.append(("saving", at))
            elif "Adding cache layer" in text and marks and marks[-1][0] in ("EXPORTING", "saving"):
                marks.append(("cache export", at))
                marks.append(("", at))  # only the first cache line starts the phase
            last = at
        marks = [m for m in marks if m[0]]
        out = {}
        for (name, at), nxt in zip(marks, marks[1:] + [("end", last)]):
            out[name] = out.get(name, 0.0) + (nxt[1] - at).total_seconds()
        return out


def build(builder: str, image: str, app: Path, env: list[str]) -> Build:
    argv = ["pack", "build", image, "--builder", builder, "--path", str(app), "--network", "host",
            "--pull-policy", "never", "--trust-builder", "--timestamps"]
    for e in env:
        argv += ["--env", e]
    start = time.monotonic()
    proc = sh(argv)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"pack build failed:\n{proc.stdout}")
    return Build(wall, proc.stdout)


def clean(image: str) -> None:
    sh(["docker", "image", "rm", "-f", image])
    key = image.replace("/", "_").replace(":", "_")
    for v in sh(["docker", "volume", "ls", "-q"]).stdout.split():
        if key in v:
            sh(["docker", "volume", "rm", "-f", v])


def image_size(image: str) -> int:
    return int(sh(["docker", "image", "inspect", "--format", "{{.Size}}", image]).stdout.strip())


def dir_size(image: str, path: str) -> int:
    """Bytes under `path` in the image (0 when absent)."""
    proc = sh(["docker", "run", "--rm", "--entrypoint", "du", image, "-sb", path])
    return int(proc.stdout.split()[0]) if proc.returncode == 0 else 0


def touch_code(app: Path, name: str, n: int) -> None:
    (app / name).write_text((app / name).read_text() + f"\n# code-only change {n}\n")


def road(label: str, builder: str, image: str, app: Path, env: list[str], code: str) -> dict:
    clean(image)
    cold = build(builder, image, app, env)
    warms = []
    for n in range(WARM_RUNS):
        touch_code(app, code, n)
        warms.append(build(builder, image, app, env))
    warms.sort(key=lambda b: b.wall)
    return {"label": label, "image": image, "cold": cold, "warm": warms[len(warms) // 2], "warms": warms}


def baseline(app: Path, index_url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env.update(PIP_INDEX_URL=index_url, PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        start = time.monotonic()
        subprocess.run(["python3", "-m", "venv", f"{tmp}/venv"], check=True, env=env)
        subprocess.run([f"{tmp}/venv/bin/pip", "install", "--quiet", "-r", str(app / "requirements.txt")],
                       check=True, env=env)
        return time.monotonic() - start


def floor_builder() -> None:
    proc = sh(["pack", "builder", "create", FLOOR, "--config", str(REPO / "tools" / "floor" / "builder.toml"),
               "--pull-policy", "never"])
    if proc.returncode != 0:
        sys.exit(f"could not create {FLOOR}:\n{proc.stdout}")
    sh(["pack", "config", "trusted-builders", "add", FLOOR])


def main() -> int:
    wheels = CACHE / "wheels" / "apps"
    if not (wheels / ".stamp").exists():
        sys.exit("wheel cache missing: run `make bench` (it fetches the wheels)")
    floor_builder()
    settings = mirror_settings()
    index = Index(wheels)
    roads = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            web = Path(tmp) / "web"
            shutil.copytree(REPO / "integration" / "testdata" / "web", web)
            bench = Path(tmp) / "bench"
            shutil.copytree(REPO / "integration" / "testdata" / "bench", bench)
            pip_env = settings + [f"PIP_INDEX_URL={index.url()}"]
            count = sum(1 for line in (bench / "requirements.txt").read_text().splitlines()
                        if line and not line.startswith("#"))
            roads.append(road("floor (no-op buildpack)", FLOOR, "pycnb-bench/floor", web, [], "server.py"))
            roads.append(road("stdlib app (web)", BUILDER, "pycnb-bench/web", web, settings, "server.py"))
            roads.append(road(f"pip app ({count} wheels)", BUILDER, "pycnb-bench/app", bench, pip_env, "app.py"))
            for r in roads[1:]:
                if "Reusing layer 'cpython'" not in r["warm"].output:
                    sys.exit(f"{r['label']}: the warm rebuild did not reuse the cpython layer:\n" + r["warm"].output)
            if "Reusing layer 'packages'" not in roads[2]["warm"].output:
                sys.exit("the warm rebuild did not reuse the packages layer:\n" + roads[2]["warm"].output)
            for r in roads:
                r["size"] = image_size(r["image"])
                r["cpython"] = dir_size(r["image"], "/layers/pycnb_cpython/cpython")
            reqs = (bench / "requirements.txt").read_text()
            (bench / "requirements.txt").write_text(reqs.replace("tabulate==0.10.0\n", ""))
            changed = build(BUILDER, "pycnb-bench/app", bench, pip_env)
            pip_step = [_PIP_STEP.search(b.output) for b in (roads[2]["cold"], roads[2]["warm"], changed)]
            base = baseline(bench, index.url())
    finally:
        index.close()
        for r in roads:
            clean(r["image"])
    floor = roads[0]
    print(f"builds beside the floor ({FLOOR}); warm = median of {WARM_RUNS} code-only rebuilds")
    print(f"  {'':<26} {'cold':>7} {'warm':>7} {'warm-floor':>11} {'warm/floor':>11} {'image MB':>9} {'+floor MB':>9}"
          f" {'cpython MB':>10}")
    for r in roads:
        diff = r["warm"].wall - floor["warm"].wall
        print(f"  {r['label']:<26} {r['cold'].wall:6.1f}s {r['warm'].wall:6.2f}s {diff:+10.2f}s "
              f"{r['warm'].wall / floor['warm'].wall:10.2f}x {r['size'] / 1e6:9.1f} "
              f"{(r['size'] - floor['size']) / 1e6:+9.1f} {r['cpython'] / 1e6:10.1f}")
    print("  where the warm rebuild goes (pack --timestamps, s):")
    names = ["ANALYZING", "DETECTING", "RESTORING", "BUILDING", "EXPORTING", "saving", "cache export"]
    print(f"  {'':<26} " + " ".join(f"{n.lower():>12}" for n in names))
    for r in roads:
        ph = r["warm"].phases()
        print(f"  {r['label']:<26} " + " ".join(f"{ph.get(n, 0.0):12.2f}" for n in names))
    print(f"  pip app, one requirement removed: {changed.wall:.1f}s")
    print("  pip-install step: cold {}, warm {}, one removed {}".format(
        *[f"{float(m['s']):.2f}s" if m else "n/a" for m in pip_step]))
    print(f"  baseline, host python -m venv + pip install (no cache): {base:.2f}s")
    sys.stdout.flush()
    return subprocess.call([sys.executable, str(REPO / "tools" / "bench_detect.py")])


if __name__ == "__main__":
    sys.exit(main())
