"""Headless JSON and JSON-LD merchant listing rules (channels.md §6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_item
from pim.rules.web import HEADLESS_RULES, JSONLD_RULES

INFO = FeedInfo(channel="web", kind="jsonld", format="jsonld", market="DE", currency="EUR")
VARIANTS = [
    {"sku": "MUG-BLUE", "price": Decimal("24.90"), "currency": "EUR"},
    {"sku": "MUG-RED", "price": "24.90", "currency": "EUR"},
    {"sku": "MUG-GREEN", "price": 25, "currency": "EUR"},
]
VALID = {"name": "Ceramic mug", "image": ["https://cdn.example.com/mug.jpg"], "variants": VARIANTS}


def item(**changes) -> Item:
    fields = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    return Item(id="MUG", fields=fields, product_id="MUG", level="product")


def with_variant(**changes) -> Item:
    return item(variants=VARIANTS[:2] + [{**VARIANTS[2], **changes}])


def found(it: Item, rules=JSONLD_RULES) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(rules, it, INFO)]


def test_a_valid_item_has_no_violations():
    assert check_item(JSONLD_RULES, item(), INFO) == []
    assert check_item(HEADLESS_RULES, item(), INFO) == []


@pytest.mark.parametrize(
    "it, expected",
    [
        (item(name=None), ("name", "PIM301")),
        (item(image=None), ("image", "PIM301")),
        (item(image="mug.jpg"), ("image", "PIM309")),
        (item(variants=None), ("variants", "PIM301")),
        (with_variant(price=None), ("variants[2].price", "PIM301")),
        (with_variant(price="24,90"), ("variants[2].price", "PIM304")),
        (with_variant(price=0), ("variants[2].price", "PIM303")),  # merchant listings need a price above 0
        (with_variant(price="-1"), ("variants[2].price", "PIM303")),
        (with_variant(currency=None), ("variants[2].currency", "PIM301")),
        (with_variant(currency="€"), ("variants[2].currency", "PIM304")),
        (with_variant(currency="USD"), ("variants[2].currency", "PIM303")),
    ],
)
def test_jsonld_rules(it, expected):
    assert found(it) == [expected]


@pytest.mark.parametrize(
    "it, expected",
    [
        (item(name=None, image=None, variants=None), None),  # our own JSON: no required fields
        (with_variant(price=0), None),  # a free sample is fine on the own shop
        (with_variant(price="NaN"), ("variants[2].price", "PIM304")),
        (with_variant(price=True), ("variants[2].price", "PIM304")),
        (with_variant(price="-1.00"), ("variants[2].price", "PIM303")),
        (with_variant(currency="eur"), ("variants[2].currency", "PIM304")),
    ],
)
def test_headless_rules(it, expected):
    assert found(it, HEADLESS_RULES) == ([expected] if expected else [])
