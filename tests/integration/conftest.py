import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Workspace  # noqa: E402


@pytest.fixture
def ws():
    workspace = Workspace()
    yield workspace
    workspace.close()
