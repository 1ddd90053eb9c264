"""Layers: metadata-driven reuse, the logged reasons, restored TOML without [types]."""
import io

from libbuild import tomlfile
from libbuild.layers import Layers
from libbuild.log import Logger


def make(tmp_path):
    out = io.StringIO()
    return Layers(tmp_path, Logger(out, debug=False)), out


def restore(tmp_path, name, contents=True):
    """What the lifecycle leaves for the next build: TOML without [types]."""
    data = tomlfile.read(tmp_path / f"{name}.toml")
    data.pop("types")
    tomlfile.write(tmp_path / f"{name}.toml", data)
    if not contents:
        import shutil
        shutil.rmtree(tmp_path / name)


def test_new_layer_is_created_and_written_on_commit(tmp_path):
    layers, out = make(tmp_path)
    layer = layers.cached("runtime", {"version": "1.0"}, launch=True, cache=True)
    assert not layer.reused and layer.path.is_dir()
    assert not (tmp_path / "runtime.toml").exists()  # nothing until commit
    layer.env.default("X", "1", scope="launch")
    layers.commit()
    data = tomlfile.read(tmp_path / "runtime.toml")
    assert data == {"types": {"build": False, "launch": True, "cache": True}, "metadata": {"version": "1.0"}}
    assert (layer.path / "env.launch" / "X.default").read_text() == "1"
    assert "Creating layer 'runtime'" in out.getvalue()


def test_same_metadata_reuses_and_rewrites_types(tmp_path):
    layers, _ = make(tmp_path)
    layer = layers.cached("runtime", {"version": "1.0"}, build=True, launch=True, cache=True)
    (layer.path / "marker").write_text("kept")
    layers.commit()
    restore(tmp_path, "runtime")
    again, out = make(tmp_path)
    layer = again.cached("runtime", {"version": "1.0"}, build=True, launch=True, cache=True)
    assert layer.reused and (layer.path / "marker").read_text() == "kept"
    assert "Reusing layer 'runtime'" in out.getvalue()
    again.commit()
    assert tomlfile.read(tmp_path / "runtime.toml")["types"] == {"build": True, "launch": True, "cache": True}


def test_every_changed_key_is_logged(tmp_path):
    layers, _ = make(tmp_path)
    layers.cached("runtime", {"version": "1.0", "target": {"arch": "amd64"}, "gone": "x"}, cache=True)
    layers.commit()
    restore(tmp_path, "runtime")
    again, out = make(tmp_path)
    layer = again.cached("runtime", {"version": "2.0", "target": {"arch": "arm64"}, "new": "y"}, cache=True)
    assert not layer.reused
    line = next(l for l in out.getvalue().splitlines() if "Rebuilding layer 'runtime'" in l)
    assert "gone was removed" in line
    assert "new is new (y)" in line
    assert "target.arch changed from amd64 to arm64" in line
    assert "version changed from 1.0 to 2.0" in line


def test_rebuild_empties_old_contents(tmp_path):
    layers, _ = make(tmp_path)
    layer = layers.cached("pkgs", {"digest": "a"}, launch=True, cache=True)
    (layer.path / "removed-package").write_text("old")
    layers.commit()
    restore(tmp_path, "pkgs")
    again, _ = make(tmp_path)
    layer = again.cached("pkgs", {"digest": "b"}, launch=True, cache=True)
    assert list(layer.path.iterdir()) == []
    assert not (tmp_path / "pkgs.toml").exists()  # the stale TOML is gone until commit


def test_cache_layer_without_restored_contents_is_rebuilt(tmp_path):
    layers, _ = make(tmp_path)
    layers.cached("runtime", {"v": 1}, cache=True)
    layers.commit()
    restore(tmp_path, "runtime", contents=False)
    again, out = make(tmp_path)
    assert not again.cached("runtime", {"v": 1}, cache=True).reused
    assert "since: its contents were not restored" in out.getvalue()


def test_launch_only_layer_reuses_metadata_without_contents(tmp_path):
    layers, _ = make(tmp_path)
    layers.cached("app-deps", {"digest": "a"}, launch=True)
    layers.commit()
    restore(tmp_path, "app-deps", contents=False)  # only metadata is restored for launch-only layers
    again, out = make(tmp_path)
    layer = again.cached("app-deps", {"digest": "a"}, launch=True)
    assert layer.reused and not layer.path.exists()
    again.commit()
    assert tomlfile.read(tmp_path / "app-deps.toml")["types"]["launch"] is True
    assert not layer.path.exists()  # no directory: the lifecycle keeps the previous image's layer


def test_fresh_layer_discards_previous(tmp_path):
    layers, _ = make(tmp_path)
    layer = layers.fresh("tmp", build=True)
    (layer.path / "f").write_text("x")
    layers.commit()
    again, _ = make(tmp_path)
    assert list(again.fresh("tmp", build=True).path.iterdir()) == []


def test_env_for_build_uses_new_and_reused_layers(tmp_path):
    layers, _ = make(tmp_path)
    layer = layers.cached("tool", {"v": 1}, build=True, cache=True)
    (layer.path / "bin").mkdir()
    layer.env.override("TOOL_HOME", str(layer.path), scope="build")
    env = layer.env_for_build({"PATH": "/usr/bin"})
    assert env["PATH"] == f"{layer.path}/bin:/usr/bin" and env["TOOL_HOME"] == str(layer.path)
    layers.commit()
    restore(tmp_path, "tool")
    again, _ = make(tmp_path)
    reused = again.cached("tool", {"v": 1}, build=True, cache=True)
    assert reused.reused
    assert reused.env_for_build({"PATH": "/usr/bin"}) == env


def test_invalid_layer_names_are_refused(tmp_path):
    import pytest
    from libbuild.errors import UserError
    layers, _ = make(tmp_path)
    for bad in ("build", "launch", "store", "a/b", ""):
        with pytest.raises(UserError):
            layers.fresh(bad)
