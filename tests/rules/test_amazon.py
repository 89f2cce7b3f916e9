"""Amazon JSON_LISTINGS_FEED rules (channels.md §4): SKU, product type, requirements and attributes."""

from __future__ import annotations

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_feed, check_item
from pim.rules.amazon import RULES

INFO = FeedInfo(channel="amazon", kind="amazon", format="amazon-json", market="US", locale="en-US", currency="USD")
US = "ATVPDKIKX0DER"


def localized(value: str) -> list[dict]:
    return [{"value": value, "language_tag": "en_US", "marketplace_id": US}]


ATTRIBUTES = {
    "item_name": localized("Ceramic mug, 300 ml, blue"),
    "product_description": localized("A ceramic mug that holds 300 ml."),
    "bullet_point": localized("Dishwasher safe") + localized("300 ml"),
    "externally_assigned_product_identifier": [{"type": "ean", "value": "4006381333931", "marketplace_id": US}],
    "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 10}],
}
VALID = {"product_type": "DRINKING_CUP", "requirements": "LISTING", "attributes": ATTRIBUTES}


def item(sku="MUG-BLUE", **changes) -> Item:
    fields = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    return Item(id=sku, fields=fields, product_id="MUG")


def with_attribute(name, value) -> Item:
    return item(attributes={**ATTRIBUTES, name: value})


def found(it: Item) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, INFO)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []


@pytest.mark.parametrize(
    "it, expected",
    [
        (item(sku=""), ("sku", "PIM301")),
        (item(sku="S" * 41), ("sku", "PIM302")),
        (item(product_type=None), ("product_type", "PIM301")),
        (item(product_type="drinking cup"), ("product_type", "PIM304")),
        (item(requirements="EVERYTHING"), ("requirements", "PIM303")),
        (item(operation="UPSERT"), ("operation", "PIM303")),
        (item(attributes=None), ("attributes", "PIM301")),
        (item(attributes={"item_name": []}), ("attributes", "PIM301")),  # the writer drops empty attributes
        (item(attributes=["item_name"]), ("attributes", "PIM304")),
        (with_attribute("color", "blue"), ("attributes.color", "PIM304")),
        (with_attribute("color", ["blue"]), ("attributes.color", "PIM304")),
        (with_attribute("item_name", [{"value": "Mug", "marketplace_id": US}]), ("attributes.item_name", "PIM301")),
        (with_attribute("bullet_point", [{"value": "Mug", "language_tag": "en_US"}]), ("attributes.bullet_point", "PIM301")),
        (with_attribute("product_description", [{"value": "Mug"}]), ("attributes.product_description", "PIM301")),
        (with_attribute("item_name", localized("M" * 201)), ("attributes.item_name", "PIM302")),
        (
            with_attribute("externally_assigned_product_identifier", [{"type": "upc", "value": "036000291453", "marketplace_id": US}]),
            ("attributes.externally_assigned_product_identifier", "PIM305"),
        ),
        (item(operation="PATCH", attributes=None), ("patches", "PIM301")),
    ],
)
def test_each_rule(it, expected):
    assert found(it) == [expected]


@pytest.mark.parametrize(
    "it",
    [
        item(operation="DELETE", product_type=None, attributes=None, requirements=None),
        item(operation="PARTIAL_UPDATE", requirements=None),
        item(operation="PATCH", attributes=None, patches=[{"op": "replace", "path": "/attributes/item_name", "value": []}]),
        item(requirements="LISTING_OFFER_ONLY"),
        # A MINSAN code is an Italian pharmacy number, not a GTIN.
        with_attribute("externally_assigned_product_identifier", [{"type": "minsan_code", "value": "012345678", "marketplace_id": US}]),
    ],
)
def test_accepted(it):
    assert found(it) == []


def test_duplicate_skus():
    assert [(item_id, v.field) for item_id, v in check_feed(RULES, [item(), item()], INFO)] == [("MUG-BLUE", "sku")]
