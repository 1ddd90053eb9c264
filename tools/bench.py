#!/usr/bin/env python3
"""make bench: every road through the real builder, beside the lifecycle's floor, in one run.

The floor is pycnb/builder:floor (tools/floor: one no-op shell buildpack on the same stack
images and lifecycle), built here. For the floor and each road — the stdlib app
(integration/testdata/web), the pip app (integration/testdata/bench, 24 pinned wheels from a
loopback index), the same with BP_PIP_INSTALLER=uv, the same set as a uv project (uv-install),
as a Pipfile.lock (pipenv-install) and as a poetry.lock (poetry-install), the conda app
(integration/testdata/conda-flask) and the R plumber app (integration/testdata/r-plumber, from
the mirror's binary repository) — it prints the cold build; the warm rebuild after a
code-only change (median of BENCH_WARM_RUNS), as a difference and a ratio to the floor's and
beside the floor carrying as many bytes as the road's image (the app's floor-mb file: the
lifecycle's export cost grows with the bytes it reuses); the same warm rebuild published to a registry
on 127.0.0.1 (tools/registry.sh) beside the floor's, since a daemon export reads, gzips and
hashes every reused layer from pack's launch cache and sends it to the engine again, and a
registry export does not; where that rebuild's time goes (`pack build --timestamps`); the
image size beside the floor image; and the CPython layer beside the same prebuilt interpreter
packed as an official slim image packs it (no bytecode), with what the bytecode saves at
every container start. For the pip app also a rebuild after one requirement is
removed and the code-only rebuild after it, each install step's own time, and plain
`python -m venv` + `pip install` on the host as the install baseline.

The roads build with a plain `pack build` on the builder a platform team would publish for this
machine's mirror: pycnb-bench/builder:platform, the suite with the mirror's settings (and the
loopback index) baked in as [[build.env]] defaults (tools/builder_config.py --env-file). The
floor with the same settings given as --env, and the pip app built that way on the plain
builder, show what pack's temporary builder for --env adds to every build. Then detect times
(tools/bench_detect.py); `make bench` runs tools/bench_poetry.py and tools/bench_r.py after it.
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
# Detect is timed on the python3 of the build image the builder is made from (Makefile: DISTRO).
BUILD_IMAGE = os.environ.get("PYCNB_BUILD_IMAGE", "pycnb/build:bookworm")
RUN_IMAGE = os.environ.get("PYCNB_RUN_IMAGE", "pycnb/run:bookworm")
# Rebuilds are short and the machine may be shared: the median of a few is the figure.
WARM_RUNS = int(os.environ.get("BENCH_WARM_RUNS", "3"))
_PIP_STEP = re.compile(r"pycnb pip install [\d.]+\n(?:.*\n)*?.*Done in (?P<s>[\d.]+)s")
_UV_STEP = re.compile(r"pycnb uv install [\d.]+\n(?:.*\n)*?.*Done in (?P<s>[\d.]+)s")
_STAMP = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+) (.*)$")
# The lifecycle's phase banners under `pack build --timestamps`.
_PHASES = ("ANALYZING", "DETECTING", "RESTORING", "BUILDING", "EXPORTING")


def sh(argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def mirror_output() -> list[str]:
    out = subprocess.run(["bash", str(REPO / "mirror" / "setup.sh")], stdout=subprocess.PIPE, text=True, check=True)
    return out.stdout.splitlines()


def mirror_settings() -> list[str]:
    return [line for line in mirror_output() if "=" in line and not line.startswith("--")]


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


def build(builder: str, image: str, app: Path, env: list[str], args: list[str] = ()) -> Build:
    argv = ["pack", "build", image, "--builder", builder, "--path", str(app), "--network", "host",
            "--pull-policy", "never", "--trust-builder", "--timestamps", *args]
    for e in env:
        argv += ["--env", e]
    for attempt in (1, 2):
        start = time.monotonic()
        proc = sh(argv)
        wall = time.monotonic() - start
        # A busy shared engine sometimes drops the exporter's connection: measure that build again.
        if proc.returncode == 0 or "error during connect" not in proc.stdout or attempt == 2:
            break
        print("bench: the Docker engine dropped the connection during export; building again", file=sys.stderr)
    if proc.returncode != 0:
        sys.exit(f"pack build failed:\n{proc.stdout}")
    return Build(wall, proc.stdout)


def step(b: Build, pattern: re.Pattern) -> float:
    m = pattern.search(b.output)
    return float(m["s"]) if m else float("nan")


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


def road(label: str, builder: str, image: str, app: Path, env: list[str], code: str, args: list[str] = ()) -> dict:
    clean(image)
    cold = build(builder, image, app, env, args)
    warms = []
    for n in range(WARM_RUNS):
        touch_code(app, code, n)
        warms.append(build(builder, image, app, env, args))
    warms.sort(key=lambda b: b.wall)
    return {"label": label, "image": image, "cold": cold, "warm": warms[len(warms) // 2], "warms": warms,
            "again": (builder, app, env, code, list(args))}


def published(r: dict, registry: str, run_image: str) -> dict:
    """The road again, exporting to the registry (as kpack and Tekton do) instead of the daemon."""
    builder, app, env, code, args = r["again"]
    return road(r["label"], builder, f"{registry}/{r['image']}", app, env, code,
                args + ["--publish", "--run-image", run_image])


def registry_with_run_image() -> tuple[str, str]:
    """The loopback registry (tools/registry.sh) and the stack's run image pushed to it: a
    published build reads its run image from the registry."""
    out = subprocess.run(["bash", str(REPO / "tools" / "registry.sh")], stdout=subprocess.PIPE, text=True, check=True)
    registry = out.stdout.strip().split("=", 1)[1]
    remote = f"{registry}/{RUN_IMAGE}"
    for argv in (["docker", "tag", RUN_IMAGE, remote], ["docker", "push", "--quiet", remote]):
        proc = sh(argv)
        if proc.returncode != 0:
            sys.exit(f"bench: `{' '.join(argv)}` failed:\n{proc.stdout}")
    return registry, remote


def baseline(app: Path, index_url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env.update(PIP_INDEX_URL=index_url, PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        start = time.monotonic()
        subprocess.run(["python3", "-m", "venv", f"{tmp}/venv"], check=True, env=env)
        subprocess.run([f"{tmp}/venv/bin/pip", "install", "--quiet", "-r", str(app / "requirements.txt")],
                       check=True, env=env)
        return time.monotonic() - start


PLATFORM = "pycnb-bench/builder:platform"


def platform_builder(settings: list[str]) -> None:
    """The suite with this machine's mirror settings as the builder's defaults (make builder BUILD_ENV=...)."""
    sys.path.insert(0, str(REPO / "tools"))
    from builder_config import write
    distro = BUILD_IMAGE.rsplit(":", 1)[1]
    config = write(distro, env=dict(line.split("=", 1) for line in settings))
    proc = sh(["pack", "builder", "create", PLATFORM, "--config", str(config), "--pull-policy", "never"])
    if proc.returncode != 0:
        sys.exit(f"could not create {PLATFORM}:\n{proc.stdout}")
    sh(["pack", "config", "trusted-builders", "add", PLATFORM])


def floor_builder() -> None:
    proc = sh(["pack", "builder", "create", FLOOR, "--config", str(REPO / "tools" / "floor" / "builder.toml"),
               "--pull-policy", "never"])
    if proc.returncode != 0:
        sys.exit(f"could not create {FLOOR}:\n{proc.stdout}")
    sh(["pack", "config", "trusted-builders", "add", FLOOR])


def host_uv() -> Path:
    """The uv binary of the catalog's default wheel (tools/fetch-uv.py caches it)."""
    import zipfile
    wheel = Path(subprocess.run([sys.executable, str(REPO / "tools" / "fetch-uv.py")], stdout=subprocess.PIPE,
                                text=True, check=True).stdout.strip())
    dest = Path(tempfile.mkdtemp(prefix="bench-uv-")) / "uv"
    with zipfile.ZipFile(wheel) as zf:
        dest.write_bytes(zf.read(next(n for n in zf.namelist() if n.endswith(".data/scripts/uv"))))
    dest.chmod(0o755)
    return dest


def uv_project(src: Path, dest: Path, uv: Path, index_url: str) -> None:
    """The bench requirements as a uv project, locked against the loopback index."""
    shutil.copytree(src, dest)
    reqs = [line for line in (dest / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    (dest / "requirements.txt").unlink()
    (dest / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\nrequires-python = ">=3.11,<3.12"\n'
                                         "dependencies = [" + ", ".join(f'"{r}"' for r in reqs) + "]\n")
    (dest / ".python-version").write_text("3.11.2\n")  # a release the mirror serves (3.11 resolves to one it may not)
    env = {**os.environ, "UV_DEFAULT_INDEX": index_url, "UV_NO_CACHE": "1", "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([str(uv), "lock", "--quiet"], cwd=dest, env=env, check=True)


def host_tool(tmp: Path, name: str, wheels: Path) -> Path:
    """pipenv or poetry in a venv of its own, from the wheel cache (`make bench` fills it)."""
    venv = tmp / f"{name}-venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-index", "--find-links", str(wheels), name],
                   check=True)
    return venv / "bin" / name


def pipenv_project(src: Path, dest: Path, pipenv: Path, index_url: str) -> None:
    """The bench requirements as a Pipfile, locked against the loopback index."""
    shutil.copytree(src, dest)
    reqs = [line for line in (dest / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    (dest / "requirements.txt").unlink()
    packages = "".join(f'{name} = "=={version}"\n' for name, version in (r.split("==") for r in reqs))
    (dest / "Pipfile").write_text(f'[[source]]\nurl = "{index_url}"\nverify_ssl = false\nname = "local"\n\n'
                                  f'[packages]\n{packages}\n[requires]\npython_full_version = "3.11.2"\n')
    env = {**os.environ, "PIPENV_VERBOSITY": "-1", "PIPENV_YES": "1", "PIPENV_IGNORE_VIRTUALENVS": "1",
           "WORKON_HOME": str(dest.parent / "pipenv-venvs"), "PIPENV_PIPFILE": str(dest / "Pipfile")}
    subprocess.run([str(pipenv), "lock", "--python", "python3"], cwd=dest, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# What a web app's start imports, to weigh the bytecode the CPython layer carries.
_WEB_IMPORTS = "import http.server, json, email.message, asyncio, logging, argparse, decimal, ssl, sqlite3, urllib.request"


def interpreter_figures(image: str) -> dict:
    """The CPython layer as shipped, and the same prebuilt CPython packed as an official slim
    image packs it (its Dockerfile keeps pip, IDLE and the rest, and deletes every .pyc); and
    the median time of importing _WEB_IMPORTS in a fresh interpreter with the layer's bytecode
    and without any (compiled from source each start, as in a slim image whose stdlib is not
    writable)."""
    layer = "/layers/pycnb_cpython/cpython"
    script = (f"py={layer}/bin/python3; du -sb {layer} | cut -f1; $py -c 'import platform; print(platform.python_version())'; "
              ". /etc/os-release; echo $ID-$VERSION_ID; "
              "t() { s=$(date +%s%N); \"$@\" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }; "
              f"for i in 1 2 3 4 5 6 7; do t $py -c '{_WEB_IMPORTS}'; "
              f"t $py -B -X pycache_prefix=/tmp/none -c '{_WEB_IMPORTS}'; done")
    out = sh(["docker", "run", "--rm", "--entrypoint", "bash", image, "-c", script]).stdout.split()
    total, version, distro, times = int(out[0]), out[1], out[2], [int(x) / 1000 for x in out[3:]]  # ms
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return {"layer": total, "version": version, "slim": slim_size(version, distro.replace("-", "_")),
            "with": median(times[0::2]), "without": median(times[1::2])}


def slim_size(version: str, distro: str) -> int:
    """Bytes of the mirror's prebuilt CPython (what the layer is made from) with every .pyc
    deleted, measured as the layer is (du -sb)."""
    tarball = CACHE / "mirror" / "prebuilt" / "cpython" / version / f"cpython_{version}_linux_amd64_{distro}.tgz"
    if not tarball.is_file():
        sys.exit(f"bench: {tarball} missing (mirror/setup.sh builds it)")
    with tempfile.TemporaryDirectory() as tmp:
        sh(["tar", "-xzf", str(tarball), "-C", tmp])
        sh(["find", tmp, "-name", "*.pyc", "-delete"])
        sh(["find", tmp, "-depth", "-type", "d", "-name", "__pycache__", "-empty", "-delete"])
        return int(sh(["du", "-sb", tmp]).stdout.split()[0])


def expect(r: dict, *lines: str) -> None:
    for line in lines:
        if line not in r["warm"].output:
            sys.exit(f"{r['label']}: the warm rebuild did not log {line!r}:\n" + r["warm"].output)


def main() -> int:
    wheels = CACHE / "wheels" / "apps"
    if not (wheels / ".stamp").exists():
        sys.exit("wheel cache missing: run `make bench` (it fetches the wheels)")
    floor_builder()
    out = mirror_output()  # one run of mirror/setup.sh
    settings = [line for line in out if "=" in line and not line.startswith("--")]
    args = [a for line in out if line.startswith("--") for a in line.split(None, 1)]
    # One loopback index for the apps' wheels and the tools pipenv and Poetry install at build.
    combined = Path(tempfile.mkdtemp(prefix="bench-wheels-"))
    for source in (wheels, CACHE / "wheels" / "pipenv", CACHE / "wheels" / "poetry"):
        for whl in source.glob("*.whl"):
            if not (combined / whl.name).exists():
                (combined / whl.name).symlink_to(whl)
    index = Index(combined)
    roads = []
    uv = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            web = Path(tmp) / "web"
            shutil.copytree(REPO / "integration" / "testdata" / "web", web)
            bench = Path(tmp) / "bench"
            shutil.copytree(REPO / "integration" / "testdata" / "bench", bench)
            uv_bench = Path(tmp) / "bench-uv-installer"
            shutil.copytree(REPO / "integration" / "testdata" / "bench", uv_bench)
            conda = Path(tmp) / "conda-flask"
            shutil.copytree(REPO / "integration" / "testdata" / "conda-flask", conda)
            uv = host_uv()
            project = Path(tmp) / "bench-uv"
            uv_project(REPO / "integration" / "testdata" / "bench", project, uv, index.url())
            pipenv_app = Path(tmp) / "bench-pipenv"
            pipenv_project(REPO / "integration" / "testdata" / "bench", pipenv_app,
                           host_tool(Path(tmp), "pipenv", CACHE / "wheels" / "pipenv"), index.url())
            poetry_app = Path(tmp) / "bench-poetry"
            from bench_poetry import poetry_project
            poetry_project(REPO / "integration" / "testdata" / "bench", poetry_app,
                           host_tool(Path(tmp), "poetry", CACHE / "wheels" / "poetry"), index.url())
            r_app = Path(tmp) / "r-plumber"
            shutil.copytree(REPO / "integration" / "testdata" / "r-plumber", r_app)
            r_repos = next(line for line in settings if line.startswith("BP_R_REPOS=")).split("=", 1)[1]
            r_env = [line for line in settings if not line.startswith("BP_R_REPOS=")]
            r_env.append("BP_R_REPOS=" + r_repos.rstrip("/").rsplit("/", 1)[0] + "/cran-bin/4.5/debian-12")
            pip_env = settings + [f"PIP_INDEX_URL={index.url()}"]
            platform_builder(r_env + [f"PIP_INDEX_URL={index.url()}"])
            count = sum(1 for line in (bench / "requirements.txt").read_text().splitlines()
                        if line and not line.startswith("#"))
            roads.append(road("floor (no-op buildpack)", FLOOR, "pycnb-bench/floor", web, [], "server.py"))
            # Settings given with --env make pack save a temporary builder at every build: the
            # floor and the pip app given the mirror's settings that way show what it costs.
            floor_env = road("floor with the mirror's --env", FLOOR, "pycnb-bench/floor-env", web, pip_env,
                             "server.py")
            clean(floor_env["image"])
            pip_env_road = road("pip app with --env", BUILDER, "pycnb-bench/app-env", bench, pip_env, "app.py")
            clean(pip_env_road["image"])
            roads.append(road("stdlib app (web)", PLATFORM, "pycnb-bench/web", web, [], "server.py"))
            roads.append(road(f"pip app ({count} wheels)", PLATFORM, "pycnb-bench/app", bench, [], "app.py"))
            # An app's own setting is an --env (or project.toml, which pack treats the same way).
            roads.append(road("pip app, --env BP_PIP_INSTALLER=uv", PLATFORM, "pycnb-bench/app-uv", uv_bench,
                              ["BP_PIP_INSTALLER=uv"], "app.py"))
            roads.append(road("uv project (uv.lock)", PLATFORM, "pycnb-bench/uv", project, [], "app.py"))
            roads.append(road("pipenv app (Pipfile.lock)", PLATFORM, "pycnb-bench/pipenv", pipenv_app, [], "app.py"))
            roads.append(road("Poetry app (poetry.lock)", PLATFORM, "pycnb-bench/poetry", poetry_app, [], "app.py"))
            roads.append(road("conda app (environment.yml)", PLATFORM, "pycnb-bench/conda", conda, [], "app.py",
                              args))
            roads.append(road("R plumber app (r-packages.txt)", PLATFORM, "pycnb-bench/r", r_app, [], "api.R"))
            for r in roads[1:7]:
                expect(r, "Reusing layer 'cpython'")
            for r in roads[2:7] + [pip_env_road]:
                expect(r, "Reusing layer 'packages'")
            expect(roads[7], "Reusing layer 'conda-env'")
            expect(roads[8], "Reusing layer 'r-library'")
            for r in roads:
                r["size"] = image_size(r["image"])
                r["cpython"] = dir_size(r["image"], "/layers/pycnb_cpython/cpython")
            interp = interpreter_figures(roads[1]["image"])
            # The floor again, carrying as many more bytes as each road's image (a reused launch
            # layer of that size): the lifecycle's own cost for an image that size.
            for n, r in enumerate(roads[1:], 1):
                mb = max(1, round((r["size"] - roads[0]["size"]) / 1e6))
                sized = Path(tmp) / f"web-{mb}mb"
                shutil.copytree(web, sized, dirs_exist_ok=True)
                (sized / "floor-mb").write_text(f"{mb}\n")
                r["floor"] = road(f"floor + {mb} MB", FLOOR, f"pycnb-bench/floor-{n}", sized, [], "server.py")
                expect(r["floor"], "Reusing layer 'pycnb-bench/noop:bytes'")
                clean(r["floor"]["image"])
            registry, run_image = registry_with_run_image()
            for r in roads:
                r["published"] = published(r, registry, run_image)
                clean(r["published"]["image"])
            pip = roads[2]
            reqs = (bench / "requirements.txt").read_text()
            (bench / "requirements.txt").write_text(reqs.replace("tabulate==0.10.0\n", ""))
            changed = build(PLATFORM, pip["image"], bench, [])
            touch_code(bench, "app.py", 99)
            after_change = build(PLATFORM, pip["image"], bench, [])
            touch_code(bench, "app.py", 100)
            settled = build(PLATFORM, pip["image"], bench, [])
            base = baseline(bench, index.url())
    finally:
        index.close()
        shutil.rmtree(combined, ignore_errors=True)
        for r in roads:
            clean(r["image"])
        if uv is not None:
            shutil.rmtree(uv.parent, ignore_errors=True)
    floor = roads[0]
    print(f"builds beside the floor ({FLOOR}); warm = median of {WARM_RUNS} code-only rebuilds; the roads on "
          f"{PLATFORM} (the mirror's settings baked in, no --env)")
    print(f"  {'':<30} {'cold':>7} {'warm':>7} {'warm-floor':>11} {'warm/floor':>11} {'image MB':>9} {'+floor MB':>9}"
          f" {'cpython MB':>10} {'floor+MB warm':>14} {'warm-that':>10}")
    for r in roads:
        diff = r["warm"].wall - floor["warm"].wall
        same = r.get("floor")
        tail = f" {same['warm'].wall:13.2f}s {r['warm'].wall - same['warm'].wall:+9.2f}s" if same else ""
        print(f"  {r['label']:<30} {r['cold'].wall:6.1f}s {r['warm'].wall:6.2f}s {diff:+10.2f}s "
              f"{r['warm'].wall / floor['warm'].wall:10.2f}x {r['size'] / 1e6:9.1f} "
              f"{(r['size'] - floor['size']) / 1e6:+9.1f} {r['cpython'] / 1e6:10.1f}{tail}")
    print("  (floor+MB: the no-op builder reusing a launch layer as large as what the road adds to the image)")
    env_cost = floor_env['warm'].wall - floor['warm'].wall
    print(f"  floor with the mirror's settings as --env: warm {floor_env['warm'].wall:.2f}s "
          f"({env_cost:+.2f}s: pack makes a temporary builder for --env)")
    print(f"  pip app on {BUILDER} with the mirror's settings as --env: warm {pip_env_road['warm'].wall:.2f}s "
          f"({pip_env_road['warm'].wall - floor_env['warm'].wall:+.2f}s over the floor with the same --env; "
          f"{pip_env_road['warm'].wall - roads[2]['warm'].wall:+.2f}s over the pip app on {PLATFORM})")
    print(f"  pip app, --env BP_PIP_INSTALLER=uv: {roads[3]['warm'].wall - floor_env['warm'].wall:+.2f}s over the "
          "floor with --env")
    pub_floor = floor["published"]["warm"].wall
    print(f"  published to the registry on 127.0.0.1 (--publish, as kpack and Tekton export; the daemon export above "
          f"re-reads every reused layer from pack's launch cache): warm, warm-floor")
    for r in roads:
        w = r["published"]["warm"].wall
        print(f"  {r['label']:<30} {w:6.2f}s {w - pub_floor:+10.2f}s")
    print("  every warm rebuild, s: " + "; ".join(
        f"{r['label'].split(' (')[0]} " + " ".join(f"{b.wall:.2f}" for b in sorted(r["warms"], key=lambda b: b.wall))
        for r in roads))
    print("  where the median warm rebuild goes (pack --timestamps, s):")
    names = ["ANALYZING", "DETECTING", "RESTORING", "BUILDING", "EXPORTING", "saving", "cache export"]
    print(f"  {'':<30} " + " ".join(f"{n.lower():>12}" for n in names))
    for r in roads:
        ph = r["warm"].phases()
        print(f"  {r['label']:<30} " + " ".join(f"{ph.get(n, 0.0):12.2f}" for n in names))
    print(f"  CPython {interp['version']} layer {interp['layer'] / 1e6:.1f} MB (with bytecode; no pip, IDLE or "
          f"tkinter); the same prebuilt packed as an official slim image packs it (pip kept, no bytecode) "
          f"{interp['slim'] / 1e6:.1f} MB; importing a web app's stdlib modules takes "
          f"{interp['with']:.0f} ms with the layer's bytecode, {interp['without']:.0f} ms without "
          "(paid at every container start)")
    print("  pip app after a change: one requirement removed {:.1f}s (pip-install step {:.2f}s); the code-only "
          "rebuild after it {:.1f}s (restores the interpreter cached by the change, once); the next {:.1f}s".format(
              changed.wall, step(changed, _PIP_STEP), after_change.wall, settled.wall))
    cold_pip, warm_pip = step(pip["cold"], _PIP_STEP), step(pip["warm"], _PIP_STEP)
    print(f"  pip-install step: cold {cold_pip:.2f}s, warm {warm_pip:.2f}s")
    print(f"  baseline, host python -m venv + pip install (no cache): {base:.2f}s; cold pip-install step / baseline: "
          f"{cold_pip / base:.2f}x (target <= 1.2x)")
    uv_cold, lock_cold = step(roads[3]["cold"], _PIP_STEP), step(roads[4]["cold"], _UV_STEP)
    print(f"  cold BP_PIP_INSTALLER=uv step {uv_cold:.2f}s = {uv_cold / base:.2f}x the plain pip baseline "
          f"(target <= 0.3x); cold uv-install step {lock_cold:.2f}s = {lock_cold / base:.2f}x")
    sys.stdout.flush()
    return subprocess.call([sys.executable, str(REPO / "tools" / "bench_detect.py"), "--image", BUILD_IMAGE])


if __name__ == "__main__":
    sys.exit(main())
