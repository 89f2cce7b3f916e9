"""Meta catalog rules (channels.md §2)."""

from __future__ import annotations

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_feed, check_item
from pim.rules.meta import RULES

INFO = FeedInfo(channel="meta", kind="meta", format="meta-csv", market="FR", currency="EUR")
VALID = {
    "id": "MUG-BLUE",
    "title": "Ceramic mug, blue",
    "description": "A ceramic mug that holds 300 ml.",
    "availability": "in stock",
    "condition": "new",
    "price": "9.99 EUR",
    "link": "https://shop.example.com/p/mug",
    "image_link": "https://cdn.example.com/mug.jpg",
    "brand": "Example Home",
}


def item(item_id="MUG-BLUE", group_id=None, level="variant", **changes) -> Item:
    fields = {name: value for name, value in {**VALID, "id": item_id, **changes}.items() if value is not None}
    return Item(id=item_id, fields=fields, product_id="MUG", group_id=group_id, level=level)


def found(it: Item) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, INFO)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []
    assert found(item(group_id="MUG", item_group_id="MUG", age_group="teen", sale_price="7.99 EUR")) == []


@pytest.mark.parametrize(
    "name", ["id", "title", "description", "availability", "condition", "price", "link", "image_link"]
)
def test_required(name):
    assert found(item(**{name: None})) == [(name, "PIM301")]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"id": "X" * 101}, ("id", "PIM302")),
        ({"title": "T" * 201}, ("title", "PIM302")),
        ({"description": "D" * 10000}, ("description", "PIM302")),
        ({"brand": "B" * 101}, ("brand", "PIM302")),
        ({"availability": "in_stock"}, ("availability", "PIM303")),  # Meta writes it with a space
        ({"condition": "as new"}, ("condition", "PIM303")),
        ({"age_group": "baby"}, ("age_group", "PIM303")),
        ({"price": "9,99 EUR"}, ("price", "PIM304")),
        ({"price": "9.99 USD"}, ("price", "PIM303")),
        ({"sale_price": "10.99 EUR"}, ("sale_price", "PIM311")),
        ({"sale_price_effective_date": "2026-01-01"}, ("sale_price_effective_date", "PIM304")),
        ({"image_link": "/img/mug.jpg"}, ("image_link", "PIM309")),
        ({"link": "shop.example.com/p/mug"}, ("link", "PIM304")),
        ({"additional_image_link": ",".join(f"https://c.example/{n}.jpg" for n in range(21))}, ("additional_image_link", "PIM312")),
        ({"gtin": "123"}, ("gtin", "PIM305")),
        ({"brand": None}, ("brand", "PIM306")),
    ],
)
def test_each_rule(changes, expected):
    assert found(item(**changes)) == [expected]


@pytest.mark.parametrize("identifier", [{"mpn": "EH-1"}, {"gtin": "4006381333931"}])
def test_any_one_identifier_will_do(identifier):
    assert found(item(brand=None, **identifier)) == []


def test_additional_images_may_be_separated_by_semicolon_space_or_bar():
    links = " ; ".join(f"https://c.example/{n}.jpg" for n in range(20))
    assert found(item(additional_image_link=links.replace("; 3", "| 3"))) == []


def test_variant_needs_item_group_id():
    assert found(item(group_id="MUG")) == [("item_group_id", "PIM310")]


def test_no_parent_rows():
    assert found(item(level="parent")) == [("id", "PIM303")]


def test_an_id_may_not_equal_any_item_group_id():
    items = [item("MUG", group_id="MUG"), item("MUG-RED", group_id="MUG", item_group_id="MUG")]
    assert [(item_id, v.field, v.code) for item_id, v in check_feed(RULES, items, INFO)] == [("MUG", "id", "PIM313")]


def test_duplicate_ids():
    # One entry per item id: the engine leaves out every item with that id (Meta ignores them all).
    assert [(item_id, v.code) for item_id, v in check_feed(RULES, [item(), item()], INFO)] == [("MUG-BLUE", "PIM313")]
