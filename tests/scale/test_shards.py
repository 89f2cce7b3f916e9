"""A build split into shards, in processes, or on Dask writes the same bytes as a build in one process."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pim.build import build
from pim.shards import read_part_file, shard_of
from pim.sources import WorkingTree
from pim.workers import map_forked
from tests.channels.demo import EPOCH, copy_demo, read_tree, run_pim

EPOCH_TIME = dt.datetime.fromtimestamp(int(EPOCH), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # what run_pim builds at


def differing(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(name for name in one.keys() | other.keys() if one.get(name) != other.get(name))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def single(demo, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("single")
    done = run_pim("build", "--jobs", "1", "--out", str(out), cwd=demo)
    assert done.returncode == 0, done.stdout + done.stderr
    return read_tree(out)


def build_shards(demo: Path, parts: Path, count: int, *extra: str) -> None:
    for shard in range(count):
        done = run_pim("build", "--shard", f"{shard}/{count}", "--out", str(parts), *extra, cwd=demo)
        assert done.returncode == 0, done.stdout + done.stderr


def test_shards_built_apart_and_merged_equal_one_build_byte_for_byte(demo, single, tmp_path):
    build_shards(demo, tmp_path / "parts", 3)
    done = run_pim("build", "--merge", str(tmp_path / "parts"), "--out", str(tmp_path / "merged"), cwd=demo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(single) > 100
    assert differing(read_tree(tmp_path / "merged"), single) == []


def test_a_build_in_two_processes_equals_one_in_one(demo, single, tmp_path):
    done = run_pim("build", "--jobs", "2", "--out", str(tmp_path / "out"), cwd=demo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert differing(read_tree(tmp_path / "out"), single) == []


def worker_pid(shared, task):
    return os.getpid(), shared * task


def test_tasks_run_in_forked_workers_in_order():
    assert threading.enumerate() == [threading.main_thread()], "an earlier test left a thread running"
    results = list(map_forked(worker_pid, 3, list(range(8)), 2))
    assert [value for _, value in results] == [3 * n for n in range(8)]
    assert {pid for pid, _ in results} - {os.getpid()}


def test_a_process_running_other_threads_does_not_fork():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        results = list(map_forked(worker_pid, 2, list(range(4)), 2))
    finally:
        stop.set()
        other.join()
    assert results == [(os.getpid(), 2 * n) for n in range(4)]


def test_each_item_is_rendered_by_exactly_one_shard(demo, tmp_path):
    build_shards(demo, tmp_path / "parts", 3, "--channel", "headless")
    per_shard = [read_part_file(tmp_path / "parts" / f"shard-{s}-of-3.pimpart")[2] for s in range(3)]
    rendered = [(feed, item.id) for parts in per_shard for feed, part in enumerate(parts) for item in part.items]
    assert all(any(part.items for part in parts) for parts in per_shard)
    assert len(rendered) == len(set(rendered))
    whole = build(WorkingTree(demo), channels=["headless"], write=False, jobs=1, time=EPOCH_TIME)
    assert sorted(rendered) == sorted((index, item.id) for index, feed in enumerate(whole.feeds) for item in feed.items)


def test_a_merge_refuses_missing_or_damaged_shards(demo, tmp_path):
    parts = tmp_path / "parts"
    build_shards(demo, parts, 3, "--channel", "headless")
    (parts / "shard-1-of-3.pimpart").unlink()
    done = run_pim("build", "--merge", str(parts), "--out", str(tmp_path / "out"), cwd=demo)
    assert done.returncode == 2 and "lacks shard(s) 1" in done.stderr
    build_shards(demo, parts, 3, "--channel", "headless")
    damaged = parts / "shard-2-of-3.pimpart"
    damaged.write_bytes(damaged.read_bytes()[:-10])
    done = run_pim("build", "--merge", str(parts), "--out", str(tmp_path / "out"), cwd=demo)
    assert done.returncode == 2 and "damaged or incomplete" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_merge_refuses_shards_built_for_other_channels(demo, tmp_path):
    build_shards(demo, tmp_path / "parts", 2, "--channel", "headless")
    done = run_pim("build", "--merge", str(tmp_path / "parts"), "--out", str(tmp_path / "out"), cwd=demo)
    assert done.returncode == 2 and "other channels or markets" in done.stderr


def test_shard_takes_i_of_n(demo, tmp_path):
    for bad in ("3/3", "a/2", "1"):
        done = run_pim("build", "--shard", bad, "--out", str(tmp_path), cwd=demo)
        assert done.returncode == 2 and "--shard takes I/N" in done.stderr


@given(st.text(min_size=1, max_size=30), st.integers(min_value=1, max_value=64))
def test_a_product_always_falls_in_the_same_shard(product_id, shards):
    assert 0 <= shard_of(product_id, shards) < shards
    assert shard_of(product_id, shards) == shard_of(str(product_id), shards)


def test_shards_do_not_move_when_products_are_added():
    ids = [f"P-{n}" for n in range(200)]
    before = {i: shard_of(i, 8) for i in ids}
    assert {i: shard_of(i, 8) for i in ids + ["NEW-1", "NEW-2"] if i in before} == before
    assert len(set(before.values())) == 8


def test_the_shards_run_on_a_local_dask_cluster_of_two_workers(demo, single, tmp_path):
    done = run_pim("build", "--dask", "local:2", "--out", str(tmp_path / "out"), cwd=demo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert differing(read_tree(tmp_path / "out"), single) == []
