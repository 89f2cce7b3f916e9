"""TikTok catalog CSV: sku_id key column, mapping column order, RFC 4180 quoting."""

from __future__ import annotations

import csv
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import tiktok_csv

COLUMNS = ["sku_id", "title", "description", "availability", "condition", "price", "image_link", "brand"]


def feed(market: str, items, columns=COLUMNS) -> Feed:
    options = {"columns": columns} if columns else {}
    return Feed(FeedInfo("tiktok", "tiktok", "tiktok-csv", market=market, options=options), tuple(items))


def item(sku: str, **fields) -> Item:
    return Item(id=sku, fields={"sku_id": sku, **fields}, product_id="P1", group_id="P1")


def write(tmp: Path, feeds) -> dict[str, list[list[str]]]:
    out = FeedOutput(tmp)
    tiktok_csv.write_feeds(feeds, out)
    out.commit()
    result = {}
    for path in sorted(out.files):
        with open(tmp / path, encoding="utf-8", newline="") as handle:
            result[path] = list(csv.reader(handle))
    return result


ITEMS = [
    item("P1-S", title="Trail Shell, S", description='Light "packable" shell\nwith hood', availability="in stock",
         condition="new", price="99.00 USD", image_link="https://img.example/1.jpg", brand="Ösel"),
    item("P1-M", title="Trail Shell, M", availability="out of stock", condition="new", price=Decimal("99.00"),
         brand=None),
]  # fmt: skip


def test_one_file_per_market_with_mapping_columns(tmp_path):
    files = write(tmp_path, [feed("US", ITEMS), feed("DE", ITEMS[:1])])
    assert list(files) == ["tiktok/DE.csv", "tiktok/US.csv"]
    header, first, second = files["tiktok/US.csv"]
    assert header == COLUMNS
    assert first == ["P1-S", "Trail Shell, S", 'Light "packable" shell\nwith hood', "in stock", "new", "99.00 USD",
                     "https://img.example/1.jpg", "Ösel"]  # fmt: skip
    assert second == ["P1-M", "Trail Shell, M", "", "out of stock", "new", "99.00", "", ""]


def test_quoting_on_disk(tmp_path):
    write(tmp_path, [feed("US", ITEMS[:1], ["sku_id", "title", "description"])])
    raw = (tmp_path / "tiktok/US.csv").read_bytes().decode("utf-8")
    assert raw == 'sku_id,title,description\nP1-S,"Trail Shell, S","Light ""packable"" shell\nwith hood"\n'


def test_without_columns_the_first_items_order_is_used(tmp_path):
    files = write(tmp_path, [feed("US", ITEMS, columns=None)])
    assert files["tiktok/US.csv"][0] == list(ITEMS[0].fields)


def test_a_feed_without_sku_id_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sku_id"):
        tiktok_csv.write_feeds([feed("US", ITEMS, ["id", "title"])], FeedOutput(tmp_path))


def test_deterministic_bytes(tmp_path):
    write(tmp_path / "a", [feed("US", ITEMS)])
    write(tmp_path / "b", [feed("US", ITEMS)])
    assert (tmp_path / "a/tiktok/US.csv").read_bytes() == (tmp_path / "b/tiktok/US.csv").read_bytes()


@settings(max_examples=50)
@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), min_size=1, max_size=5))
def test_law_text_values_round_trip(values):
    items = [item(f"S{i}", title=title, description=description) for i, (title, description) in enumerate(values)]
    with tempfile.TemporaryDirectory() as tmp:
        rows = write(Path(tmp), [feed("US", items, ["sku_id", "title", "description"])])["tiktok/US.csv"]
    crlf = lambda text: text.replace("\r\n", "\n").replace("\r", "\n")  # noqa: E731
    assert [row[1:] for row in rows[1:]] == [[crlf(text) for text in pair] for pair in values]
