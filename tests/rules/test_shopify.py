"""Shopify product CSV rules (channels.md §5): one item per variant row, fields named by legacy column."""

from __future__ import annotations

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_item
from pim.rules.shopify import RULES

INFO = FeedInfo(channel="shopify", kind="shopify", format="shopify-csv", market="US", currency="USD")
VALID = {
    "Handle": "ceramic-mug",
    "Title": "Ceramic mug",
    "Option1 Name": "Color",
    "Option1 Value": "Blue",
    "Variant SKU": "MUG-BLUE",
    "Variant Price": "19.99",
    "Variant Compare At Price": "24.99",
    "Variant Barcode": "4006381333931",
    "Variant Inventory Policy": "deny",
    "Status": "active",
}


def item(level="variant", product_id="MUG", **changes) -> Item:
    fields = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    return Item(id="ceramic-mug#1", fields=fields, product_id=product_id, group_id=None, level=level)


def found(it: Item) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, INFO)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []


@pytest.mark.parametrize(
    "it, expected",
    [
        (item(product_id="", Handle=None), ("Handle", "PIM301")),
        (item(**{"Variant SKU": None}), ("Variant SKU", "PIM301")),
        (item(**{"Variant Price": "19.9"}), ("Variant Price", "PIM304")),
        (item(**{"Variant Price": "$19.99"}), ("Variant Price", "PIM304")),
        (item(**{"Variant Compare At Price": "24,99"}), ("Variant Compare At Price", "PIM304")),
        (item(**{"Variant Compare At Price": "19.99"}), ("Variant Compare At Price", "PIM311")),
        (item(**{"Variant Compare At Price": "9.99"}), ("Variant Compare At Price", "PIM311")),
        (item(**{"Variant Barcode": "4006381333932"}), ("Variant Barcode", "PIM305")),
        (item(**{"Variant Inventory Policy": "allow"}), ("Variant Inventory Policy", "PIM303")),
        (item(Status="published"), ("Status", "PIM303")),
        (item(**{f"Option{n} Name": f"O{n}" for n in (2, 3, 4)}), ("Option4 Name", "PIM312")),
    ],
)
def test_each_rule(it, expected):
    assert found(it) == [expected]


@pytest.mark.parametrize(
    "it",
    [
        item(Handle=None),  # the writer falls back to the group or product id
        item(level="parent", **{"Variant SKU": None}),
        item(**{"Variant Compare At Price": None}),
        item(**{"Variant Barcode": "ISBN-0-471-11709"}),  # not shaped like a GTIN: Shopify takes any barcode
        item(**{"Variant Barcode": "12345"}),
        item(**{f"Option{n} Name": f"O{n}" for n in (2, 3)}),
    ],
)
def test_accepted(it):
    assert found(it) == []
