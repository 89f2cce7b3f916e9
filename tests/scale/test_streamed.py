"""A streamed build (light items in memory, each item's bytes kept with its render, files joined from them)
writes what a build holding every item writes, and leaves alone what it wrote before."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from pim.build import build as build_in_process
from pim.diff import diff_sources, open_side
from pim.item_cache import ITEMS_FOLDER, WRITTEN_FOLDER, ItemCache
from pim.project import open_project
from pim.streamed import _section_bytes, _split_section
from tests.channels.demo import copy_demo, read_tree, run_pim
from tests.scale.test_item_cache import damage_entries, entries

STREAMED = ["-c", "google", "-c", "meta", "-c", "headless", "-c", "amazon"]


def build(project: Path, out: Path, *args: str, **env: str) -> tuple[dict[str, bytes], dict]:
    """The files written and the report (JSON: problems, exclusions), by `pim build` into `out`."""
    done = run_pim("build", "--jobs", "1", "--format", "json", "--out", str(out), *args, cwd=project, env=env)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads(done.stdout)
    return (read_tree(out) if out.exists() else {}), {"problems": report["problems"], "exclusions": report["exclusions"]}


def held_whole(project: Path, out: Path, *args: str) -> tuple[dict[str, bytes], dict]:
    """Without a render cache nothing streams: every item is held, as `pim diff` holds them."""
    return build(project, out, *args, PIM_NO_CACHE="1")


@pytest.fixture
def demo(tmp_path) -> Path:
    return copy_demo(tmp_path / "demo")


def edit(project: Path, relpath: str, old: str, new: str) -> None:
    path = project / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relpath} lacks {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_cold_warm_and_after_an_edit_a_streamed_build_writes_what_a_build_holding_every_item_writes(demo, tmp_path):
    out = tmp_path / "feeds"
    cold = build(demo, out)
    assert cold == held_whole(demo, tmp_path / "whole")
    assert build(demo, out) == cold
    edit(demo, "catalog/products/TJ-100.yaml", 'price: {USD: "129.00", EUR: "119.00"}', 'price: {USD: "131.00", EUR: "119.00"}')
    again = build(demo, out)
    assert again == held_whole(demo, tmp_path / "whole-again")
    assert again != cold


def test_items_a_rule_across_items_drops_are_left_out_of_the_pieces_joined(demo, tmp_path):
    # Meta's ids become colour + product: a product's variants of one colour share an id, and Meta's
    # rule across items drops all of them; variants of a colour of their own stay.
    edit(demo, "mappings/meta.yaml", "  id: variant.sku\n", "  id: (variant.color or 'none') ~ '-' ~ product.id\n")
    streamed = build(demo, tmp_path / "streamed", *STREAMED)
    whole = held_whole(demo, tmp_path / "whole", *STREAMED)
    assert streamed == whole
    assert "PIM313" in json.dumps(streamed[1]["exclusions"]), "the edit should make some Meta ids shared"
    rows = streamed[0]["meta/US.csv"].decode().splitlines()
    assert 1 < len(rows) < whole[0]["google/US.xml"].decode().count("<item>") + 1  # some variants kept, some dropped


def test_a_light_item_leaves_out_a_field_that_reads_as_its_id_and_the_rules_across_items_see_the_same(demo, tmp_path):
    # Each product's first variant takes the product id as its Meta id, which is also the group's id:
    # that field differs from the item's id and stays; the other variants' ids equal theirs and are left out.
    edit(demo, "mappings/meta.yaml", "  id: variant.sku\n", "  id: product.id if variant_index == 0 else variant.sku\n")
    channels = ["google", "meta", "headless", "amazon"]
    result = build_in_process(open_project(demo), channels=channels, out=tmp_path / "light", jobs=1, time="2026-01-01T00:00:00Z")
    kept = {(feed.info.channel, tuple(item.fields)) for feed in result.feeds for item in feed.items}
    assert kept == {("google", ()), ("amazon", ()), ("headless", ()), ("meta", ("item_group_id",))}  # the first variants: excluded
    streamed = build(demo, tmp_path / "streamed", *STREAMED)
    assert streamed == held_whole(demo, tmp_path / "whole", *STREAMED)
    assert "is also used as an item_group_id" in json.dumps(streamed[1]["exclusions"])


@pytest.mark.parametrize("size", [1, 7, 25])
def test_amazon_files_split_between_products_number_their_messages_as_one_file_would(demo, tmp_path, size):
    edit(demo, "mappings/amazon.yaml", "  seller_id: A2EXAMPLESELLER\n", f"  seller_id: A2EXAMPLESELLER\n  messages_per_file: {size}\n")
    streamed = build(demo, tmp_path / "streamed", "-c", "amazon")
    assert streamed == held_whole(demo, tmp_path / "whole", "-c", "amazon")
    assert len([path for path in streamed[0] if path.startswith("amazon/US")]) > 1


def test_damaged_pieces_are_made_again_from_a_fresh_render(demo, tmp_path):
    expected = build(demo, tmp_path / "first")
    damage_entries(demo, lambda good: good[:-1] + bytes([good[-1] ^ 0x01]))  # the last byte belongs to the pieces: light and full sections stay readable
    assert build(demo, tmp_path / "again") == expected


def test_a_rebuild_writes_only_files_whose_pieces_changed_and_puts_right_a_file_edited_by_hand(demo, tmp_path):
    out = tmp_path / "feeds"
    expected, _ = build(demo, out, *STREAMED)
    past = os.stat(out / "google/US.xml").st_mtime_ns - 10**10  # older than the racy window
    for path in (p for p in out.rglob("*") if p.is_file()):
        os.utime(path, ns=(past, past))
    build(demo, out, *STREAMED)  # records the files, now settled
    inodes = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    (out / "meta/US.csv").write_bytes(b"edited by hand\n")
    (out / "headless/US/index.json").unlink()
    done = run_pim("build", "--jobs", "1", "--out", str(out), *STREAMED, cwd=demo)
    assert "(2 changed;" in done.stdout, done.stdout
    assert read_tree(out) == expected
    assert {p: p.stat().st_ino for p in out.rglob("*") if p.is_file() and p.name not in ("US.csv", "index.json")} == {p: i for p, i in inodes.items() if p.name not in ("US.csv", "index.json")}
    assert any((demo / WRITTEN_FOLDER).iterdir())


def test_a_warm_build_reads_every_product_from_one_store_and_opens_no_entry(demo, tmp_path):
    out = tmp_path / "feeds"
    expected, _ = build(demo, out, *STREAMED)
    past = os.stat(out / "google/US.xml").st_mtime_ns - 10**10
    for path in (p for p in out.rglob("*") if p.is_file()):
        os.utime(path, ns=(past, past))
    build(demo, out, *STREAMED)
    for pack in (p for p in (demo / ITEMS_FOLDER).rglob("*") if p.is_file()):
        pack.unlink()  # nothing is rendered and no file is written: no entry is needed, none is made
    assert build(demo, out, *STREAMED)[0] == expected
    assert not entries(demo)


def test_a_rebuild_copies_the_parts_of_unchanged_products_from_the_files_in_place(demo, tmp_path, monkeypatch):
    out = tmp_path / "feeds"
    channels = ["google", "meta", "headless", "amazon"]
    build_in_process(open_project(demo), channels=channels, out=out, jobs=1, time="2026-01-01T00:00:00Z")
    past = os.stat(out / "google/US.xml").st_mtime_ns - 10**10
    for path in (p for p in out.rglob("*") if p.is_file()):
        os.utime(path, ns=(past, past))
    build_in_process(open_project(demo), channels=channels, out=out, jobs=1, time="2026-01-01T00:00:00Z")  # records layouts
    edit(demo, "catalog/products/TJ-100.yaml", 'price: {USD: "129.00", EUR: "119.00"}', 'price: {USD: "131.00", EUR: "119.00"}')
    read: list[bytes] = []
    pieces = ItemCache.pieces
    monkeypatch.setattr(ItemCache, "pieces", lambda self, key, start, end: read.append(key) or pieces(self, key, start, end))
    result = build_in_process(open_project(demo), channels=channels, out=out, jobs=1, time="2026-01-01T00:00:00Z")
    assert len(set(read)) == 1  # the edited product's pieces; every other product's bytes came from the files in place
    assert read_tree(out) == held_whole(demo, tmp_path / "whole", *STREAMED)[0]
    assert "google/US.xml" in result.changed


def committed_edit(project: Path, monkeypatch, relpath: str, old: str, new: str) -> None:
    """The project committed, then one file edited and committed; both commits diffed once, which fills the render cache."""
    (project / ".gitignore").write_text(".pim/\nfeeds/\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        git(project, *args)
    edit(project, relpath, old, new)
    git(project, "commit", "-qam", "an edit")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    diff_sources(open_side(project, "HEAD~1"), open_side(project, "HEAD"))


def test_a_diff_reads_whole_only_the_products_whose_renders_differ(demo, tmp_path, monkeypatch):
    committed_edit(demo, monkeypatch, "catalog/products/TJ-100.yaml", 'price: {USD: "129.00", EUR: "119.00"}', 'price: {USD: "131.00", EUR: "119.00"}')
    read: list[str] = []
    get = ItemCache.get
    monkeypatch.setattr(ItemCache, "get", lambda self, key: read.append(key) or get(self, key))
    light = diff_sources(open_side(demo, "HEAD~1"), open_side(demo, "HEAD"))
    assert len(read) == 2  # the edited product, on each side
    monkeypatch.setenv("PIM_NO_CACHE", "1")
    whole = diff_sources(open_side(demo, "HEAD~1"), open_side(demo, "HEAD"))
    assert light == whole and {f.name for f in light.feeds} >= {"google/US", "meta/US", "amazon/US", "headless/US"}


def test_a_diff_compares_an_unchanged_product_whose_item_an_edited_one_now_shares_an_id_with(demo, tmp_path, monkeypatch):
    # Meta's id is the SKU, unless the brand is "Copycat": then TJ-100's first SKU. Only BK-800 changes
    # (its brand), yet TJ-100's item with that id leaves Meta's feed too: the rule across items drops both.
    edit(demo, "mappings/meta.yaml", "  id: variant.sku\n", "  id: \"variant.sku if product.brand != 'Copycat' else 'TJ-100-BLK-S'\"\n")
    committed_edit(demo, monkeypatch, "catalog/products/BK-800.yaml", "brand: Hearthstone", "brand: Copycat")
    light = diff_sources(open_side(demo, "HEAD~1"), open_side(demo, "HEAD"), channels=["meta"])
    meta = next(feed for feed in light.feeds if feed.name == "meta/US")
    assert "TJ-100-BLK-S" in {change.item_id for change in meta.excluded}
    monkeypatch.setenv("PIM_NO_CACHE", "1")
    assert light == diff_sources(open_side(demo, "HEAD~1"), open_side(demo, "HEAD"), channels=["meta"])


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "user.name=Pim Test", "-c", "user.email=test@pim.invalid", *args], cwd=project, check=True, capture_output=True)


@given(st.binary(), st.binary())
def test_a_light_section_is_its_head_then_its_items_and_one_cut_short_is_refused(head: bytes, items: bytes):
    section = _section_bytes(head, items)
    assert _split_section(section) == (head, items)
    for cut in {0, 3, len(head) + 3}:  # before the head's end: refused, never read as another section
        with pytest.raises(ValueError):
            _split_section(section[:cut])
