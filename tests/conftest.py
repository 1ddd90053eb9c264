import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Tests import libbuild from the source tree and its vendored libraries (make vendor).
sys.path[:0] = [str(REPO), str(REPO / "build" / "vendor"), str(REPO / "tests")]


@pytest.fixture
def tree(tmp_path):
    from harness import CNBTree
    return CNBTree(tmp_path)
