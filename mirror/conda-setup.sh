#!/usr/bin/env bash
# The conda side of the local mirror (run by setup.sh after the CPython prebuilts exist):
#   1. the test channel $PYCNB_CACHE/mirror/conda/conda-forge, built from real artifacts by
#      conda_channel.py (with py-rattler installed for it under $PYCNB_CACHE/conda-tools),
#      from conda-requirements.txt and any extra requirement files given as arguments;
#   2. the py-rattler wheels pycnb/miniconda's catalog names, at their original URL paths
#      under mirror/files.pythonhosted.org (so BP_DEPENDENCY_MIRROR serves them);
#   3. a `conda` binding whose .condarc maps channel names onto the mirror.
# Prints one line: the pack argument that mounts the binding.
# Usage: conda-setup.sh [REQUIREMENTS_FILE...]
set -euo pipefail
. "$(dirname "$0")/common.sh"
PYTHON="${PYTHON:-python3}"
repo="$(cd "$MIRROR_SCRIPTS/.." && pwd)"
rattler_version="$("$PYTHON" -c 'import sys, tomllib
deps = tomllib.load(open(sys.argv[1], "rb"))["metadata"]["dependencies"]
print(next(d["version"] for d in deps if d["id"] == "py-rattler"))' "$repo/buildpacks/miniconda/buildpack.toml")"

tools="$PYCNB_CACHE/conda-tools"
want="py-rattler==$rattler_version packaging==26.3"
if [ "$(cat "$tools/.stamp" 2>/dev/null)" != "$want" ]; then
  log "installing $want for the channel indexer into $tools"
  rm -rf "$tools" && mkdir -p "$tools"
  PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check --target "$tools" $want >&2
  echo "$want" >"$tools/.stamp"
fi

reqs=(-r "$MIRROR_SCRIPTS/conda-requirements.txt")
for r in "$@"; do reqs+=(-r "$r"); done
PYTHONPATH="$tools" "$PYTHON" "$MIRROR_SCRIPTS/conda_channel.py" --mirror "$MIRROR_ROOT" "${reqs[@]}" >&2

# py-rattler wheels of the catalog, verified against its checksums.
"$PYTHON" - "$repo/buildpacks/miniconda/buildpack.toml" "$MIRROR_ROOT" <<'PY' >&2
import hashlib, os, subprocess, sys, tempfile, tomllib, urllib.parse
from pathlib import Path
catalog = tomllib.loads(Path(sys.argv[1]).read_text())["metadata"]["dependencies"]
for dep in (d for d in catalog if d["id"] == "py-rattler"):
    url = urllib.parse.urlparse(dep["uri"])
    dest = Path(sys.argv[2]) / url.netloc / url.path.lstrip("/")
    want = dep["checksum"].split(":", 1)[1]
    if dest.is_file() and hashlib.sha256(dest.read_bytes()).hexdigest() == want:
        continue
    plat = dest.name.split("-")[-1][:-4].split(".")[0]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--only-binary=:all:", "--python-version", "3.11", "--platform", plat, "--dest", tmp,
                        f"py-rattler=={dep['version']}"], check=True, env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"})
        got = Path(tmp) / dest.name
        if hashlib.sha256(got.read_bytes()).hexdigest() != want:
            sys.exit(f"conda-setup: {dest.name} does not have the catalog's sha256 {want}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(got, dest)
    print(f"[mirror] {dest.name} mirrored", file=sys.stderr)
PY

binding="$PYCNB_CACHE/bindings/conda-mirror"
mkdir -p "$binding"
printf 'conda\n' >"$binding/type"
printf 'channel_alias: http://127.0.0.1:%s/conda\n' "$MIRROR_PORT" >"$binding/.condarc"
printf -- '--volume %s:/platform/bindings/conda-mirror:ro\n' "$binding"
