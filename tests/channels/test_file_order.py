"""Law: the order in which product files are read does not change a single output byte."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings, strategies as st

from pim.build import build
from pim.sources import WorkingTree
from tests.channels.demo import EPOCH, copy_demo, read_tree


@dataclass
class ShuffledTree(WorkingTree):
    """A working tree that lists each folder in an order of the test's choosing."""

    seed: int = 0

    def list(self, folder: str, suffix: str = ".yaml") -> list[str]:
        names = super().list(folder, suffix)
        random.Random(f"{self.seed}/{folder}").shuffle(names)
        return names


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=1, max_value=2**31))
def test_file_order_does_not_change_output(tmp_path_factory, monkeypatch, seed):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    base = tmp_path_factory.mktemp("order")
    project = copy_demo(base / "project")
    sorted_result = build(WorkingTree(project), out=base / "sorted")
    shuffled_result = build(ShuffledTree(project, seed=seed), out=base / "shuffled")
    assert sorted_result.written and shuffled_result.written
    assert read_tree(base / "sorted") == read_tree(base / "shuffled")
