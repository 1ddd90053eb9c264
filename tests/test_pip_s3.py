"""pip-install from S3 (real versitygw, real pip, tiny real wheels): wheelhouse bindings and
pipper packages; and pipper's version rules."""
from __future__ import annotations

import json
import shutil
import sys
import uuid
from pathlib import Path

import pytest

from s3server import pipper_bundle
from wheels import Index, make_wheel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "buildpacks" / "pip-install"))
from pycnb_pip_install.semver import Constraint, Version, best  # noqa: E402

BOTH = {"build": False, "launch": True}
CLOSED_INDEX = "http://127.0.0.1:9/closed"


def pip_install(tree, **extra):
    return tree.build("pip-install", [("site-packages", BOTH)], **extra)


def installed(run) -> dict[str, str]:
    site = next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))
    return dict(p.name[:-len(".dist-info")].split("-", 1) for p in site.glob("*.dist-info"))


def publish_wheels(s3, tmp_path: Path, bucket: str, commit: str, wheels: dict[str, str]) -> None:
    """CI: `pip wheel -w dist/` then `aws s3 sync dist/ s3://bucket/python/<commit>/`."""
    dist = tmp_path / f"dist-{commit}"
    for name, version in wheels.items():
        make_wheel(dist, name, version)
    s3.sync_dir(dist, bucket, f"python/{commit}")


def test_wheelhouse_binding_is_the_only_source_and_rebuilds_follow_the_prefix(tree, tmp_path, s3):
    bucket = s3.bucket("wh-" + uuid.uuid4().hex[:8])
    publish_wheels(s3, tmp_path, bucket, "1111aaa", {"alpha": "1.0.0", "beta": "2.0.0"})
    publish_wheels(s3, tmp_path, bucket, "2222bbb", {"alpha": "1.1.0", "beta": "2.0.0"})
    binding = s3.binding(tree.platform / "bindings" / "artifacts", bucket, "python/1111aaa/", "wheelhouse")
    tree.set_env("PIP_INDEX_URL", CLOSED_INDEX)
    tree.write("requirements.txt", "alpha\nbeta==2.0.0\n")

    run = pip_install(tree)
    assert run.code == 0, run.output
    assert installed(run) == {"alpha": "1.0.0", "beta": "2.0.0"}
    assert f"installing from s3://{bucket}/python/1111aaa/" in run.output
    assert "2 objects (0.0 MB): 2 downloaded" in run.output
    assert run.layer_toml("s3-artifacts")["types"] == {"build": False, "launch": False, "cache": True}
    for path in (p for p in (tree.root / "layers").rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert s3.secret_key.encode() not in data and s3.access_key.encode() not in data, path
    assert s3.secret_key not in run.output and s3.access_key not in run.output
    assert not list((run.layers / "packages").rglob("direct_url.json"))

    tree.restore("pip-install")
    seen = len(s3.operations())
    again = pip_install(tree)
    assert again.code == 0, again.output
    assert s3.operations()[seen:] == ["ListObjectsV2"]
    assert "Reusing layer 'packages'" in again.output and "Installing requirements" not in again.output

    (binding / "prefix").write_text("python/2222bbb/")  # CI published a new commit
    tree.restore("pip-install")
    moved = pip_install(tree)
    assert moved.code == 0, moved.output
    assert "Rebuilding layer 'packages' since: s3-wheelhouse.manifest changed" in moved.output
    assert installed(moved) == {"alpha": "1.1.0", "beta": "2.0.0"}


def test_extra_mode_keeps_the_index_beside_the_wheelhouse(tree, tmp_path, s3):
    bucket = s3.bucket("wh-" + uuid.uuid4().hex[:8])
    publish_wheels(s3, tmp_path, bucket, "abc", {"alpha": "1.0.0"})
    index_dir = tmp_path / "index"
    make_wheel(index_dir, "gamma", "0.3.0")
    index = Index(index_dir)
    try:
        s3.binding(tree.platform / "bindings" / "artifacts", bucket, "python/abc/", "wheelhouse")
        tree.set_env("PIP_INDEX_URL", index.url())
        tree.set_env("BP_PIP_S3_MODE", "extra")
        tree.write("requirements.txt", "alpha==1.0.0\ngamma==0.3.0\n")
        run = pip_install(tree)
        assert run.code == 0, run.output
        assert installed(run) == {"alpha": "1.0.0", "gamma": "0.3.0"}
    finally:
        index.close()
    tree.set_env("BP_PIP_S3_MODE", "sometimes")
    bad = pip_install(tree)
    assert bad.code == 1 and "BP_PIP_S3_MODE='sometimes' is not valid: expected only or extra" in bad.output


def test_wrong_credentials_fail_with_one_message_and_no_secret(tree, tmp_path, s3):
    bucket = s3.bucket("wh-" + uuid.uuid4().hex[:8])
    publish_wheels(s3, tmp_path, bucket, "abc", {"alpha": "1.0.0"})
    s3.binding(tree.platform / "bindings" / "artifacts", bucket, "python/abc/", "wheelhouse",
               secret="wrong-secret-0123456789")
    tree.write("requirements.txt", "alpha\n")
    run = pip_install(tree)
    assert run.code == 1
    assert f"ERROR: the S3 credentials for s3://{bucket}/python/abc/ were rejected (SignatureDoesNotMatch)" in run.output
    assert run.output.count("ERROR:") == 1 and "Traceback" not in run.output
    assert "wrong-secret-0123456789" not in run.output and s3.access_key not in run.output


@pytest.fixture
def pipper_repo(tmp_path, s3):
    """A bucket as `pipper publish` leaves it: greet 0.1.0, 0.2.0 and 0.3.0-rc.1 (each
    depending on util:1.*), util 1.0.0, 1.2.0 and 2.0.0; plus an unrelated wheelhouse."""
    bucket = s3.bucket("pipper-" + uuid.uuid4().hex[:8])
    wheels, bundles = tmp_path / "wheels", tmp_path / "bundles"
    for name, version, wheel_version, deps in (
            ("greet", "0.1.0", "0.1.0", ["util:1.*"]), ("greet", "0.2.0", "0.2.0", ["util:1.*"]),
            ("greet", "0.3.0-rc.1", "0.3.0rc1", ["util:1.*"]),
            ("util", "1.0.0", "1.0.0", []), ("util", "1.2.0", "1.2.0", []), ("util", "2.0.0", "2.0.0", [])):
        wheel = make_wheel(wheels / f"{name}-{version}", name, wheel_version)
        bundle = pipper_bundle(bundles, wheel, name, version, deps)
        s3.put(bucket, f"pipper/{name}/{bundle.name.split('-', 1)[1]}", bundle.read_bytes())
    return bucket


def test_pipper_dependencies_resolve_recursively_into_the_same_pip_run(tree, tmp_path, s3, pipper_repo):
    index_dir = tmp_path / "index"
    make_wheel(index_dir, "gamma", "0.3.0")
    index = Index(index_dir)
    try:
        s3.binding(tree.platform / "bindings" / "pipper", pipper_repo, "", "pipper")
        tree.set_env("PIP_INDEX_URL", index.url())
        tree.write("pipper.json", json.dumps({"dependencies": ["greet"], "pypi": ["gamma==0.3.0"]}))
        assert tree.detect("pip-install").code == 0  # pipper.json alone is enough
        run = pip_install(tree)
        assert run.code == 0, run.output
        assert installed(run) == {"greet": "0.2.0", "util": "1.2.0", "gamma": "0.3.0"}
        assert "greet 0.2.0 (any version, from pipper.json)" in run.output
        assert "util 1.2.0 (==1.*, from greet 0.2.0)" in run.output
        meta = run.layer_toml("packages")["metadata"]["pipper"]
        assert meta["packages"] == "greet==0.2.0, util==1.2.0" and meta["pypi"] == "gamma==0.3.0"
        # The extracted wheels are build-only: a layer the lifecycle neither caches nor exports.
        assert run.layer_toml("pipper-wheels")["types"] == {"build": False, "launch": False, "cache": False}

        tree.restore("pip-install")
        seen = len(s3.operations())
        again = pip_install(tree)
        assert again.code == 0, again.output
        assert set(s3.operations()[seen:]) == {"ListObjectsV2"}  # no bundle downloaded again
        assert "Reusing layer 'packages'" in again.output

        tree.write("pipper.json", json.dumps({"dependencies": ["greet:0.3.0-rc.1", "util:<1.2"]}))
        tree.restore("pip-install")
        pinned = pip_install(tree)
        assert pinned.code == 0, pinned.output
        assert installed(pinned) == {"greet": "0.3.0rc1", "util": "1.0.0"}
        assert "Rebuilding layer 'packages' since: " in pinned.output
        assert "pipper.packages changed from greet==0.2.0, util==1.2.0 to greet==0.3.0-rc.1, util==1.0.0" \
            in pinned.output
    finally:
        index.close()


def test_pipper_errors(tree, s3, pipper_repo):
    tree.write("pipper.json", json.dumps({"dependencies": ["greet:>=5"]}))
    assert "no s3 binding has kind = pipper" in pip_install(tree).output
    s3.binding(tree.platform / "bindings" / "pipper", pipper_repo, "pipper", "pipper")
    run = pip_install(tree)
    assert run.code == 1 and "Traceback" not in run.output
    assert "no version of the pipper package greet matching >=5" in run.output
    assert "Available stable and pre-release versions: 0.1.0, 0.2.0, 0.3.0-rc.1" in run.output
    tree.write("pipper.json", "{not json")
    assert "pipper.json is not a valid pipper configuration" in pip_install(tree).output
    tree.write("pipper.json", json.dumps({"dependencies": ["greet"], "pypi": ["--index-url=http://evil"]}))
    assert "is not a requirement" in pip_install(tree).output
    (tree.app / "pipper.json").unlink()
    tree.write("pipper.yaml", "dependencies:\n  - https://example.invalid/greet/v0-1-0.pipper\n")
    assert "is not a package id" in pip_install(tree).output


# -- pipper's version rules ------------------------------------------------------

@pytest.mark.parametrize("version,safe", [("0.1.0", "v0-1-0"), ("0.3.0-rc.1", "v0-3-0__pre_rc_1"),
                                          ("1.2.3-beta.2+build.7", "v1-2-3__pre_beta_2__build_build_7")])
def test_safe_versions_round_trip(version, safe):
    assert Version.parse(version).safe == safe
    assert str(Version.from_safe(safe)) == version


def test_semver_precedence():
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
             "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0", "2.0.0"]
    assert sorted(map(Version.parse, reversed(order))) == list(map(Version.parse, order))


@pytest.mark.parametrize("constraint,expected", [
    ("", "2.0.0"), ("1.2.3", "1.2.3"), ("=1.2.3", "1.2.3"), ("==1.2.3", "1.2.3"), ("1.2", "1.2.4"),
    ("1.2.*", "1.2.4"), ("1.*", "1.10.0"), ("<1.10", "1.2.4"), ("<=1.2.3", "1.2.3"), (">1.2.3", "2.0.0"),
    (">=2", "2.0.0"), ("<1.0", None), ("3.0.0-rc.1", "3.0.0-rc.1"), ("3.0.0", None), (">=2.5", None),
])
def test_constraints_pick_the_highest_stable_match(constraint, expected):
    versions = ["1.0.0", "1.2.3", "1.2.4", "1.10.0", "2.0.0", "2.1.0-beta.1", "3.0.0-rc.1"]
    pick = best(((Version.parse(v), v) for v in versions), Constraint.parse(constraint))
    assert (pick[1] if pick else None) == expected


def test_invalid_constraints_are_refused():
    for text in ("1.x", "latest", ">=1.2.a"):
        with pytest.raises(ValueError):
            Constraint.parse(text)


def test_pipper_config_files(tmp_path):
    from pycnb_pip_install.pipper import read_config
    assert read_config(tmp_path) is None
    (tmp_path / "pipper.yaml").write_text("dependencies:\n  - greet:0.2.*\n  - util\npypi:\n  - gamma==0.3.0\n")
    conf = read_config(tmp_path)
    assert (conf.source, conf.dependencies, conf.pypi) == ("pipper.yaml", ["greet:0.2.*", "util"], ["gamma==0.3.0"])
    (tmp_path / "pipper.json").write_text('{"dependencies": ["other"]}')  # pipper reads .json first
    assert read_config(tmp_path).dependencies == ["other"]
    (tmp_path / "pipper.json").write_text('{"dependencies": "other"}')
    from libbuild import errors
    with pytest.raises(errors.UserError) as err:
        read_config(tmp_path)
    assert "'dependencies' must be a list of strings" in err.value.message
    (tmp_path / "pipper.json").unlink()
    (tmp_path / "pipper.yaml").unlink()
    (tmp_path / "pipper.yaml").symlink_to("/etc/passwd")
    with pytest.raises(errors.UserError) as err:
        read_config(tmp_path)
    assert err.value.code == "path-outside-app"
