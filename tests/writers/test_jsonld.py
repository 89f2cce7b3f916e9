import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import jsonld

INFO = FeedInfo(channel="jsonld", kind="schema-org", format="jsonld", market="US", locale="en-US", currency="USD")

JACKET = Item(id="TJ-100", product_id="TJ-100", group_id="TJ-100", level="product", fields={
    "name": 'Trail "Shell" Jacket & <more> – é',
    "description": "A light shell.",
    "brand": "Altitude",
    "url": "https://shop.example.com/p/tj-100",
    "image": ["https://cdn.example.com/tj-100-front.jpg"],
    "varies_by": ["color", "size", "age_group"],
    "variants": [
        {"sku": "TJ-100-BLK-M", "gtin": "0001-2345-678905", "name": "Trail Shell Jacket - Black - M", "color": "black",
         "size": "M", "url": "https://shop.example.com/p/tj-100?size=m", "price": Decimal("129"),
         "availability": "in_stock", "condition": "new"},
        {"sku": "TJ-100-BLK-L", "gtin": "4006381333931", "color": "black", "size": "L", "price": Decimal("129.005"),
         "currency": "CAD", "availability": "backorder", "image": "https://cdn.example.com/tj-100-l.jpg",
         "material": None},
        {"sku": "TJ-100-SAMPLE", "gtin": "123", "size": "S"},
    ],
})
MUG = Item(id="MUG 1/b", product_id="MUG", level="product", fields={
    "name": "Mug", "brand": "", "image": "https://cdn.example.com/mug.jpg", "url": "https://shop.example.com/p/mug",
    "sku": "MUG-1", "gtin": "96385074", "price": 12, "availability": "out_of_stock", "condition": "refurbished",
})


def write(items, root: Path) -> FeedOutput:
    out = FeedOutput(root)
    jsonld.write_feeds([Feed(INFO, tuple(items))], out)
    out.commit()
    return out


def read(root: Path, name: str) -> dict:
    return json.loads((root / "jsonld" / "US" / name).read_text("utf-8"))


def test_product_group_with_variants(tmp_path):
    write([JACKET], tmp_path)
    group = read(tmp_path, "TJ-100.json")
    assert list(group) == ["@context", "@type", "productGroupID", "name", "description", "url", "brand", "image",
                           "variesBy", "hasVariant"]
    assert group["@context"] == "https://schema.org" and group["@type"] == "ProductGroup"
    assert group["productGroupID"] == "TJ-100"
    assert group["name"] == 'Trail "Shell" Jacket & <more> – é'
    assert group["brand"] == {"@type": "Brand", "name": "Altitude"}
    assert group["variesBy"] == [f"https://schema.org/{axis}" for axis in ("color", "size", "suggestedAge")]
    m, l, sample = group["hasVariant"]
    assert m == {
        "@type": "Product", "sku": "TJ-100-BLK-M", "gtin14": "00012345678905", "name": "Trail Shell Jacket - Black - M",
        "description": "A light shell.", "image": ["https://cdn.example.com/tj-100-front.jpg"], "color": "black",
        "size": "M", "inProductGroupWithID": "TJ-100",
        "offers": {"@type": "Offer", "url": "https://shop.example.com/p/tj-100?size=m", "price": "129.00",
                   "priceCurrency": "USD", "availability": "https://schema.org/InStock",
                   "itemCondition": "https://schema.org/NewCondition"}}
    assert l["gtin13"] == "4006381333931" and l["name"] == group["name"]
    assert l["image"] == "https://cdn.example.com/tj-100-l.jpg" and "material" not in l
    assert l["offers"] == {"@type": "Offer", "url": "https://shop.example.com/p/tj-100", "price": "129.01",
                           "priceCurrency": "CAD", "availability": "https://schema.org/BackOrder"}
    assert sample["gtin"] == "123" and "offers" not in sample


def test_single_variant_without_axes_is_a_plain_product(tmp_path):
    out = write([MUG], tmp_path)
    assert list(out.files) == ["jsonld/US/MUG%201%2Fb.json"]
    product = read(tmp_path, "MUG%201%2Fb.json")
    assert product == {
        "@context": "https://schema.org", "@type": "Product", "sku": "MUG-1", "gtin8": "96385074", "name": "Mug",
        "url": "https://shop.example.com/p/mug", "image": "https://cdn.example.com/mug.jpg",
        "offers": {"@type": "Offer", "url": "https://shop.example.com/p/mug", "price": "12.00", "priceCurrency": "USD",
                   "availability": "https://schema.org/OutOfStock",
                   "itemCondition": "https://schema.org/RefurbishedCondition"}}


def test_bytes_are_indented_utf8_and_deterministic(tmp_path):
    write([JACKET, MUG], tmp_path / "a")
    write([JACKET, MUG], tmp_path / "b")
    raw = (tmp_path / "a/jsonld/US/TJ-100.json").read_bytes()
    assert raw == (tmp_path / "b/jsonld/US/TJ-100.json").read_bytes()
    assert raw.startswith(b'{\n  "@context": "https://schema.org",\n') and raw.endswith(b"}\n")
    assert "– é".encode() in raw and b"\\u" not in raw


@pytest.mark.parametrize("change, message", [
    ({"availability": "in stock"}, "availability must be one of"),
    ({"condition": "mint"}, "condition must be one of"),
    ({"price": "12.00 USD"}, "price must be a number"),
    ({"name": None}, "needs a name"),
])
def test_bad_values_are_refused_with_the_item(tmp_path, change, message):
    item = Item(id="MUG", product_id="MUG", fields={**MUG.fields, **change})
    with pytest.raises(ValueError, match=f"item MUG: .*{message}"):
        write([item], tmp_path)


@settings(max_examples=100, deadline=None)
@given(cents=st.integers(0, 10**9), extra=st.integers(0, 9))
def test_price_has_two_decimals_and_keeps_its_value(cents, extra):
    price = Decimal(cents) / 100 + Decimal(extra) / 10000  # below half a cent: rounds back down
    text = jsonld.price_text(price)
    assert len(text.split(".")[1]) == 2
    assert Decimal(text) == Decimal(cents) / 100
