import pytest


def test_detect_needs_a_procfile(tree):
    assert tree.detect("procfile").code == 100
    tree.write("Procfile", "web: python app.py\n")
    assert tree.detect("procfile").code == 0


def test_each_line_becomes_a_bash_process_with_web_default(tree):
    tree.write("Procfile", "# processes\nweb: gunicorn -b 0.0.0.0:$PORT app:app\n\nworker:celery -A tasks worker\n"
                           "release.1 : python migrate.py  \n")
    run = tree.build("procfile")
    assert run.code == 0, run.output
    assert run.launch()["processes"] == [
        {"type": "web", "command": ["bash", "-c", "gunicorn -b 0.0.0.0:$PORT app:app"], "default": True},
        {"type": "worker", "command": ["bash", "-c", "celery -A tasks worker"]},
        {"type": "release.1", "command": ["bash", "-c", "python migrate.py"]},
    ]


def test_single_process_is_default(tree):
    tree.write("Procfile", "worker: python w.py\n")
    assert tree.build("procfile").launch()["processes"][0]["default"] is True


def test_no_web_and_several_processes_has_no_default(tree):
    tree.write("Procfile", "a: x\nb: y\n")
    assert all("default" not in p for p in tree.build("procfile").launch()["processes"])


@pytest.mark.parametrize("text,line,fragment", [
    ("web: ok\nthis line is broken\n", 2, "'this line is broken'"),
    ("web gunicorn app\n", 1, "'web gunicorn app'"),
    ("we b: x\n", 1, "'we b: x'"),
    ("web:\n", 1, "'web:'"),
])
def test_malformed_line_is_named(tree, text, line, fragment):
    tree.write("Procfile", text)
    run = tree.build("procfile")
    assert run.code == 1 and "Traceback" not in run.output
    assert f"Procfile line {line} is not a process definition: {fragment}" in run.output


def test_duplicate_and_empty(tree):
    tree.write("Procfile", "web: a\nweb: b\n")
    assert "Procfile line 2 defines process type 'web' again" in tree.build("procfile").output
    tree.write("Procfile", "# nothing\n")
    assert "Procfile defines no processes" in tree.build("procfile").output
