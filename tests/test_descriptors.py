"""Descriptors: the TOML the lifecycle reads, and the validation it enforces."""
import pytest

from libbuild import tomlfile
from libbuild.descriptors import (BuildDescriptor, BuildPlan, BuildpackDescriptor, BuildpackPlan, LaunchDescriptor,
                                  LayerDescriptor, Process, Require, Store, Target, Distro)
from libbuild.errors import UserError


def test_plan_with_alternatives_and_metadata(tmp_path):
    plan = BuildPlan(provides=["cpython"], requires=[Require("cpython", {"version": "3.11", "version-source": ".python-version"})],
                     alternatives=[BuildPlan(requires=[Require("conda-environment", {"launch": True})])])
    plan.write(tmp_path / "plan.toml")
    data = tomlfile.read(tmp_path / "plan.toml")
    assert data == {"provides": [{"name": "cpython"}],
                    "requires": [{"name": "cpython", "metadata": {"version": "3.11", "version-source": ".python-version"}}],
                    "or": [{"requires": [{"name": "conda-environment", "metadata": {"launch": True}}]}]}
    assert "version" not in data["requires"][0]  # a top-level version is rejected by the lifecycle
    assert BuildPlan.from_dict(data) == plan


def test_buildpack_plan_flags_are_ored(tmp_path):
    plan = BuildpackPlan.read(tmp_path / "missing.toml")
    assert plan.entries == []
    tomlfile.write(tmp_path / "p.toml", {"entries": [{"name": "cpython", "metadata": {"build": True}},
                                                    {"name": "cpython", "metadata": {"launch": "true"}},
                                                    {"name": "pip"}]})
    plan = BuildpackPlan.read(tmp_path / "p.toml")
    assert plan.wants("cpython", "build") and plan.wants("cpython", "launch")
    assert not plan.wants("pip", "launch")


def test_buildpack_toml_round_trip(tmp_path):
    data = {"api": "0.11", "buildpack": {"id": "pycnb/pip-install", "version": "1.2.3", "clear-env": True,
                                         "sbom-formats": ["application/spdx+json"]},
            "targets": [{"os": "linux", "arch": "amd64", "distros": [{"name": "debian", "version": "12"}]}],
            "metadata": {"default": 1}}
    tomlfile.write(tmp_path / "buildpack.toml", data)
    bp = BuildpackDescriptor.read(tmp_path / "buildpack.toml")
    assert bp.clear_env and bp.module_name == "pycnb_pip_install"
    assert bp.targets == [Target("linux", "amd64", "", (Distro("debian", "12"),))]
    assert bp.to_dict() == data


def test_composite_order(tmp_path):
    bp = BuildpackDescriptor.from_dict({"api": "0.11", "buildpack": {"id": "pycnb/python", "version": "1"},
                                        "order": [{"group": [{"id": "pycnb/cpython", "version": "0.1.0"},
                                                             {"id": "pycnb/procfile", "optional": True}]}]})
    assert [(e.id, e.optional) for e in bp.order[0]] == [("pycnb/cpython", False), ("pycnb/procfile", True)]


@pytest.mark.parametrize("bad", ["app", "config", "sbom", "generated", "a b", "pycnb:x", ""])
def test_invalid_buildpack_ids(bad):
    with pytest.raises(UserError):
        BuildpackDescriptor.from_dict({"buildpack": {"id": bad, "version": "1"}})


def test_target_matching():
    declared = Target("linux", "amd64", "", (Distro("debian", "12"), Distro("ubuntu", "22.04")))
    assert declared.accepts(Target("linux", "amd64", "", (Distro("debian", "12"),)))
    assert not declared.accepts(Target("linux", "amd64", "", (Distro("debian", "11"),)))
    assert not declared.accepts(Target("linux", "arm64"))
    assert Target().accepts(Target("linux", "arm64"))


def test_layer_toml_without_types_reads_as_no_flags(tmp_path):
    tomlfile.write(tmp_path / "l.toml", {"metadata": {"v": 1}})
    d = LayerDescriptor.read(tmp_path / "l.toml")
    assert (d.types.build, d.types.launch, d.types.cache) == (False, False, False) and d.metadata == {"v": 1}
    d.write(tmp_path / "l.toml")
    assert tomlfile.read(tmp_path / "l.toml")["types"] == {"build": False, "launch": False, "cache": False}
    assert LayerDescriptor.read(tmp_path / "absent.toml") is None


def test_launch_toml(tmp_path):
    launch = LaunchDescriptor([Process("web", ["bash", "-c", "gunicorn app:app"], default=True),
                               Process("worker", ["celery"], args=["worker"], working_dir="/workspace/w")],
                              labels={"org.example.team": "data"}, slices=[["static/*"]])
    launch.write(tmp_path / "launch.toml")
    data = tomlfile.read(tmp_path / "launch.toml")
    assert data["processes"][0] == {"type": "web", "command": ["bash", "-c", "gunicorn app:app"], "default": True}
    assert data["processes"][1]["working-dir"] == "/workspace/w" and data["processes"][1]["args"] == ["worker"]
    assert data["labels"] == [{"key": "org.example.team", "value": "data"}]
    assert data["slices"] == [{"paths": ["static/*"]}]
    assert LaunchDescriptor.read(tmp_path / "launch.toml") == launch


def test_launch_validation():
    with pytest.raises(UserError):
        Process("web server", ["x"])
    with pytest.raises(UserError):
        Process("web", [])
    with pytest.raises(UserError, match="more than one default"):
        LaunchDescriptor([Process("a", ["x"], default=True), Process("b", ["y"], default=True)]).to_dict()


def test_build_and_store_toml(tmp_path):
    BuildDescriptor(["site-packages"]).write(tmp_path / "build.toml")
    assert tomlfile.read(tmp_path / "build.toml") == {"unmet": [{"name": "site-packages"}]}
    Store({"last": "3.11.2"}).write(tmp_path / "store.toml")
    assert Store.read(tmp_path / "store.toml").metadata == {"last": "3.11.2"}


def test_invalid_toml_is_a_user_error_naming_the_file(tmp_path):
    (tmp_path / "bad.toml").write_text("x = [")
    with pytest.raises(UserError, match="bad.toml is not valid TOML"):
        tomlfile.read(tmp_path / "bad.toml")
