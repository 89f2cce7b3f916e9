"""Dict files: a large dict written and read a chunk at a time, anything damaged read as missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pim import dictfile

MAGIC = b"PIMTEST1\n"


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.binary(max_size=24), st.binary(max_size=60), max_size=40), st.integers(1, 7), st.one_of(st.none(), st.integers()))
def test_what_is_saved_loads_back_whatever_the_chunk_size(tmp_path_factory, entries, chunk, head):
    path = tmp_path_factory.mktemp("dict") / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dictfile, "CHUNK", chunk)  # several chunks, a short last one, or none at all
        dictfile.save(path, MAGIC, head, entries)
    assert dictfile.load(path, MAGIC) == (head, entries)


@pytest.fixture
def saved(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(dictfile, "CHUNK", 3)
    path = tmp_path / "store"
    dictfile.save(path, MAGIC, 7, {bytes([n]) * 20: bytes([n]) * 100 for n in range(10)})
    return path


def test_a_file_cut_short_anywhere_reads_as_missing(saved: Path):
    data = saved.read_bytes()
    for end in range(0, len(data), 37):
        saved.write_bytes(data[:end])
        assert dictfile.load(saved, MAGIC) is None, end


def test_a_flipped_byte_anywhere_reads_as_missing(saved: Path):
    data = saved.read_bytes()
    for at in range(len(MAGIC), len(data), 41):
        saved.write_bytes(data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1 :])
        assert dictfile.load(saved, MAGIC) is None, at


def test_another_kind_of_file_or_none_at_all_reads_as_missing(saved: Path, tmp_path: Path):
    assert dictfile.load(saved, b"PIMOTHER1\n") is None
    assert dictfile.load(tmp_path / "absent", MAGIC) is None
    assert dictfile.load(saved, MAGIC) == (7, {bytes([n]) * 20: bytes([n]) * 100 for n in range(10)})


def test_saving_replaces_the_file_and_leaves_no_temporary_file(saved: Path):
    dictfile.save(saved, MAGIC, 8, {b"k": b"v"})
    assert dictfile.load(saved, MAGIC) == (8, {b"k": b"v"})
    assert [p.name for p in saved.parent.iterdir()] == ["store"]
