"""miniconda and conda-env-update as real subprocesses: the real py-rattler wheel of the
catalog, a real (tiny) channel of .tar.bz2 packages, the real `conda` command."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import REPO, CNBTree

CACHE_WHEELS = Path(__import__("os").environ.get("PYCNB_CACHE") or Path.home() / ".cache" / "pycnb") / "wheels"
CONDA_BUILD = {"build": True}
ENV_LAUNCH = {"launch": True}


def _channel_module():
    spec = importlib.util.spec_from_file_location("conda_channel", REPO / "mirror" / "conda_channel.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_package(channel: Path, name: str, version: str, depends=(), subdir="linux-64") -> Path:
    """A generic conda package with one script, bin/<name>, that names the install prefix."""
    writer = _channel_module().PackageWriter()
    writer.add(f"bin/{name}", f"#!/bin/sh\necho {name} {version} from /opt/placeholder/prefix\n".encode(), 0o755,
               "/opt/placeholder/prefix")
    index = {"name": name, "version": version, "build": "0", "build_number": 0, "depends": list(depends),
             "subdir": subdir, "timestamp": 1_700_000_000_000, "license": "MIT"}
    out = channel / subdir / f"{name}-{version}-0.tar.bz2"
    writer.write(out, index)
    return out


@pytest.fixture(scope="session")
def rattler_wheel() -> Path:
    """The catalog's py-rattler wheel, fetched once by tools/fetch-wheels.sh (pip download)."""
    out = subprocess.run([str(REPO / "tools" / "fetch-wheels.sh"), "py-rattler", "--no-deps", "py-rattler==0.28.0"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    wheel = next(Path(out).glob("py_rattler-0.28.0-*x86_64*.whl"))
    return wheel


@pytest.fixture(scope="session")
def conda_layer(tmp_path_factory, rattler_wheel) -> Path:
    """pycnb/miniconda's `conda` layer, built once (the wheel mapped by its sha256 to a local file)."""
    tree = CNBTree(tmp_path_factory.mktemp("miniconda"))
    sha = hashlib.sha256(rattler_wheel.read_bytes()).hexdigest()
    tree.binding("offline", "dependency-mapping", {sha: rattler_wheel.as_uri()})
    run = tree.build("miniconda", [("conda", CONDA_BUILD)])
    assert run.code == 0, run.output
    return run.layers / "conda"


@pytest.fixture
def env_tree(tree, conda_layer):
    tree.earlier.append(conda_layer)
    channel = tree.app / "vendor"
    make_package(channel, "hello", "1.0", depends=["greeting >=2"])
    make_package(channel, "greeting", "2.0")
    make_package(channel, "greeting", "1.0")
    (channel / "noarch").mkdir(parents=True)
    return tree


def env_update(tree, **extra):
    return tree.build("conda-env-update", [("conda-environment", ENV_LAUNCH)], **extra)


# -- miniconda ----------------------------------------------------------------------

def test_miniconda_always_detects_and_provides_conda(tree):
    run = tree.detect("miniconda")
    assert run.code == 0, run.output
    assert run.plan()["provides"] == [{"name": "conda"}]


def test_miniconda_installs_rattler_conda_in_a_build_cache_layer(conda_layer):
    toml = (conda_layer.parent / "conda.toml").read_text()
    assert "build = true" in toml and "cache = true" in toml and "launch = false" in toml
    version = subprocess.run([str(conda_layer / "bin" / "conda"), "--version"], stdout=subprocess.PIPE, text=True)
    assert version.returncode == 0 and "py-rattler 0.28.0" in version.stdout
    condarc = conda_layer.parent / "test-condarc"
    condarc.write_text("channel_alias: http://deploy:s3cret-pw@127.0.0.1:9/conda\nchannels: [conda-forge]\n")
    info = subprocess.run([str(conda_layer / "bin" / "conda"), "info"], stdout=subprocess.PIPE, text=True,
                          env={"PATH": "/usr/bin:/bin", "CONDARC": str(condarc), "CONDA_SUBDIR": "linux-64"})
    assert info.returncode == 0 and "platform : linux-64" in info.stdout and "__glibc=" in info.stdout
    assert "channel URLs : http://127.0.0.1:9/conda/conda-forge" in info.stdout and "s3cret" not in info.stdout
    bad = subprocess.run([str(conda_layer / "bin" / "conda"), "install", "numpy"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    assert bad.returncode == 1
    assert bad.stdout.count("\n") == 1 and "supported: conda --version" in bad.stdout and "env create|update" in bad.stdout


def test_miniconda3_distribution_runs_the_installer_in_batch_mode(tree, tmp_path):
    installer = tmp_path / "Miniconda3-stand-in.sh"
    installer.write_text('#!/bin/bash\n# stand-in: records its arguments, installs a conda that says so\n'
                         'while getopts bfp: o; do case $o in p) prefix=$OPTARG;; esac; done\n'
                         'mkdir -p "$prefix/bin"; echo "$@" > "$prefix/installer-args"\n'
                         'printf "#!/bin/sh\\necho conda 24.1.2\\n" > "$prefix/bin/conda"; chmod +x "$prefix/bin/conda"\n')
    sha = hashlib.sha256(installer.read_bytes()).hexdigest()
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(f'[[dependencies]]\nid = "miniconda3"\nversion = "99.0.0"\nuri = "{installer.as_uri()}"\n'
                       f'checksum = "sha256:{sha}"\n')
    tree.set_env("BP_CONDA_DISTRIBUTION", "miniconda3")
    tree.set_env("BP_DEPENDENCY_CATALOG", str(catalog))
    run = tree.build("miniconda", [("conda", CONDA_BUILD)])
    assert run.code == 0, run.output
    layer = run.layers / "conda"
    assert (layer / "installer-args").read_text().split() == ["-b", "-f", "-p", str(layer)]
    assert subprocess.run([str(layer / "bin" / "conda"), "--version"], stdout=subprocess.PIPE, text=True).stdout == "conda 24.1.2\n"
    assert run.layer_toml("conda")["metadata"]["distribution"] == "miniconda3"


def test_unknown_distribution_is_one_message(tree):
    tree.set_env("BP_CONDA_DISTRIBUTION", "mamba")
    run = tree.build("miniconda", [("conda", CONDA_BUILD)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "BP_CONDA_DISTRIBUTION='mamba'" in run.output and "rattler, miniconda3" in run.output


# -- conda-env-update: detect ------------------------------------------------------------

@pytest.mark.parametrize("name,text", [
    ("environment.yml", "dependencies: [hello]\n"),
    ("environment.yaml", "dependencies: [hello]\n"),
    ("package-list.txt", "hello=1.0=0\n"),
    ("conda-linux-64.lock", "@EXPLICIT\nhttp://x/linux-64/a-1-0.tar.bz2\n"),
    ("conda-lock.yml", "version: 1\npackage: []\n"),
    ("pixi.lock", "version: 6\nenvironments: {}\n"),
])
def test_detects_environment_files_and_locks(tree, name, text):
    tree.write(name, text)
    run = tree.detect("conda-env-update")
    assert run.code == 0, run.output
    assert run.plan()["provides"] == [{"name": "conda-environment"}]
    [conda] = run.plan()["requires"]
    assert conda["name"] == "conda" and conda["metadata"]["build"] is True
    assert len(conda["metadata"]["build-inputs"]) == 64  # nothing here the digest cannot see


def test_does_not_detect_other_locks(tree):
    tree.write("poetry.lock", "[[package]]\n")
    tree.write("requirements.txt", "flask\n")
    assert tree.detect("conda-env-update").code == 100


# -- conda-env-update: build -----------------------------------------------------------

def test_environment_from_vendored_channel_reused_then_rebuilt_without_removed_package(env_tree):
    env_tree.write("environment.yml", "name: app\nchannels: [conda-forge]\ndependencies:\n  - hello\n  - greeting\n"
                   "variables:\n  GREETING_STYLE: loud\n")
    env_tree.write("requirements.txt", "flask\n")
    first = env_update(env_tree)
    assert first.code == 0, first.output
    assert "Building as a conda app from environment.yml (requirements.txt" in first.output
    assert "Using only the vendored channel vendor/ (offline)" in first.output
    assert "hello-1.0-0.tar.bz2" in first.output and "greeting-2.0-0.tar.bz2" in first.output  # the solved set
    env = first.layers / "conda-env"
    script = (env / "bin" / "hello").read_text()
    assert str(env) in script and "/opt/placeholder" not in script  # prefix placeholder rewritten
    assert not (env / "conda-meta" / "history").exists() and not (env / "pkgs").exists()
    assert (first.layers / "conda-pkgs.toml").is_file()
    # launch-only: reused by the previous image's metadata, never restored from the cache
    assert first.layer_toml("conda-env")["types"] == {"build": False, "launch": True, "cache": False}
    assert first.layer_toml("conda-pkgs")["types"]["cache"] is True  # a vendored channel: no build inputs
    assert first.env_files("conda-env")["env/CONDA_PREFIX.override"] == str(env)
    assert first.env_files("conda-env")["env.launch/GREETING_STYLE.override"] == "loud"
    names = {c["name"]: c["version"] for c in first.sbom("conda-env", "cdx")["components"]}
    assert names == {"hello": "1.0", "greeting": "2.0"}
    assert first.sbom("conda-env", "spdx")["packages"]

    env_tree.restore("conda-env-update")
    second = env_update(env_tree)
    assert second.code == 0, second.output
    assert "Reusing layer 'conda-env'" in second.output and "Solving" not in second.output

    env_tree.write("environment.yml", "channels: [conda-forge]\ndependencies:\n  - greeting <2\n")
    env_tree.restore("conda-env-update")
    third = env_update(env_tree)
    assert third.code == 0, third.output
    assert "Rebuilding layer 'conda-env' since: input changed" in third.output
    assert not (env / "bin" / "hello").exists()
    assert [p.name for p in (env / "conda-meta").glob("*.json")] == ["greeting-1.0-0.json"]


def test_unsatisfiable_spec_names_spec_and_channel(env_tree):
    env_tree.write("environment.yml", "dependencies:\n  - hello >=5\n")
    run = env_update(env_tree)
    assert run.code == 1 and "Traceback" not in run.output
    error = run.output[run.output.index("ERROR:"):]
    assert "conda cannot satisfy hello >=5 from the channels file://" in error and "vendor" in error
    assert not (run.layers / "conda-env.toml").exists()


@pytest.mark.parametrize("text,expected", [
    ("dependencies:\n  - hello\n bad: [\n", "environment.yml is not valid YAML"),
    ("dependencies: [hello]\nchanels: [x]\n", "environment.yml has an unknown key 'chanels'"),
    ("channels: [x]\n", "`dependencies:` must be a non-empty list"),
])
def test_bad_environment_files_are_one_message(env_tree, text, expected):
    env_tree.write("environment.yml", text)
    run = env_update(env_tree)
    assert run.code == 1 and "Traceback" not in run.output
    assert expected in run.output and run.output.count("ERROR:") == 1


def test_explicit_lock_installs_exactly_and_checks_hashes(env_tree):
    channel = env_tree.app / "vendor"
    sha = hashlib.sha256((channel / "linux-64" / "greeting-1.0-0.tar.bz2").read_bytes()).hexdigest()
    url = (channel / "linux-64" / "greeting-1.0-0.tar.bz2").resolve().as_uri()
    shutil.move(channel, env_tree.root / "channel")  # a lock names its URLs: no vendored channel
    url = url.replace(str(channel.resolve()), str((env_tree.root / "channel").resolve()))
    _index(env_tree.root / "channel")
    env_tree.write("conda-linux-64.lock", f"# platform: linux-64\n@EXPLICIT\n{url}#sha256:{sha}\n")
    run = env_update(env_tree)
    assert run.code == 0, run.output
    assert "Installing exactly what conda-linux-64.lock locks" in run.output
    assert [p.name for p in (run.layers / "conda-env" / "conda-meta").glob("*.json")] == ["greeting-1.0-0.json"]

    env_tree.write("conda-linux-64.lock", f"# platform: linux-64\n@EXPLICIT\n{url}#sha256:{'0' * 64}\n")
    bad = env_update(env_tree)
    assert bad.code == 1 and "Traceback" not in bad.output
    assert "does not match the hash conda-linux-64.lock locks" in bad.output


def test_lock_for_another_platform_is_refused(env_tree):
    env_tree.write("conda-osx.lock", "# platform: osx-arm64\n@EXPLICIT\nhttp://127.0.0.1:9/c/osx-arm64/a-1-0.tar.bz2\n")
    run = env_update(env_tree)
    assert run.code == 1 and "Traceback" not in run.output
    assert "locks packages for osx-arm64, not for linux-64" in run.output


def test_binding_channel_credentials_stay_out_of_logs_and_layers(env_tree):
    channel = env_tree.root / "channel"
    shutil.move(env_tree.app / "vendor", channel)
    _index(channel)
    env_tree.binding("mirror", "conda", {".condarc": f"custom_channels:\n  conda-forge: file://{channel.parent}\n"
                                                    "channel_alias: http://deploy:hunter2-secret@127.0.0.1:9/\n"})
    (channel.parent / "conda-forge").symlink_to(channel)
    env_tree.write("environment.yml", "channels: [conda-forge]\ndependencies: [greeting]\n")
    run = env_update(env_tree)
    assert run.code == 0, run.output
    assert "configured by binding mirror" in run.output
    env_tree.write("environment.yml", "channels: [private]\ndependencies: [greeting]\n")
    bad = env_update(env_tree)
    assert bad.code == 1 and "hunter2-secret" not in bad.output
    assert "http://127.0.0.1:9/private" in bad.output  # the channel, named without its credentials
    layers = env_tree.root / "layers"
    assert not [p for p in layers.rglob("*") if p.is_file() and b"hunter2-secret" in p.read_bytes()]


def _index(channel: Path) -> None:
    from libbuild.conda import vendor
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        out = vendor.indexed(channel, Path(tmp))
        for sub in vendor.SUBDIRS:
            if (out / sub / "repodata.json").is_file():
                (channel / sub).mkdir(parents=True, exist_ok=True)
                shutil.copy(out / sub / "repodata.json", channel / sub / "repodata.json")


def test_channel_names_resolve_through_condarc_settings():
    from libbuild.conda.channels import ChannelConfig, redact
    config = ChannelConfig().merge({"channel_alias": "http://u:p@mirror.internal/conda",
                                    "custom_channels": {"internal": "https://pkgs.internal/t/tok123"},
                                    "default_channels": ["main", "https://other.internal/r"]}, "test")
    assert config.resolve(["conda-forge", "internal", "defaults", "nodefaults"]) == [
        "http://u:p@mirror.internal/conda/conda-forge", "https://pkgs.internal/t/tok123/internal",
        "http://u:p@mirror.internal/conda/main", "https://other.internal/r"]
    assert redact("http://u:p@mirror.internal/conda/x") == "http://mirror.internal/conda/x"
    assert redact("https://pkgs.internal/t/tok123/internal") == "https://pkgs.internal/t/***/internal"
    assert sorted(config.secrets()) == ["p", "tok123", "u"]


def test_missing_channel_is_one_message(env_tree):
    shutil.rmtree(env_tree.app / "vendor")
    env_tree.binding("mirror", "conda", {".condarc": f"channel_alias: file://{env_tree.root}/channels\n"})
    env_tree.write("environment.yml", "channels: [nowhere]\ndependencies: [hello]\n")
    run = env_update(env_tree)
    assert run.code == 1 and "Traceback" not in run.output and run.output.count("ERROR:") == 1
    assert f"a conda channel could not be read (file://{env_tree.root}/channels/nowhere)" in run.output


def test_conda_lock_and_pixi_lock_become_explicit_lists():
    from libbuild.conda import locks
    from libbuild.errors import UserError
    sha = "a" * 64
    conda_lock = {"version": 1, "metadata": {"platforms": ["linux-64", "osx-arm64"]}, "package": [
        {"name": "flask", "version": "3.1.3", "manager": "conda", "platform": "linux-64",
         "url": "https://c.example/conda-forge/noarch/flask-3.1.3-pyh_0.conda", "hash": {"md5": "b" * 32, "sha256": sha}},
        {"name": "flask", "version": "3.1.3", "manager": "conda", "platform": "osx-arm64",
         "url": "https://c.example/conda-forge/noarch/flask-3.1.3-pyh_0.conda", "hash": {"md5": "b" * 32}},
        {"name": "six", "version": "1.17.0", "manager": "pip", "platform": "linux-64", "url": "https://p/six.whl", "hash": {}}]}
    lock = locks.parse_conda_lock(conda_lock, "conda-lock.yml", "linux-64")
    assert lock.to_explicit("linux-64") == ("# platform: linux-64\n@EXPLICIT\n"
                                            f"https://c.example/conda-forge/noarch/flask-3.1.3-pyh_0.conda#sha256:{sha}\n")
    assert lock.pip == ["six==1.17.0"]
    pixi = {"version": 6, "environments": {"default": {"channels": [{"url": "https://c.example/conda-forge/"}],
            "packages": {"osx-arm64": [{"conda": "https://c.example/conda-forge/osx-arm64/python-3.12.0-h_0.conda"}]}}},
            "packages": [{"conda": "https://c.example/conda-forge/osx-arm64/python-3.12.0-h_0.conda", "sha256": sha}]}
    other = locks.parse_pixi_lock(pixi, "pixi.lock", "linux-64")
    with pytest.raises(UserError) as exc:
        locks.check_platform(other, "linux-64", "pixi.lock")
    assert "pixi.lock locks packages for osx-arm64, not for linux-64" in exc.value.message
    mine = locks.parse_pixi_lock(pixi, "pixi.lock", "osx-arm64")
    assert [(p.name, p.sha256) for p in mine.packages] == [("python", sha)]
    listed = locks.parse_text("# platform: linux-64\nflask=3.1.3=pyh_0\nsix=1.17.0\n", "package-list.txt")
    assert listed.kind == "package-list" and listed.specs == ["flask ==3.1.3 pyh_0", "six ==1.17.0"]


def test_channel_settings_of_a_binding_keep_no_credentials():
    from libbuild.conda.buildinputs import channel_settings
    text = ("channel_alias: http://u:pw-a@h/conda\nproxy_servers:\n  http: http://x:pw-b@proxy\n"
            "custom_channels:\n  conda-forge: https://h/t/tok-c/conda\n")
    plain = channel_settings(text)
    assert plain == "channel_alias: http://h/conda\ncustom_channels:\n  conda-forge: https://h/t/***/conda"
    parsed = channel_settings('"channel_alias": "http://u:pw-a@h/conda"\nchannels: [conda-forge]\n')
    assert "pw-a" not in parsed and "http://h/conda" in parsed and "conda-forge" in parsed


def test_binding_condarc_wins_over_the_apps_for_the_keys_it_sets(tmp_path):
    from libbuild.bindings import discover
    from libbuild.conda.channels import ChannelConfig
    b = tmp_path / "bindings" / "mirror"
    b.mkdir(parents=True)
    (b / "type").write_text("conda")
    (b / ".condarc").write_text("channel_alias: http://mirror.internal/conda\ndefault_channels: [conda-forge]\n")
    app_condarc = "channel_alias: https://elsewhere.example\nchannels: [bioconda, defaults]\nssl_verify: false\n"
    config = ChannelConfig.load(app_condarc, discover({}, tmp_path))
    assert config.sources == ["the app's .condarc", "binding mirror"]
    assert config.resolve([]) == ["http://mirror.internal/conda/bioconda", "http://mirror.internal/conda/conda-forge"]


def test_conda_lock_from_a_public_channel_installs_from_the_platforms_mirror(env_tree):
    channel = env_tree.root / "mirror" / "conda-forge"
    channel.parent.mkdir()
    shutil.move(env_tree.app / "vendor", channel)
    _index(channel)
    pkg = channel / "linux-64" / "greeting-2.0-0.tar.bz2"
    sha = hashlib.sha256(pkg.read_bytes()).hexdigest()
    env_tree.write("conda-lock.yml", json.dumps({"version": 1, "metadata": {"platforms": ["linux-64"]}, "package": [
        {"name": "greeting", "version": "2.0", "manager": "conda", "platform": "linux-64",
         "url": "https://conda.example.invalid/conda-forge/linux-64/greeting-2.0-0.tar.bz2", "hash": {"sha256": sha}}]}))
    env_tree.binding("mirror", "conda", {".condarc": f"custom_channels:\n  conda-forge: {channel.parent.as_uri()}\n"})
    run = env_update(env_tree)
    assert run.code == 0, run.output
    assert "1 of 1 locked packages come from the channels' configured location" in run.output
    assert [p.name for p in (run.layers / "conda-env" / "conda-meta").glob("*.json")] == ["greeting-2.0-0.json"]


def test_explicit_lock_with_a_vendored_channel_installs_offline(env_tree):
    sha = hashlib.sha256((env_tree.app / "vendor" / "linux-64" / "greeting-1.0-0.tar.bz2").read_bytes()).hexdigest()
    env_tree.write("package-list.txt", "# platform: linux-64\n@EXPLICIT\n"
                   f"https://conda.example.invalid/conda-forge/linux-64/greeting-1.0-0.tar.bz2#sha256:{sha}\n")
    run = env_update(env_tree)
    assert run.code == 0, run.output
    assert "1 of 1 locked packages come from the vendored channel" in run.output
    assert [p.name for p in (run.layers / "conda-env" / "conda-meta").glob("*.json")] == ["greeting-1.0-0.json"]


# -- build inputs: conda off the build while the environment's inputs are unchanged ------------

def _digest(tree) -> str | None:
    run = tree.detect("conda-env-update")
    assert run.code == 0, run.output
    return run.plan()["requires"][0]["metadata"].get("build-inputs")


def test_digest_follows_the_environment_and_channels_never_their_credentials(tree):
    tree.write("environment.yml", "channels: [conda-forge]\ndependencies: [python=3.11, flask]\n")
    plain = _digest(tree)
    assert plain and plain == _digest(tree)
    tree.write("environment.yml", "channels: [conda-forge]\ndependencies: [python=3.11]\n")
    assert _digest(tree) not in (None, plain)
    tree.binding("certs", "ca-certificates", {"corp.crt": "-----BEGIN CERTIFICATE-----\n"})
    neutral = _digest(tree)
    assert neutral is not None
    binding = tree.binding("mirror", "conda", {".condarc": "channel_alias: http://deploy:pw-one@127.0.0.1:9/conda\n"})
    with_channel = _digest(tree)
    assert with_channel not in (None, neutral)
    (binding / ".condarc").write_text("channel_alias: http://other:pw-two@127.0.0.1:9/conda\n")
    assert _digest(tree) == with_channel  # new credentials, same channels: the same environment
    (binding / ".condarc").write_text("channel_alias: http://deploy:pw-one@127.0.0.1:9/other-conda\n")
    assert _digest(tree) not in (None, with_channel)
    # other keys (which may hold secrets of their own) are no part of it; flow style is parsed
    (binding / ".condarc").write_text("channel_alias: http://deploy:pw-one@127.0.0.1:9/conda\nssl_verify: false\n")
    assert _digest(tree) == with_channel
    (binding / ".condarc").write_text('{"channel_alias": "http://x:pw@127.0.0.1:9/other-conda"}\n')
    assert _digest(tree) not in (None, with_channel)
    tree.set_env("BP_CONDA_DISTRIBUTION", "miniconda3")
    assert _digest(tree) is not None and _digest(tree) != with_channel


@pytest.mark.parametrize("setup", [
    lambda t: t.binding("index", "pip", {"pip.conf": "[global]\nindex-url = http://u:p@127.0.0.1:9/simple\n"}),
    lambda t: t.write("vendor/noarch/repodata.json", "{}"),
    lambda t: t.write("environment.yml", "dependencies:\n  - pip\n  - pip:\n    - -e .\n"),
    lambda t: t.write("environment.yml", "channels: [file:///srv/channel]\ndependencies: [hello]\n"),
    lambda t: t.binding("mirror", "conda", {".condarc": '"channels": [\n'}),  # parsed, and broken
])
def test_no_digest_for_what_it_cannot_see(tree, setup):
    tree.write("environment.yml", "dependencies: [hello]\n")
    setup(tree)
    assert _digest(tree) is None


def test_miniconda_installs_nothing_while_every_requirer_states_unchanged_inputs(tree, rattler_wheel):
    sha = hashlib.sha256(rattler_wheel.read_bytes()).hexdigest()
    tree.binding("offline", "dependency-mapping", {sha: rattler_wheel.as_uri()})
    inputs = {"build": True, "build-inputs": "a" * 64}
    first = tree.build("miniconda", [("conda", inputs)])
    assert first.code == 0, first.output
    assert first.layer_toml("conda")["types"] == {"build": True, "launch": False, "cache": False}
    assert first.env_files("conda")["env.build/PYCNB_CONDA_DISTRIBUTION.override"] == "rattler"
    record = first.layer_toml("build-inputs")
    assert record["types"] == {"build": False, "launch": True, "cache": False}
    assert record["metadata"]["build-inputs"] == ["a" * 64] and record["metadata"]["distribution"] == "rattler"
    assert not any((first.layers / "build-inputs").iterdir())  # the record is metadata only

    tree.restore("miniconda")
    second = tree.build("miniconda", [("conda", inputs)])
    assert second.code == 0, second.output
    assert "Nothing to do" in second.output and "Installing" not in second.output
    assert not (second.layers / "conda.toml").exists()  # not contributed: nothing to restore next time
    assert second.layer_toml("build-inputs")["types"]["launch"] is True

    tree.restore("miniconda")
    third = tree.build("miniconda", [("conda", {**inputs, "build-inputs": "b" * 64})])
    assert third.code == 0, third.output
    assert "Rebuilding layer 'build-inputs' since: build-inputs changed" in third.output
    assert "Installing py-rattler" in third.output and (third.layers / "conda" / "bin" / "conda").is_file()

    tree.restore("miniconda")
    unstated = tree.build("miniconda", [("conda", CONDA_BUILD)])  # a requirer needs conda every build
    assert unstated.code == 0, unstated.output
    assert unstated.layer_toml("conda")["types"]["cache"] is True
    assert not unstated.layer_toml("build-inputs").get("types", {}).get("launch")  # the record is dropped


def test_environment_reused_without_conda_then_rebuilt_from_empty_when_it_changes(env_tree):
    channel = env_tree.root / "channel"
    shutil.move(env_tree.app / "vendor", channel)
    _index(channel)
    (channel.parent / "conda-forge").symlink_to(channel)
    env_tree.binding("mirror", "conda", {".condarc": f"custom_channels:\n  conda-forge: file://{channel.parent}\n"
                                                    "channel_alias: http://deploy:hunter2-secret@127.0.0.1:9/\n"})
    env_tree.write("environment.yml", "channels: [conda-forge]\ndependencies: [hello, greeting]\n")
    digest = _digest(env_tree)
    assert digest
    first = env_update(env_tree)
    assert first.code == 0, first.output
    assert first.layer_toml("conda-env")["metadata"]["build-inputs"] == digest
    assert first.layer_toml("conda-pkgs")["types"] == {"build": False, "launch": False, "cache": False}
    env = first.layers / "conda-env"
    assert (env / "bin" / "hello").is_file()

    conda = env_tree.earlier.pop()  # pycnb/miniconda found the inputs unchanged: no conda on this build
    env_tree.restore("conda-env-update")
    second = env_update(env_tree)
    assert second.code == 0, second.output
    assert "Reusing layer 'conda-env'" in second.output and "Solving" not in second.output
    assert not env.exists() and second.layer_toml("conda-env")["types"] == {"build": False, "launch": True, "cache": False}

    env_tree.write("environment.yml", "channels: [conda-forge]\ndependencies: [greeting <2]\n")
    env_tree.restore("conda-env-update")
    disagree = env_update(env_tree)  # conda missing although the inputs changed: one message, no traceback
    assert disagree.code == 1 and "Traceback" not in disagree.output
    assert "conda is not available at build" in disagree.output and disagree.output.count("ERROR:") == 1

    env_tree.earlier.append(conda)
    third = env_update(env_tree)
    assert third.code == 0, third.output
    assert "Rebuilding layer 'conda-env' since: build-inputs changed" in third.output
    assert not (env / "bin" / "hello").exists()  # from empty: the removed package is gone
    assert [p.name for p in (env / "conda-meta").glob("*.json")] == ["greeting-1.0-0.json"]
    assert not [p for p in (env_tree.root / "layers").rglob("*") if p.is_file() and b"hunter2-secret" in p.read_bytes()]
