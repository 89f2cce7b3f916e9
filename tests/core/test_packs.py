"""Packs: cache entries appended to a file per process, found again by key, pruned to what builds read."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pim.packs import Packs
from pim.workers import map_forked


def key(n: int) -> bytes:
    return n.to_bytes(20, "big")


def packs_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.pack"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.binary(max_size=40)), max_size=30))
def test_a_reader_finds_the_last_entry_written_for_each_key(tmp_path_factory, writes):
    folder = tmp_path_factory.mktemp("packs")
    writer = Packs(folder)
    for n, data in writes:
        writer.append(key(n), data)
    expected = {key(n): data for n, data in writes}
    reader = Packs(folder)
    assert {k: reader.read(k) for k in reader.keys()} == expected
    assert {k: writer.read(k) for k in expected} == expected
    for k, data in expected.items():
        assert reader.read(k, 1, len(data) - 1) == (data[1:] if data else None)  # a range; past the end is None


def _append_some(shared: Packs, numbers: list[int]) -> list[int]:
    for n in numbers:
        shared.append(key(n), f"entry {n}".encode())
    return [os.getpid()]


def test_entries_written_by_forked_workers_are_read_by_the_process_that_forked_them_once_it_refreshes(tmp_path):
    packs = Packs(tmp_path)
    assert not packs.has(key(0))
    pids = [pid for pids in map_forked(_append_some, packs, [[0, 1], [2, 3]], 2) for pid in pids]
    assert os.getpid() not in pids
    assert len(packs_in(tmp_path)) == len(set(pids))  # a pack per worker (one may have taken both tasks)
    assert packs.read(key(0)) is None  # the index as loaded, until told
    packs.refresh()
    assert [packs.read(key(n)) for n in range(4)] == [b"entry 0", b"entry 1", b"entry 2", b"entry 3"]


def test_an_index_record_cut_short_is_ignored_and_a_pack_cut_short_reads_as_missing(tmp_path):
    packs = Packs(tmp_path)
    packs.append(key(1), b"first")
    packs.append(key(2), b"second")
    (index,) = tmp_path.glob("*.idx")
    index.write_bytes(index.read_bytes()[:-5])
    assert Packs(tmp_path).keys() == [key(1)]
    (pack,) = tmp_path.glob("*.pack")
    pack.write_bytes(b"fir")
    assert Packs(tmp_path).read(key(1)) is None


def test_prune_deletes_packs_of_dead_entries_and_compacts_when_dead_outweigh_live(tmp_path):
    old = Packs(tmp_path)
    for n in range(10):
        old.append(key(n), bytes(1000))  # one pack: 2 live entries, 8 dead
    old.close()
    gone = Packs(tmp_path)
    gone.append(key(99), bytes(1000))  # a pack of dead entries only
    gone.close()
    past = time.time_ns() - 10**10
    for path in tmp_path.iterdir():
        os.utime(path, ns=(past, past))
    build = Packs(tmp_path)
    build.prune([key(3), key(7)])
    assert Packs(tmp_path).keys() == [key(3), key(7)]
    assert [Packs(tmp_path).read(key(n)) for n in (3, 7)] == [bytes(1000)] * 2
    assert sum(p.stat().st_size for p in tmp_path.glob("*.pack")) == 2000  # the live entries copied, the rest gone


def test_prune_keeps_a_pack_mostly_live_and_leaves_another_builds_new_pack_alone(tmp_path):
    old = Packs(tmp_path)
    for n in range(3):
        old.append(key(n), bytes(1000))
    old.close()
    past = time.time_ns() - 10**10
    for path in tmp_path.iterdir():
        os.utime(path, ns=(past, past))
    build = Packs(tmp_path)
    other = Packs(tmp_path)  # another build, writing after this one began
    other.append(key(50), b"another build's")
    other.close()
    build.prune([key(0), key(1)])
    assert sorted(Packs(tmp_path).keys()) == [key(0), key(1), key(2), key(50)]
    build.prune([key(0)])  # now dead (2,000 bytes) outweigh live (1,000): the old pack is compacted
    assert sorted(Packs(tmp_path).keys()) == [key(0), key(50)]
