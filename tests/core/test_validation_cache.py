"""The validation cache: an unchanged product file is neither read nor typed again, and every run still
finds exactly the problems a run without any cache finds."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pim.cache import MarshalStore
import pim.catalog as catalog_module
from pim.catalog import load_catalog
from pim.model import Product
from pim.project import channel_names, validate_catalog
from pim.sources import GitRevision, WorkingTree
from pim.validation_cache import _ENTRY, _MAGIC, VALIDATED_FOLDER, UntypedProduct, every_line, joined, lines

from .conftest import FAMILY, JACKET, SETTINGS, SWEATER, TinyProject, describe

BROKEN = "catalog/products/BROKEN.yaml"


def found(tiny: TinyProject) -> list[str]:
    return [describe(p) for p in tiny.validate()]


def found_without_cache(tiny: TinyProject, monkeypatch) -> list[str]:
    with monkeypatch.context() as patched:
        patched.setenv("PIM_NO_CACHE", "1")
        return found(tiny)


def products(tiny: TinyProject) -> dict:
    catalog = load_catalog(WorkingTree(tiny.root), channel_names(WorkingTree(tiny.root))).catalog
    return {p.id: p for p in catalog.products}


@pytest.fixture
def flawed(tiny: TinyProject) -> TinyProject:
    """The tiny project with a mistake a product check finds, and a file that does not parse."""
    tiny.replace(JACKET, 'gtin: "4006381333931"', 'gtin: "4006381333932"')  # wrong check digit
    tiny.write(BROKEN, "id: [unclosed\n")
    return tiny


def test_a_second_run_types_no_unchanged_product_and_finds_the_same_problems(flawed, monkeypatch):
    first = found(flawed)
    assert {p.split()[1] for p in first} >= {"PIM001", "PIM223"}, first
    assert found(flawed) == first == found_without_cache(flawed, monkeypatch)
    assert all(isinstance(p, UntypedProduct) for p in products(flawed).values())


def test_an_unchanged_file_is_not_even_read(tiny, monkeypatch):
    past = time.time() - 60  # well before the entry is written: not racy
    for relpath in (JACKET, SWEATER):
        os.utime(tiny.root / relpath, (past, past))
    tiny.validate()
    reads: list[str] = []
    read = WorkingTree.read
    monkeypatch.setattr(WorkingTree, "read", lambda self, relpath: reads.append(relpath) or read(self, relpath))
    assert all(isinstance(p, UntypedProduct) for p in products(tiny).values())
    assert JACKET not in reads and SWEATER not in reads and "catalog/settings.yaml" in reads


def test_an_untyped_product_reads_as_the_typed_one_and_travels_typed(tiny, monkeypatch):
    tiny.validate()
    untyped = products(tiny)["TJ-100"]
    assert isinstance(untyped, UntypedProduct)
    monkeypatch.setenv("PIM_NO_CACHE", "1")
    typed = products(tiny)["TJ-100"]
    assert type(typed) is Product
    assert untyped.variants == typed.variants and untyped.name == typed.name
    assert lines(untyped.known.skus) == [v.sku for v in typed.variants]
    assert type(pickle.loads(pickle.dumps(untyped))) is Product


def test_an_edited_product_is_validated_again(tiny, monkeypatch):
    tiny.validate()
    tiny.replace(JACKET, "stock: 3", "stock: -1")
    assert [p.split()[1] for p in found(tiny)] == ["PIM104"]
    assert found(tiny) == found_without_cache(tiny, monkeypatch)


def test_a_duplicate_sku_between_an_unchanged_and_a_new_product_is_found_with_both_places(tiny, monkeypatch):
    tiny.validate()
    tiny.write("catalog/products/TJ-101.yaml", tiny.read(JACKET).replace("TJ-100\n", "TJ-101\n", 1).replace("TJ-100-BLK-L", "TJ-101-BLK-L").replace("TJ-100-NVY-M", "TJ-101-NVY-M").replace('"4006381333931"', '"4006381333948"').replace('"036000291452"', '"036000291469"').replace('"00012345678905"', '"00012345678912"'))
    problems = validate_catalog(WorkingTree(tiny.root)).problems
    assert [p.code for p in problems] == ["PIM221"]
    assert problems[0].related[0].path == JACKET  # the unchanged product is located, though not typed
    assert [describe(p) for p in problems] == found_without_cache(tiny, monkeypatch)
    catalog = load_catalog(WorkingTree(tiny.root), channel_names(WorkingTree(tiny.root))).catalog
    assert [p.code for p in catalog.found_across] == ["PIM221"]  # nothing changed: kept, not searched again
    assert found(tiny) == [describe(p) for p in problems]


def test_a_change_outside_the_products_validates_every_product_again(tiny, monkeypatch):
    tiny.validate()
    tiny.replace(SETTINGS, "currencies: [USD, EUR]", "currencies: [USD, EUR, GBP]")
    assert {p.split()[0].split(":")[0] for p in found(tiny) if " PIM227 " in p} == {JACKET, SWEATER}
    assert found(tiny) == found_without_cache(tiny, monkeypatch)


def test_a_removed_image_is_noticed_though_the_product_did_not_change(tiny):
    tiny.validate()
    tiny.remove("catalog/images/TJ-100-front.svg")
    assert [p.split()[1] for p in found(tiny)] == ["PIM211"]


def test_a_removed_product_leaves_no_duplicate_behind(tiny):
    tiny.write("catalog/products/TJ-200.yaml", tiny.read(JACKET).replace("TJ-100\n", "TJ-200\n", 1))
    assert "PIM221" in {p.split()[1] for p in found(tiny)}
    tiny.remove("catalog/products/TJ-200.yaml")
    assert found(tiny) == []


def test_a_change_within_the_clock_tick_of_the_last_run_is_seen(tiny):
    """A file changed without changing its signature (same size, in the same clock tick as the entry was
    written) is read again, because its time is too close to the entry's."""
    tiny.validate()
    store = MarshalStore(tiny.root / VALIDATED_FOLDER, _MAGIC)
    tiny.replace(JACKET, "stock: 3", "stock: 7")  # same size
    entry = store.get(_ENTRY)
    [signature] = WorkingTree(tiny.root).signatures([JACKET])
    old = entry["files"][JACKET]
    entry["files"][JACKET] = (signature + old[0][-20:], *old[1:])  # as if the signature had not changed
    entry["written_ns"] = int.from_bytes(signature[8:16], "little") + 1
    store.put(_ENTRY, entry)
    assert isinstance(products(tiny)["TJ-100"], Product)  # read and typed again
    assert [v.stock for v in products(tiny)["TJ-100"].variants] == [12, 7, 0]


def test_a_touched_file_with_the_same_bytes_is_read_but_not_validated_again(tiny):
    tiny.validate()
    past = time.time() - 60
    for relpath in (JACKET, SWEATER):
        os.utime(tiny.root / relpath, (past, past))
    assert all(isinstance(p, UntypedProduct) for p in products(tiny).values())
    assert found(tiny) == []


def test_a_copied_project_keeps_its_validations(flawed, tmp_path, monkeypatch):
    """A fresh clone with its .pim/cache restored (as CI does) has new inodes and times, the same bytes."""
    expected = found(flawed)
    copy = TinyProject(tmp_path / "copy")
    shutil.copytree(flawed.root, copy.root)
    assert all(isinstance(p, UntypedProduct) for p in products(copy).values())
    assert found(copy) == expected == found_without_cache(copy, monkeypatch)


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "empty"])
def test_a_corrupt_entry_is_ignored_and_rewritten(flawed, damage, monkeypatch):
    expected = found(flawed)
    [entry] = [p for p in (flawed.root / VALIDATED_FOLDER).rglob("*") if p.is_file()]
    good = entry.read_bytes()
    entry.write_bytes({"truncated": good[: len(good) // 2], "flipped byte": good[:-3] + bytes([good[-3] ^ 1]) + good[-2:], "empty": b""}[damage])
    assert found(flawed) == expected == found_without_cache(flawed, monkeypatch)
    assert MarshalStore(flawed.root / VALIDATED_FOLDER, _MAGIC).get(_ENTRY) is not None


def test_a_family_change_reaches_unchanged_products(tiny, monkeypatch):
    tiny.validate()
    tiny.replace(FAMILY, "attributes: [material, care, weight, gender]", "attributes: [material, care, weight]")
    assert [p.split()[1] for p in found(tiny)] == ["PIM209"]
    assert found(tiny) == found_without_cache(tiny, monkeypatch)


@given(st.lists(st.text(min_size=1), min_size=1))  # a product has at least one variant
def test_the_values_kept_as_one_text_come_back_as_they_were(values):
    assert lines(joined(values)) == values


@given(st.lists(st.lists(st.text(min_size=1), min_size=1)))
def test_the_values_of_many_products_come_back_all_of_them(products):
    assert sorted(every_line([joined(values) for values in products])) == sorted(v for values in products for v in values)


def test_a_git_revision_is_validated_once_per_file_content(flawed, monkeypatch):
    git = ["git", "-c", "commit.gpgsign=false", "-c", "user.name=Pim Test", "-c", "user.email=test@pim.invalid"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "flawed"]):
        subprocess.run([*git, *args], cwd=flawed.root, check=True, capture_output=True)
    flawed.replace(SWEATER, 'gtin: "96385074"', 'gtin: "96385075"')  # a wrong check digit
    subprocess.run([*git, "commit", "-qam", "a wrong GTIN"], cwd=flawed.root, check=True, capture_output=True)

    typed: list[str] = []
    validate = catalog_module.validate_document
    monkeypatch.setattr(catalog_module, "validate_document", lambda model, document, relpath, *rest: (typed.append(relpath) if model is Product else None) or validate(model, document, relpath, *rest))

    def side(revision: str) -> list[str]:
        typed.clear()
        validated = validate_catalog(GitRevision(flawed.root, revision))
        assert all(isinstance(p, UntypedProduct) for p in validated.catalog.products) != bool(os.environ.get("PIM_NO_CACHE"))
        return [describe(p) for p in validated.problems]

    first = side("HEAD~1")
    second = side("HEAD")
    assert typed == [SWEATER]  # only the changed file is typed
    new = [p for p in second if p not in first]
    assert [p.split()[1] for p in new] == ["PIM223"] and new[0].startswith(f"{SWEATER}:")
    again = side("HEAD~1")
    assert again == first and typed == [SWEATER]
    monkeypatch.setenv("PIM_NO_CACHE", "1")
    assert (side("HEAD~1"), side("HEAD")) == (first, second)


def test_a_revision_first_validated_after_the_working_tree_types_none_of_its_unchanged_files(flawed, monkeypatch):
    git = ["git", "-c", "commit.gpgsign=false", "-c", "user.name=Pim Test", "-c", "user.email=test@pim.invalid"]
    (flawed.root / ".gitignore").write_text(".pim/\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "flawed"]):
        subprocess.run([*git, *args], cwd=flawed.root, check=True, capture_output=True)
    flawed.replace(SWEATER, 'gtin: "96385074"', 'gtin: "96385075"')  # the working tree now differs from HEAD in one file
    in_tree = found(flawed)
    typed: list[str] = []
    validate = catalog_module.validate_document
    monkeypatch.setattr(catalog_module, "validate_document", lambda model, document, relpath, *rest: (typed.append(relpath) if model is Product else None) or validate(model, document, relpath, *rest))
    at_head = [describe(p) for p in validate_catalog(GitRevision(flawed.root, "HEAD")).problems]
    assert typed == [SWEATER]  # the one file whose bytes differ from the working tree's
    monkeypatch.setenv("PIM_NO_CACHE", "1")
    assert at_head == [describe(p) for p in validate_catalog(GitRevision(flawed.root, "HEAD")).problems] != in_tree
