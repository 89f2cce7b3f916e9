"""Pinterest catalog: CSV with RFC 4180 quoting, or TSV with one record per line."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import pinterest

COLUMNS = ["id", "title", "description", "link", "image_link", "additional_image_link", "price", "availability"]


def feed(items, **options) -> Feed:
    info = FeedInfo("pinterest", "pinterest", "pinterest", market="US", options={"columns": COLUMNS, **options})
    return Feed(info, tuple(items))


def item(sku: str, **fields) -> Item:
    return Item(id=sku, fields={"id": sku, **fields}, product_id="P1")


ITEMS = [
    item("P1-S", title="Mug, 12\" tall", description="Stoneware.\nDishwasher\tsafe.", link="https://s.example/1",
         image_link="https://i.example/1.jpg",
         additional_image_link=["https://i.example/2.jpg", "https://i.example/3.jpg"],
         price="24.99 USD", availability="in stock"),
    item("P1-M", title="Tasse à café", price="19.99 USD", availability="preorder"),
]  # fmt: skip


def write(tmp: Path, feeds) -> FeedOutput:
    out = FeedOutput(tmp)
    pinterest.write_feeds(feeds, out)
    out.commit()
    return out


def read(path: Path, delimiter: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_csv_keeps_line_breaks_and_tabs_quoted(tmp_path):
    assert list(write(tmp_path, [feed(ITEMS)]).files) == ["pinterest/US.csv"]
    header, first, second = read(tmp_path / "pinterest/US.csv", ",")
    assert header == COLUMNS
    assert first[1:3] == ['Mug, 12" tall', "Stoneware.\nDishwasher\tsafe."]
    assert first[5] == "https://i.example/2.jpg,https://i.example/3.jpg"
    assert second == ["P1-M", "Tasse à café", "", "", "", "", "19.99 USD", "preorder"]


def test_tsv_is_one_record_per_line(tmp_path):
    assert list(write(tmp_path, [feed(ITEMS, delimiter="tab")]).files) == ["pinterest/US.tsv"]
    raw = (tmp_path / "pinterest/US.tsv").read_text(encoding="utf-8")
    assert len(raw.splitlines()) == 3
    assert raw.splitlines()[1].split("\t")[:3] == ["P1-S", '"Mug, 12"" tall"', "Stoneware. Dishwasher safe."]
    header, first, _ = read(tmp_path / "pinterest/US.tsv", "\t")
    assert header == COLUMNS
    assert first[1:3] == ['Mug, 12" tall', "Stoneware. Dishwasher safe."]
    assert first[5] == "https://i.example/2.jpg,https://i.example/3.jpg"  # commas need no quotes in TSV


def test_deterministic_bytes(tmp_path):
    a, b = write(tmp_path / "a", [feed(ITEMS)]), write(tmp_path / "b", [feed(ITEMS)])
    assert a.files["pinterest/US.csv"].sha256 == b.files["pinterest/US.csv"].sha256


@settings(max_examples=50)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_law_csv_text_values_round_trip(titles):
    items = [item(f"S{i}", title=title) for i, title in enumerate(titles)]
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), [feed(items)])
        rows = read(Path(tmp) / "pinterest/US.csv", ",")
    assert [row[1] for row in rows[1:]] == [t.replace("\r\n", "\n").replace("\r", "\n") for t in titles]


@settings(max_examples=50)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_law_tsv_never_breaks_a_record(titles):
    items = [item(f"S{i}", title=title) for i, title in enumerate(titles)]
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), [feed(items, delimiter="tab")])
        raw = (Path(tmp) / "pinterest/US.tsv").read_text(encoding="utf-8")
    lines = raw.splitlines()
    assert len(lines) == len(titles) + 1
    assert [line.split("\t")[0] for line in lines[1:]] == [f"S{i}" for i in range(len(titles))]
