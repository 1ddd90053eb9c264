import pytest

LAUNCH = {"launch": True}


def test_no_python_no_detect(tree):
    tree.write("index.html", "<html/>")
    assert tree.detect("python-start").code == 100


@pytest.mark.parametrize("name", ["app.py", "requirements.txt", "Pipfile", "pyproject.toml", "environment.yml",
                                  "package-list.txt", ".python-version"])
def test_detects_python_files_and_manifests(tree, name):
    tree.write(name, "")
    run = tree.detect("python-start")
    assert run.code == 0, run.output
    assert run.plan() == {
        "requires": [{"name": "cpython", "metadata": LAUNCH}, {"name": "site-packages", "metadata": LAUNCH}],
        "or": [{"requires": [{"name": "cpython", "metadata": LAUNCH}]},
               {"requires": [{"name": "conda-environment", "metadata": LAUNCH}]}],
    }


def test_python_file_in_subdirectory_only_does_not_count(tree):
    tree.write("scripts/tool.py", "")
    assert tree.detect("python-start").code == 100


def test_default_web_process_is_python(tree):
    tree.write("app.py", "print('hi')")
    run = tree.build("python-start", plan=[("cpython", LAUNCH)])
    assert run.code == 0, run.output
    assert run.launch() == {"processes": [{"type": "web", "command": ["python"], "default": True}]}
