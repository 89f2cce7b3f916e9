"""BMEcat 2005 rules (channels.md §7, limits read from bmecat_2005.xsd)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_feed, check_item
from pim.rules.bmecat import RULES

INFO = FeedInfo(channel="bmecat", kind="bmecat", format="bmecat", market="DE", currency="EUR")
VALID = {
    "supplier_pid": "SKU-1001",
    "description_short": "Ceramic mug, 300 ml, blue",
    "price_amount": Decimal("4.90"),
    "gtin": "4006381333931",
}


def item(item_id="SKU-1001", **changes) -> Item:
    fields = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    return Item(id=item_id, fields=fields, product_id="MUG")


def found(it: Item) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, INFO)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []


@pytest.mark.parametrize(
    "it, expected",
    [
        (item(supplier_pid="S" * 33), ("supplier_pid", "PIM302")),
        (item(item_id="S" * 33, supplier_pid=None), ("supplier_pid", "PIM302")),  # the item id stands in
        (item(item_id=" ", supplier_pid=None), ("supplier_pid", "PIM301")),
        (item(description_short=None), ("description_short", "PIM301")),
        (item(description_short="D" * 151), ("description_short", "PIM302")),
        (item(price_amount="4,90"), ("price_amount", "PIM304")),
        (item(price_amount="4.90 EUR"), ("price_amount", "PIM304")),
        (item(gtin="4006381333932"), ("gtin", "PIM305")),
    ],
)
def test_each_rule(it, expected):
    assert found(it) == [expected]


@pytest.mark.parametrize("it", [item(price_amount=None), item(gtin=None), item(price_amount="12"), item(supplier_pid=None)])
def test_accepted(it):
    # Without price_amount the writer states the price "on request", which the XSD allows.
    assert found(it) == []


def test_supplier_pids_are_unique():
    items = [item("A", supplier_pid="SAME"), item("B", supplier_pid="SAME"), item("C", supplier_pid="OTHER")]
    assert [(item_id, v.code) for item_id, v in check_feed(RULES, items, INFO)] == [("A", "PIM313"), ("B", "PIM313")]
