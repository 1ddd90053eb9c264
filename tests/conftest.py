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


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """A real S3 server (versitygw, built once and cached) on 127.0.0.1 for this session."""
    from s3server import S3Server, versitygw
    server = S3Server(tmp_path_factory.mktemp("s3"), versitygw())
    yield server
    server.close()
