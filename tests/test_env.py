"""Env deltas: every action and scope, ordered as the spec orders them across buildpacks."""
from libbuild.env import EnvDelta, apply_layer


def layer(tmp_path, name, build_delta):
    d = tmp_path / name
    d.mkdir()
    build_delta(EnvDelta()).write(d)
    return d


def compose(layers, phase, process=None, base=None):
    env = dict(base or {})
    for d in layers:
        apply_layer(env, d, phase, process)
    return env


def test_files_written_with_action_suffixes_and_scope_dirs(tmp_path):
    d = tmp_path / "layer"
    (EnvDelta().override("A", "1").default("B", "2", scope="build").append("C", "3", delim=",", scope="launch")
     .prepend("D", "4", scope="process", process="web")).write(d)
    assert (d / "env/A.override").read_text() == "1"
    assert (d / "env.build/B.default").read_text() == "2"
    assert (d / "env.launch/C.append").read_text() == "3"
    assert (d / "env.launch/C.delim").read_text() == ","
    assert (d / "env.launch/web/D.prepend").read_text() == "4"
    assert (d / "env.launch/web/D.delim").read_text() == ":"


def test_read_back_round_trips(tmp_path):
    d = tmp_path / "layer"
    delta = EnvDelta().override("A", "1").append("P", "x", scope="build").default("Q", "y", scope="process", process="worker")
    delta.write(d)
    back = EnvDelta.read(d)
    assert {(c.name, c.value, c.action, c.scope, c.process) for c in back.changes} == {
        ("A", "1", "override", "all", None), ("P", "x", "append", "build", None), ("Q", "y", "default", "process", "worker")}


def test_no_suffix_means_override(tmp_path):
    d = tmp_path / "layer"
    (d / "env").mkdir(parents=True)
    (d / "env" / "FOO").write_text("bar")
    assert compose([d], "build", base={"FOO": "old"})["FOO"] == "bar"


def test_override_later_buildpack_wins(tmp_path):
    a = layer(tmp_path, "a", lambda e: e.override("X", "first"))
    b = layer(tmp_path, "b", lambda e: e.override("X", "second"))
    assert compose([a, b], "build")["X"] == "second"


def test_default_earlier_buildpack_wins_and_never_replaces(tmp_path):
    a = layer(tmp_path, "a", lambda e: e.default("X", "first"))
    b = layer(tmp_path, "b", lambda e: e.default("X", "second"))
    assert compose([a, b], "build")["X"] == "first"
    assert compose([a, b], "build", base={"X": "user"})["X"] == "user"


def test_append_earlier_first(tmp_path):
    a = layer(tmp_path, "a", lambda e: e.append("P", "a"))
    b = layer(tmp_path, "b", lambda e: e.append("P", "b"))
    assert compose([a, b], "build", base={"P": "base"})["P"] == "base:a:b"


def test_prepend_later_first(tmp_path):
    a = layer(tmp_path, "a", lambda e: e.prepend("P", "a"))
    b = layer(tmp_path, "b", lambda e: e.prepend("P", "b"))
    assert compose([a, b], "build", base={"P": "base"})["P"] == "b:a:base"


def test_append_without_delim_concatenates(tmp_path):
    a = layer(tmp_path, "a", lambda e: e.append("FLAGS", " -O2", delim=None))
    assert compose([a], "build", base={"FLAGS": "-g"})["FLAGS"] == "-g -O2"


def test_custom_delimiter(tmp_path):
    a = layer(tmp_path, "a", lambda e: e.prepend("L", "x", delim=";"))
    assert compose([a], "build", base={"L": "y"})["L"] == "x;y"


def test_scopes_apply_to_their_phase_only(tmp_path):
    d = layer(tmp_path, "a", lambda e: e.override("ALL", "1").override("B", "1", scope="build")
              .override("L", "1", scope="launch").override("W", "1", scope="process", process="web"))
    build = compose([d], "build")
    assert build == {"ALL": "1", "B": "1"}
    assert compose([d], "launch") == {"ALL": "1", "L": "1"}
    assert compose([d], "launch", process="web") == {"ALL": "1", "L": "1", "W": "1"}
    assert "W" not in compose([d], "launch", process="worker")


def test_process_scope_applies_after_general_scopes(tmp_path):
    d = layer(tmp_path, "a", lambda e: e.override("X", "process", scope="process", process="web")
              .override("X", "launch", scope="launch"))
    assert compose([d], "launch", process="web")["X"] == "process"
    assert compose([d], "launch", process="other")["X"] == "launch"


def test_layer_directories_extend_path_like_variables(tmp_path):
    d = tmp_path / "a"
    for sub in ("bin", "lib", "include", "pkgconfig"):
        (d / sub).mkdir(parents=True)
    build = compose([d], "build", base={"PATH": "/usr/bin"})
    assert build["PATH"] == f"{d}/bin:/usr/bin"
    assert build["LD_LIBRARY_PATH"] == build["LIBRARY_PATH"] == f"{d}/lib"
    assert build["CPATH"] == f"{d}/include" and build["PKG_CONFIG_PATH"] == f"{d}/pkgconfig"
    launch = compose([d], "launch", base={"PATH": "/usr/bin"})
    assert set(launch) == {"PATH", "LD_LIBRARY_PATH"}


def test_in_process_apply_matches_files(tmp_path):
    delta = EnvDelta().prepend("PATH", "/layer/bin").default("PYTHONHOME", "/x").override("B", "1", scope="build")
    d = tmp_path / "a"
    delta.write(d)
    base = {"PATH": "/usr/bin", "PYTHONHOME": "/set"}
    assert dict(delta.apply(dict(base), "build")) == compose([d], "build", base=base)


def test_setting_same_variable_again_replaces(tmp_path):
    delta = EnvDelta().override("A", "1").override("A", "2")
    assert len(delta) == 1 and delta.changes[0].value == "2"
