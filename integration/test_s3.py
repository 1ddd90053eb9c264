"""Artifacts from S3 end to end (real pack, lifecycle, Docker and a real S3 server,
versitygw on 127.0.0.1): a wheelhouse under python/<commit>/ and pipper packages under
pipper/<name>/, laid out as CI publishes them, installed with no reachable index."""
from __future__ import annotations

import io
import json
import subprocess
import tarfile
import uuid
from pathlib import Path

from conftest import app, launcher_run, pack_build
from s3server import pipper_bundle
from wheels import make_wheel

CLOSED_INDEX = "http://127.0.0.1:9/simple"


def _publish(s3, tmp_path: Path) -> str:
    """The bucket as the CI workflows leave it: two commits' wheelhouses (`pip wheel -w dist`
    + `aws s3 sync dist/ s3://bucket/python/<commit>/`) and pipper packages (greet 0.2.0
    depends on util:1.*; versions the constraints must skip are there too)."""
    bucket = s3.bucket("ci-artifacts-" + uuid.uuid4().hex[:8])
    for commit, version in (("5f3e2a1", "1.0.0"), ("9c0d4b7", "1.1.0")):
        dist = tmp_path / f"dist-{commit}"
        make_wheel(dist, "alpha", version)
        make_wheel(dist, "beta", "2.0.0")
        s3.sync_dir(dist, bucket, f"python/{commit}")
    for name, version, deps in (("greet", "0.2.0", ["util:1.*"]), ("greet", "0.3.0", ["util:1.*"]),
                                ("util", "1.4.0", []), ("util", "2.0.0", [])):
        wheel = make_wheel(tmp_path / "wheels" / f"{name}-{version}", name, version)
        bundle = pipper_bundle(tmp_path / "bundles", wheel, name, version, deps)
        s3.put(bucket, f"pipper/{name}/{bundle.name.split('-', 1)[1]}", bundle.read_bytes())
    return bucket


def _installed(image: str) -> dict[str, str]:
    run = launcher_run(image, "python", "app.py")
    assert run.returncode == 0, run.stdout
    return json.loads(run.stdout.strip().splitlines()[-1])


def _assert_no_secrets_in_image(image: str, tmp_path: Path, secrets: list[str], bucket: str) -> None:
    saved = tmp_path / f"{image.replace('/', '_')}.tar"
    assert subprocess.run(["docker", "save", "-o", str(saved), image]).returncode == 0
    blob = saved.read_bytes()
    for secret in secrets:
        assert secret.encode() not in blob
    named = []
    with tarfile.open(saved) as outer:
        for member in outer.getmembers():
            if not member.isfile():
                continue
            data = outer.extractfile(member).read()
            if data[257:262] != b"ustar":  # only layer tarballs hold files
                continue
            with tarfile.open(fileobj=io.BytesIO(data)) as layer:
                for entry in layer.getmembers():
                    if entry.name.endswith("direct_url.json"):
                        text = layer.extractfile(entry).read().decode()
                        assert bucket not in text and "X-Amz" not in text, text
                        named.append(text)
    saved.unlink()
    # pip records direct_url.json only for the pipper wheels (installed by path from the
    # build-only pipper-wheels directory): what it names must be that, never S3.
    assert named and all("/pipper-wheels/" in text for text in named), named


def test_wheelhouse_and_pipper_packages_from_s3(tmp_path, images, mirror_env, s3):
    bucket = _publish(s3, tmp_path)
    bindings = tmp_path / "bindings"
    wheelhouse = s3.binding(bindings / "artifacts", bucket, "python/5f3e2a1/", "wheelhouse")
    s3.binding(bindings / "pipper", bucket, "pipper", "pipper")
    # A binding the app does not use, with a session token: nothing of it may reach the image.
    token = "IQoJb3JpZ2luX2VjE" + uuid.uuid4().hex * 2
    s3.binding(bindings / "cran", bucket, "r/5f3e2a1/", "cran", **{"session-token": token})
    volumes = [f"{bindings / name}:/platform/bindings/{name}:ro" for name in ("artifacts", "pipper", "cran")]
    env = {**mirror_env, "PIP_INDEX_URL": CLOSED_INDEX}
    src = app(tmp_path, "s3app")
    image = images("s3")
    secrets = [s3.access_key, s3.secret_key, token]

    first = pack_build(image, src, env, volumes=volumes)
    assert first.code == 0
    assert f"installing from s3://{bucket}/python/5f3e2a1/" in first.output
    assert "greet 0.2.0 (==0.2.*, from pipper.json)" in first.output and "util 1.4.0 (==1.*, from greet 0.2.0)" in first.output
    assert all(s not in first.output for s in secrets)
    assert {k: v for k, v in _installed(image).items() if k in ("alpha", "beta", "greet", "util")} == \
        {"alpha": "1.0.0", "greet": "0.2.0", "util": "1.4.0"}  # beta is in the wheelhouse, not required
    _assert_no_secrets_in_image(image, tmp_path, secrets, bucket)

    # Same prefix, same pipper versions: the layer is reused and S3 sees list requests only.
    seen = len(s3.operations())
    second = pack_build(image, src, env, volumes=volumes)
    assert second.code == 0
    assert set(s3.operations()[seen:]) == {"ListObjectsV2"}
    assert "Reusing layer 'packages'" in second.output and "Installing requirements" not in second.output
    assert "0 downloaded, 2 unchanged, 0 deleted" in second.output

    # CI published a new commit: its wheels are installed.
    (wheelhouse / "prefix").write_text("python/9c0d4b7/")
    third = pack_build(image, src, env, volumes=volumes)
    assert third.code == 0
    assert "Rebuilding layer 'packages' since: s3-wheelhouse.manifest changed" in third.output
    assert _installed(image)["alpha"] == "1.1.0"
    _assert_no_secrets_in_image(image, tmp_path, secrets, bucket)


def test_wrong_credentials_fail_with_one_message(tmp_path, images, mirror_env, s3):
    bucket = _publish(s3, tmp_path)
    binding = s3.binding(tmp_path / "artifacts", bucket, "python/5f3e2a1/", "wheelhouse",
                         secret="not-the-right-secret-" + uuid.uuid4().hex)
    src = app(tmp_path, "s3app")
    (src / "pipper.json").unlink()
    build = pack_build(images("s3-denied"), src, {**mirror_env, "PIP_INDEX_URL": CLOSED_INDEX},
                       volumes=[f"{binding}:/platform/bindings/artifacts:ro"])
    assert build.code != 0
    assert f"ERROR: the S3 credentials for s3://{bucket}/python/5f3e2a1/ were rejected (SignatureDoesNotMatch)" \
        in build.output
    assert build.output.count("ERROR: the S3") == 1 and "Traceback" not in build.output
    assert (binding / "secret-access-key").read_text() not in build.output and s3.access_key not in build.output
