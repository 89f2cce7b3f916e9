"""The parse cache: an unchanged file is read from the cache, and a bad entry is never trusted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pim.cache import CACHE_FOLDER, DocumentCache
from pim.catalog import load_catalog
from pim.sources import WorkingTree
from pim.validation_cache import VALIDATED_FOLDER

from .conftest import JACKET, SWEATER, TinyProject, describe


def entries(tiny: TinyProject) -> list[Path]:
    return sorted(p for p in (tiny.root / CACHE_FOLDER).rglob("*") if p.is_file())


def forget_validations(tiny: TinyProject) -> None:
    """Without the validation cache's entry, a run reads every product file (through the parse cache)."""
    shutil.rmtree(tiny.root / VALIDATED_FOLDER, ignore_errors=True)


def entry_for(tiny: TinyProject, relpath: str) -> Path:
    key, _ = DocumentCache.for_project(tiny.root).get((tiny.root / relpath).read_bytes())
    return tiny.root / CACHE_FOLDER / key.hex()[:2] / key.hex()


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
    entry = entry_for(tiny, JACKET)
    good = entry.read_bytes()
    bad = {
        "truncated": good[: len(good) // 2],
        "flipped byte": good[:-3] + bytes([good[-3] ^ 0x01]) + good[-2:],
        "garbage": b"\x00" * len(good),
        "empty": b"",
    }[damage]
    entry.write_bytes(bad)
    cache = DocumentCache.for_project(tiny.root)
    assert cache.get((tiny.root / JACKET).read_bytes())[1] is None
    assert cache.rejected == 1
    forget_validations(tiny)
    assert [describe(p) for p in tiny.validate()] == expected
    assert entry.read_bytes() == good  # rebuilt


def test_an_entry_copied_from_another_file_is_not_trusted(tiny):
    tiny.validate()
    jacket, sweater = entry_for(tiny, JACKET), entry_for(tiny, SWEATER)
    jacket.write_bytes(sweater.read_bytes())  # a valid entry, for other content
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
