import pytest

from libbuild import versions
from libbuild.errors import UserError

AVAILABLE = ["3.10.14", "3.11.2", "3.11.9", "3.12.4", "3.13.5", "3.14.0rc1"]


@pytest.mark.parametrize("constraint,expected", [
    ("3.11", "3.11.9"), ("3.11.*", "3.11.9"), ("3.11.2", "3.11.2"), ("~=3.11", "3.14.0rc1"),
    ("~=3.11.0", "3.11.9"), (">=3.10,<3.13", "3.12.4"), (">= 3.10, < 3.12", "3.11.9"), ("3", "3.14.0rc1"),
    ("", "3.14.0rc1"), ("*", "3.14.0rc1"), ("==3.12.*", "3.12.4"), ("v3.13", "3.13.5"), ("2.7", None), ("3.11.5", None),
])
def test_constraints(constraint, expected):
    assert versions.best(AVAILABLE, versions.parse_constraint(constraint)) == expected


def test_garbage_is_a_user_error_naming_the_source():
    with pytest.raises(UserError, match="runtime.txt asks for version 'python-banana'"):
        versions.parse_constraint("python-banana", "runtime.txt")


def test_sort():
    assert versions.sort_versions(["3.9.1", "3.10.0", "3.9.1"]) == ["3.9.1", "3.10.0"]
