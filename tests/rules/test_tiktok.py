"""TikTok Ads catalog rules (channels.md §3.1)."""

from __future__ import annotations

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_feed, check_item
from pim.rules.tiktok import RULES, is_emoji

INFO = FeedInfo(channel="tiktok", kind="tiktok", format="tiktok-csv", market="US", currency="USD")
VALID = {
    "sku_id": "MUG-BLUE",
    "title": "Ceramic Mug™ – 300 ml, blue ©",  # ™ and © are ordinary text
    "description": "A ceramic mug that holds 300 ml.",
    "availability": "in stock",
    "condition": "new",
    "price": "9.99 USD",
    "link": "https://shop.example.com/p/mug",
    "image_link": "https://cdn.example.com/mug.jpg",
    "brand": "Example Home",
}


def item(**changes) -> Item:
    fields = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    return Item(id="MUG-BLUE", fields=fields, product_id="MUG")


def found(it: Item) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, INFO)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []


@pytest.mark.parametrize("name", list(VALID))
def test_required(name):
    assert found(item(**{name: None})) == [(name, "PIM301")]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"sku_id": "S" * 51}, ("sku_id", "PIM302")),
        ({"availability": "in_stock"}, ("availability", "PIM303")),
        ({"availability": "available for order"}, None),
        ({"condition": "mint"}, ("condition", "PIM303")),
        ({"price": "9.99"}, ("price", "PIM304")),
        ({"sale_price": "9.99 USD"}, ("sale_price", "PIM311")),
        ({"gtin": "4006381333932"}, ("gtin", "PIM305")),
        ({"image_link": "cdn.example.com/mug.jpg"}, ("image_link", "PIM309")),
        ({"title": "Mug 🔥 sale"}, ("title", "PIM303")),
        ({"title": "Mug ❤️"}, ("title", "PIM303")),
        ({"title": "Mug\nblue"}, ("title", "PIM303")),
        ({"title": "Mug\x07"}, ("title", "PIM303")),
        ({"title": "Tasse à café, 300 ml – 日本"}, None),
    ],
)
def test_each_rule(changes, expected):
    assert found(item(**changes)) == ([expected] if expected else [])


def test_emoji_message_names_them_once():
    (violation,) = check_item(RULES, item(title="Mug 🔥🔥 ☕"), INFO)
    assert violation.message == "title contains emoji 🔥☕, which TikTok rejects: remove them from the title"


@pytest.mark.parametrize("char, expected", [("😀", True), ("🇫", True), ("☕", True), ("™", False), ("é", False), ("→", False)])
def test_is_emoji(char, expected):
    assert is_emoji(char) is expected


def test_duplicate_sku_ids():
    assert [(item_id, v.field) for item_id, v in check_feed(RULES, [item(), item()], INFO)] == [("MUG-BLUE", "sku_id")]
