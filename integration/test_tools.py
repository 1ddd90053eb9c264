"""The pinned CNB tools (tools/versions.env): pack cleans up its ephemeral builder, and builds
run on the newest Platform API the builder's lifecycle offers."""
from __future__ import annotations

import json
import re
import subprocess

from conftest import BUILDER, REPO, app, pack_build, scratch_images


def pins() -> dict[str, str]:
    lines = (REPO / "tools" / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def api_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def inspect(image: str) -> dict:
    proc = subprocess.run(["docker", "image", "inspect", image], stdout=subprocess.PIPE, text=True)
    assert proc.returncode == 0, f"{image} missing"
    return json.loads(proc.stdout)[0]


def test_build_with_env_removes_its_ephemeral_builder_and_uses_the_newest_platform_api(tmp_path, images, mirror_env):
    pinned = pins()
    version = subprocess.run(["pack", "version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    assert version.split("+")[0] == pinned["PYCNB_PACK_PIN"], "the pack on PATH is not the pinned one: run `make tools`"
    lifecycle = json.loads(inspect(BUILDER)["Config"]["Labels"]["io.buildpacks.builder.metadata"])["lifecycle"]
    assert lifecycle["version"] == pinned["PYCNB_LIFECYCLE_PIN"], "the builder carries another lifecycle: run `make builder`"
    newest = max(lifecycle["apis"]["platform"]["supported"], key=api_key)

    before = scratch_images(BUILDER)
    image = images("tools")
    # --env makes pack put the variables into a scratch copy of the builder; -v names it.
    build = pack_build(image, app(tmp_path, "web"), mirror_env, args=["-v"])
    assert build.code == 0
    ephemeral = re.search(r"from image '?(pack\.local/builder/[0-9a-f]+:latest)", build.output)
    assert ephemeral, "pack ran the lifecycle from no ephemeral builder"
    assert subprocess.run(["docker", "image", "inspect", ephemeral[1]], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0, f"{ephemeral[1]} outlived the build"
    left = scratch_images(BUILDER) - before
    assert not left, f"pack left scratch images behind: {sorted(left)}"

    # The exporter records the Platform API it ran under in the app image's environment.
    env = dict(item.split("=", 1) for item in inspect(image)["Config"]["Env"])
    assert env["CNB_PLATFORM_API"] == newest
