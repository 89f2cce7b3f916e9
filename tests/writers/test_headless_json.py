import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings, strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import headless_json


def info(market="US", **options) -> FeedInfo:
    return FeedInfo(channel="headless", kind="headless", format="headless-json", market=market, locale="en-US",
                    currency="USD", options=options)


JACKET = Item(id="TJ-100", product_id="TJ-100", level="product", fields={
    "name": 'Trail "Shell" Jacket & <more> – é',
    "url": "https://shop.example.com/p/tj-100",
    "price": Decimal("129.00"),
    "description": None,
    "tags": [],
    "variants": [
        {"sku": "TJ-100-BLK-M", "color": "black", "size": "M", "stock": 12, "gtin": None},
        {"sku": "TJ-100-BLK-L", "color": "black", "size": "L", "stock": 0, "on_sale": False},
    ],
    "images": [{"src": "images/TJ-100-front.svg", "alt": "Front view"}],
})
MUG = Item(id="MUG/1", product_id="MUG/1", level="product", fields={"id": "MUG/1", "name": "Mug", "price": 12})


def write(feeds, root: Path) -> FeedOutput:
    out = FeedOutput(root)
    headless_json.write_feeds(feeds, out)
    out.commit()
    return out


def test_one_document_per_product_plus_index(tmp_path):
    out = write([Feed(info(), (JACKET, MUG)), Feed(info(market=None), (MUG,))], tmp_path)
    assert sorted(out.files) == ["headless/US/index.json", "headless/US/products/MUG%2F1.json",
                                 "headless/US/products/TJ-100.json", "headless/all/index.json",
                                 "headless/all/products/MUG%2F1.json"]
    jacket = json.loads((tmp_path / "headless/US/products/TJ-100.json").read_text("utf-8"))
    assert list(jacket) == ["id", "name", "url", "price", "variants", "images"]  # mapping order, id first
    assert jacket["name"] == 'Trail "Shell" Jacket & <more> – é'
    assert jacket["price"] == 129
    assert jacket["variants"][0] == {"sku": "TJ-100-BLK-M", "color": "black", "size": "M", "stock": 12}
    assert jacket["variants"][1]["on_sale"] is False
    mug = json.loads((tmp_path / "headless/US/products/MUG%2F1.json").read_text("utf-8"))
    assert list(mug) == ["id", "name", "price"]


def test_index_lists_index_fields_in_order(tmp_path):
    write([Feed(info(), (JACKET, MUG))], tmp_path)
    index = json.loads((tmp_path / "headless/US/index.json").read_text("utf-8"))
    assert index == {"items": [
        {"id": "TJ-100", "name": 'Trail "Shell" Jacket & <more> – é', "url": "https://shop.example.com/p/tj-100",
         "price": 129},
        {"id": "MUG/1", "name": "Mug", "price": 12},
    ]}
    write([Feed(info(index_fields=["name", "variants"]), (JACKET,))], tmp_path / "custom")
    index = json.loads((tmp_path / "custom/headless/US/index.json").read_text("utf-8"))
    assert list(index["items"][0]) == ["id", "name", "variants"]


def test_layout_matches_json_dumps_indent_2(tmp_path):
    write([Feed(info(), (JACKET, MUG))], tmp_path)
    for path in ("headless/US/index.json", "headless/US/products/TJ-100.json"):
        raw = (tmp_path / path).read_text("utf-8")
        expected = json.dumps(json.loads(raw), indent=2, ensure_ascii=False) + "\n"
        assert raw.replace("129.00", "129.0") == expected  # json reads 129.00 as the float 129.0
    raw = (tmp_path / "headless/US/products/TJ-100.json").read_bytes()
    assert b'"price": 129.00' in raw and "– é".encode() in raw


def test_empty_market_has_an_empty_index(tmp_path):
    write([Feed(info(), ())], tmp_path)
    raw = (tmp_path / "headless/US/index.json").read_text()
    assert raw == json.dumps({"items": []}, indent=2) + "\n"


def test_deterministic(tmp_path):
    write([Feed(info(), (JACKET, MUG))], tmp_path / "a")
    write([Feed(info(), (JACKET, MUG))], tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


def without_empty(value):
    """The law's expectation, written independently of the writer's pruning."""
    if isinstance(value, dict):
        kept = {k: without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in map(without_empty, value) if v not in (None, "", [], {})]
    return value


@settings(max_examples=150, deadline=None)
@given(fields=st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda k: k != "id"), JSON_VALUES, max_size=5))
def test_any_fields_round_trip_without_empty_parts(tmp_path_factory, fields):
    root = tmp_path_factory.mktemp("headless")
    write([Feed(info(), (Item(id="P", product_id="P", fields=fields),))], root)
    document = json.loads((root / "headless/US/products/P.json").read_text("utf-8"))
    assert document == {"id": "P", **without_empty(fields)}
