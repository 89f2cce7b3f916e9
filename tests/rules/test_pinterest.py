"""Pinterest catalog rules (channels.md §3.2)."""

from __future__ import annotations

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_feed, check_item
from pim.rules.pinterest import RULES

INFO = FeedInfo(channel="pinterest", kind="pinterest", format="pinterest-csv", market="US", currency="USD")
VALID = {
    "id": "MUG-BLUE",
    "title": "Ceramic mug, blue",
    "description": "A ceramic mug that holds 300 ml.",
    "link": "https://shop.example.com/p/mug",
    "image_link": "https://cdn.example.com/mug.jpg",
    "price": "24.99 USD",
    "availability": "in stock",
}


def item(group_id=None, **changes) -> Item:
    fields = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    return Item(id="MUG-BLUE", fields=fields, product_id="MUG", group_id=group_id)


def found(it: Item, info: FeedInfo = INFO) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, info)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []


@pytest.mark.parametrize("name", list(VALID))
def test_required(name):
    assert found(item(**{name: None})) == [(name, "PIM301")]


@pytest.mark.parametrize("price", ["24.99 USD", "24.99USD", "24.99"])
def test_price_formats(price):
    assert found(item(price=price)) == []


def test_a_price_without_currency_is_read_as_usd():
    eur = FeedInfo(channel="pinterest", kind="pinterest", format="pinterest-csv", market="FR", currency="EUR")
    assert found(item(price="24.99"), eur) == [("price", "PIM303")]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"id": "I" * 128}, ("id", "PIM302")),
        ({"item_group_id": "G" * 128}, ("item_group_id", "PIM302")),
        ({"title": "T" * 501}, ("title", "PIM302")),
        ({"description": "D" * 10001}, ("description", "PIM302")),
        ({"product_type": "P" * 1001}, ("product_type", "PIM302")),
        ({"custom_label_0": "L" * 512}, ("custom_label_0", "PIM302")),
        ({"link": "https://shop.example.com/" + "p" * 490}, ("link", "PIM302")),
        ({"image_link": "https://cdn.example.com/" + "i" * 1980}, ("image_link", "PIM309")),
        ({"additional_image_link": ",".join(f"https://c.example/{n}.jpg" for n in range(11))}, ("additional_image_link", "PIM312")),
        ({"additional_image_link": ["https://c.example/1.jpg", "c.example/2.jpg"]}, ("additional_image_link", "PIM309")),
        ({"availability": "backorder"}, ("availability", "PIM303")),
        ({"availability": "In Stock"}, None),  # case-insensitive [S24]
        ({"condition": "mint"}, ("condition", "PIM303")),
        ({"gender": "men"}, ("gender", "PIM303")),
        ({"age_group": "teen"}, ("age_group", "PIM303")),
        ({"size_type": "tall"}, ("size_type", "PIM303")),
        ({"price": "24,99 USD"}, ("price", "PIM304")),
        ({"sale_price": "25.00"}, ("sale_price", "PIM311")),
        ({"gtin": "4006381333932"}, ("gtin", "PIM305")),
    ],
)
def test_each_rule(changes, expected):
    assert found(item(**changes)) == ([expected] if expected else [])


def test_variant_needs_item_group_id():
    assert found(item(group_id="MUG")) == [("item_group_id", "PIM310")]
    assert found(item(group_id="MUG", item_group_id="MUG")) == []


def test_duplicate_ids():
    assert [(item_id, v.code) for item_id, v in check_feed(RULES, [item(), item()], INFO)] == [("MUG-BLUE", "PIM313")]
