"""The parse cache: an unchanged file is read from the cache, and a bad entry is never trusted."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from pim.cache import CACHE_FOLDER, DocumentCache
from pim.catalog import load_catalog
from pim.packs import Packs
from pim.sources import WorkingTree
from pim.validation_cache import VALIDATED_FOLDER

from .conftest import JACKET, SWEATER, TinyProject, describe


def entries(tiny: TinyProject) -> list[bytes]:
    return sorted(Packs(tiny.root / CACHE_FOLDER).keys())


def forget_validations(tiny: TinyProject) -> None:
    """Without the validation cache's entry, a run reads every product file (through the parse cache)."""
    shutil.rmtree(tiny.root / VALIDATED_FOLDER, ignore_errors=True)


def entry_for(tiny: TinyProject, relpath: str) -> tuple[bytes, Path, int, int]:
    """(key, pack, offset, size) of the file's entry."""
    key = DocumentCache.key((tiny.root / relpath).read_bytes())
    return next(found for found in Packs(tiny.root / CACHE_FOLDER).locations() if found[0] == key)


def overwrite(pack: Path, offset: int, size: int, data: bytes) -> None:
    """The entry's bytes in the pack replaced by `data`; shorter data cuts the pack off after it."""
    whole = bytearray(pack.read_bytes())
    whole[offset : offset + size] = data
    pack.write_bytes(bytes(whole[: offset + len(data)] if len(data) < size else whole))


def test_a_second_run_reads_every_file_from_the_cache_and_finds_the_same(tiny):
    first = [describe(p) for p in tiny.validate()]
    cached = len(entries(tiny))
    assert cached > 5
    cache = DocumentCache.for_project(tiny.root)
    assert all(cache.get((tiny.root / JACKET).read_bytes())[1] is not None for _ in range(2))
    forget_validations(tiny)
    assert [describe(p) for p in tiny.validate()] == first
    assert len(entries(tiny)) == cached


def test_an_edited_file_is_parsed_again(tiny):
    tiny.validate()
    tiny.replace(JACKET, "stock: 3", "stock: -1")
    assert [p.code for p in tiny.validate()] == ["PIM104"]


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "garbage", "empty"])
def test_a_corrupt_entry_is_detected_and_rebuilt(tiny, damage):
    expected = [describe(p) for p in tiny.validate()]
    key, pack, offset, size = entry_for(tiny, JACKET)
    good = pack.read_bytes()[offset : offset + size]
    bad = {
        "truncated": good[: len(good) // 2],
        "flipped byte": good[:-3] + bytes([good[-3] ^ 0x01]) + good[-2:],
        "garbage": b"\x00" * len(good),
        "empty": b"",
    }[damage]
    overwrite(pack, offset, size, bad)
    cache = DocumentCache.for_project(tiny.root)
    assert cache.get((tiny.root / JACKET).read_bytes())[1] is None
    assert cache.rejected == (0 if damage in ("truncated", "empty") else 1)  # cut short: the entry is missing
    forget_validations(tiny)
    assert [describe(p) for p in tiny.validate()] == expected
    again = DocumentCache.for_project(tiny.root)
    assert again.get((tiny.root / JACKET).read_bytes())[1] is not None  # made again, in a pack of its own
    assert again.packs.read(key) == good


def test_an_entry_indexed_for_another_file_is_not_trusted(tiny):
    tiny.validate()
    jacket, sweater = entry_for(tiny, JACKET), entry_for(tiny, SWEATER)
    folder = jacket[1].parent
    (folder / "later.pack").write_bytes(sweater[1].read_bytes())
    (folder / "later.idx").write_bytes(struct.pack("<20sQI", jacket[0], sweater[2], sweater[3]))  # a valid entry, for other content
    assert Packs(folder).read(jacket[0]) == sweater[1].read_bytes()[sweater[2] : sweater[2] + sweater[3]]
    forget_validations(tiny)
    loaded = load_catalog(WorkingTree(tiny.root))
    ids = sorted(p.id for p in loaded.catalog.products)
    assert ids == ["TJ-100", "WS-200"]


def test_no_cache_is_kept_when_asked(tiny, monkeypatch):
    monkeypatch.setenv("PIM_NO_CACHE", "1")
    tiny.validate()
    assert not (tiny.root / CACHE_FOLDER).exists()


def test_values_yaml_gives_come_back_exactly(tmp_path):
    cache = DocumentCache(tmp_path)
    document = {"gtin": "0012345678905", 1: "int key", "big": 2**80, "nan": float("nan"), "list": [None, True, 1.5]}
    key, _ = cache.get(b"some bytes")
    cache.put(key, document)
    again = cache.get(b"some bytes")[1]
    assert again.keys() == document.keys() and again["big"] == 2**80 and again["nan"] != again["nan"] and again["list"] == [None, True, 1.5]
