import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import google_tsv

COLUMNS = ["id", "title", "price", "additional_image_link", "shipping", "item_group_id", "size", "gtin"]


def info(**options) -> FeedInfo:
    return FeedInfo(channel="google", kind="google-merchant", format="google-tsv", market="US", options=options)


ITEMS = (
    Item(id="TEE-M", product_id="TEE", group_id="TEE", fields={
        "id": "TEE-M",
        "title": "Tee\twith tab\nand  newline, é & <b>",
        "price": "24.90 USD",
        "additional_image_link": ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b,c.jpg", ""],
        "shipping": {"country": "DE", "service": "Standard", "price": "4.95 EUR"},
        "item_group_id": "TEE",
        "size": "M",
        "gtin": None,
    }),
    Item(id="TEE-L", product_id="TEE", group_id="TEE", fields={
        "title": 'Tee 12" wide',
        "price": Decimal("24.90"),
        "shipping": [{"country": "US", "region": "CA", "service": "Overnight", "price": "16.00 USD"},
                     {"country": "US", "postal_code": "94043", "price": "0 USD"}],
        "size": "L",
    }),
)


def write(feed, tmp_path) -> str:
    out = FeedOutput(tmp_path / "feeds")
    google_tsv.write_feeds([feed], out)
    out.commit()
    return (tmp_path / "feeds" / "google" / "US.tsv").read_bytes().decode("utf-8")


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter="\t"))


def test_tsv_cells(tmp_path):
    text = write(Feed(info(columns=COLUMNS), ITEMS), tmp_path)
    header, first, second = rows(text)
    assert header == COLUMNS
    cell = dict(zip(header, first))
    assert cell["title"] == "Tee with tab and  newline, é & <b>"
    assert cell["additional_image_link"] == "https://cdn.example.com/a.jpg,https://cdn.example.com/b%2Cc.jpg"
    assert cell["shipping"] == "DE::Standard:4.95 EUR"
    assert cell["gtin"] == ""
    cell = dict(zip(header, second))
    assert cell["id"] == "TEE-L"  # from Item.id
    assert cell["title"] == 'Tee 12" wide'
    assert cell["price"] == "24.90"
    assert cell["shipping"] == "US:CA:Overnight:16.00 USD,US:94043::0 USD"


def test_tsv_lines(tmp_path):
    text = write(Feed(info(columns=COLUMNS), ITEMS), tmp_path)
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 4  # header + 2 rows, each ended by LF
    assert all(line.count("\t") == len(COLUMNS) - 1 for line in lines[:-1])
    assert "\r" not in text and not text.startswith("\ufeff")


def test_tsv_columns_default_to_first_item_with_id_first(tmp_path):
    feed = Feed(info(), (Item(id="A", product_id="A", fields={"title": "a", "price": "1.00 USD"}),
                         Item(id="B", product_id="B", fields={"price": "2.00 USD", "title": "b", "extra": "x"})))
    assert rows(write(feed, tmp_path)) == [["id", "title", "price"], ["A", "a", "1.00 USD"], ["B", "b", "2.00 USD"]]


def test_tsv_refuses_a_shipping_part_it_cannot_place(tmp_path):
    feed = Feed(info(), (Item(id="A", product_id="A", fields={"shipping": {"country": "US", "max_transit_time": 3}}),))
    with pytest.raises(ValueError, match="item A, field 'shipping'"):
        write(feed, tmp_path)


def test_tsv_deterministic(tmp_path):
    feed = Feed(info(columns=COLUMNS), ITEMS)
    assert write(feed, tmp_path / "a") == write(feed, tmp_path / "b")


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=4))
def test_every_row_has_every_column_on_one_line(tmp_path_factory, texts):
    items = tuple(Item(id=f"I{n}", product_id="P", fields={"title": t, "size": [t, t]}) for n, t in enumerate(texts))
    text = write(Feed(info(columns=["id", "title", "size"]), items), tmp_path_factory.mktemp("tsv"))
    parsed = rows(text)
    assert len(parsed) == len(items) + 1
    assert all(len(row) == 3 for row in parsed)
    assert [row[0] for row in parsed[1:]] == [item.id for item in items]
