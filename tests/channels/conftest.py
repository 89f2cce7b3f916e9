from pathlib import Path

import pytest

from tests.channels.demo import copy_demo


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "project")
