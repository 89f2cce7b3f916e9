"""Google Merchant Center rules (channels.md §1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pim.feed import FeedInfo, Item
from pim.rules import check_feed, check_item
from pim.rules.google import RULES, TAXONOMY_OPTION, category_path, restricted_gtin_prefix
from pim.taxonomy import load_taxonomy

TAXONOMY_FILE = Path(__file__).resolve().parents[3] / "shared/data/google/taxonomy-with-ids.en-US.txt"
INFO = FeedInfo(channel="google", kind="google-merchant", format="google-rss", market="US", currency="USD")
VALID = {
    "id": "MUG-BLUE",
    "title": "Ceramic mug, 300 ml, blue",
    "description": "A ceramic mug that holds 300 ml.",
    "link": "https://shop.example.com/p/mug?color=blue",
    "image_link": "https://cdn.example.com/img/mug-blue.jpg",
    "availability": "in_stock",
    "price": "12.00 USD",
    "brand": "Example Home",
    "gtin": "4006381333931",  # starts with 4: a German EAN, not a restricted "04" GTIN-12
    "condition": "new",
}
# A T-shirt in Apparel & Accessories > Clothing > Shirts & Tops (212), with every apparel attribute.
SHIRT = {**VALID, "google_product_category": "212", "color": "Navy", "size": "M", "gender": "unisex", "age_group": "adult"}
# The engine passes the user's taxonomy; two lines of it are enough here.
SMALL_TAXONOMY = {
    212: ("Apparel & Accessories", "Clothing", "Shirts & Tops"),
    188: ("Apparel & Accessories", "Jewelry"),
}
APPAREL_INFO = FeedInfo(
    channel="google", kind="google-merchant", format="google-rss", market="US", currency="USD",
    options={TAXONOMY_OPTION: SMALL_TAXONOMY},
)  # fmt: skip


def item(base=VALID, group_id=None, **changes) -> Item:
    fields = {name: value for name, value in {**base, **changes}.items() if value is not None}
    return Item(id="MUG-BLUE", fields=fields, product_id="MUG", group_id=group_id)


def found(it: Item, info: FeedInfo = INFO) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, info)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []
    assert check_item(RULES, item(SHIRT, group_id="TSHIRT", item_group_id="TSHIRT"), APPAREL_INFO) == []


@pytest.mark.parametrize("name", ["title", "description", "link", "image_link", "availability", "price", "brand"])
def test_required(name):
    changes = {name: None, "mpn": "EH-1"} if name == "brand" else {name: None}
    assert (name, "PIM301") in found(item(**changes))


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"id": "X" * 51}, ("id", "PIM302")),
        ({"title": "T" * 151}, ("title", "PIM302")),
        ({"description": "D" * 5001}, ("description", "PIM302")),
        ({"brand": "B" * 71}, ("brand", "PIM302")),
        ({"mpn": "M" * 71}, ("mpn", "PIM302")),
        ({"product_type": "P" * 751}, ("product_type", "PIM302")),
        ({"custom_label_3": "L" * 101}, ("custom_label_3", "PIM302")),
        ({"link": "https://shop.example.com/" + "p" * 1980}, ("link", "PIM302")),
        ({"image_link": "https://cdn.example.com/" + "i" * 1980}, ("image_link", "PIM309")),
        ({"image_link": "cdn.example.com/mug.jpg"}, ("image_link", "PIM309")),
        ({"additional_image_link": [f"https://cdn.example.com/{n}.jpg" for n in range(11)]}, ("additional_image_link", "PIM312")),
        ({"availability": "in stock"}, ("availability", "PIM303")),  # Google uses underscores
        ({"condition": "mint"}, ("condition", "PIM303")),
        ({"gender": "men"}, ("gender", "PIM303")),
        ({"age_group": "teen"}, ("age_group", "PIM303")),  # Meta has teen, Google does not
        ({"identifier_exists": "maybe"}, ("identifier_exists", "PIM303")),
        ({"price": "12 USD"}, ("price", "PIM304")),
        ({"price": "12.00 EUR"}, ("price", "PIM303")),  # the US market sells in USD
        ({"sale_price": "12.00 USD"}, ("sale_price", "PIM311")),
        ({"sale_price_effective_date": "2026-01-31/2026-01-01"}, ("sale_price_effective_date", "PIM304")),
        ({"availability": "preorder"}, ("availability_date", "PIM308")),
        ({"availability": "backorder"}, ("availability_date", "PIM308")),
        ({"availability": "preorder", "availability_date": "soon"}, ("availability_date", "PIM304")),
        ({"gtin": "4006381333932"}, ("gtin", "PIM305")),
        ({"gtin": ["4006381333931"] * 11}, ("gtin", "PIM312")),
        ({"brand": "N/A", "gtin": "4006381333931"}, ("brand", "PIM303")),
        ({"brand": "Generic"}, ("brand", "PIM303")),
        ({"color": "Red/Green/Blue/Yellow"}, ("color", "PIM312")),
        ({"color": "C" * 41}, ("color", "PIM302")),
    ],
)
def test_each_rule(changes, expected):
    assert found(item(**changes)) == [expected]


@pytest.mark.parametrize(
    "gtin, prefix",
    [
        ("2001234567893", "2"),  # 13-digit starting with 2: in-store numbers
        ("212345678909", "02"),  # GTIN-12 with number system 2 (random weight): 0212... as 13 digits
        ("400000000008", "04"),  # GTIN-12, number system 4: in-store
        ("500000000005", "05"),  # GTIN-12, number system 5: coupons
        ("9800000000007", "98"),  # coupons
        ("9900000000004", "99"),  # refunds and coupons
    ],
)
def test_restricted_gtin_ranges(gtin, prefix):
    assert restricted_gtin_prefix(gtin)[0] == prefix
    assert found(item(gtin=gtin)) == [("gtin", "PIM305")]


@pytest.mark.parametrize(
    "gtin",
    [
        "4006381333931",  # Germany (400-440): "04" in the 14-digit form, but not a restricted range
        "5000112637922",  # the UK (50): "05" in the 14-digit form
        "9780471117094",  # ISBN (978)
        "036000291452",  # a GTIN-12 with number system 0
        "73513537",  # GTIN-8
        "10036000291459",  # GTIN-14 with packaging indicator 1
    ],
)
def test_ordinary_gtins_are_not_restricted(gtin):
    assert restricted_gtin_prefix(gtin) is None
    assert found(item(gtin=gtin)) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"gtin": None, "mpn": "EH-1"},  # MPN plus brand
        {"gtin": None, "identifier_exists": "no"},
        {"gtin": None, "identifier_exists": "false"},
        {"gtin": None, "identifier_exists": False},  # a bool is written as false
    ],
)
def test_identifier_alternatives(changes):
    assert found(item(**changes)) == []


@pytest.mark.parametrize("changes", [{"gtin": None}, {"gtin": None, "identifier_exists": "yes"}])
def test_identifier_missing(changes):
    assert found(item(**changes)) == [("gtin", "PIM306")]


def test_mpn_without_brand_is_not_enough():
    assert ("gtin", "PIM306") in found(item(gtin=None, brand=None, mpn="EH-1"))


def test_availability_date_given():
    assert found(item(availability="preorder", availability_date="2026-01-15T09:00+0100")) == []


def test_variant_needs_item_group_id():
    assert found(item(group_id="MUG")) == [("item_group_id", "PIM310")]
    assert found(item(group_id="MUG", item_group_id="G" * 51)) == [("item_group_id", "PIM302")]


@pytest.mark.parametrize("name", ["color", "size", "gender", "age_group"])
def test_clothing_needs_every_apparel_attribute(name):
    assert found(item(SHIRT, **{name: None}), APPAREL_INFO) == [(name, "PIM307")]


def test_apparel_outside_clothing_and_shoes_needs_no_size():
    # 188 - Apparel & Accessories > Jewelry: colour, gender and age group, but no size
    bracelet = {**SHIRT, "google_product_category": "188", "size": None}
    assert found(item(bracelet), APPAREL_INFO) == []
    assert found(item(bracelet, gender=None), APPAREL_INFO) == [("gender", "PIM307")]


def test_apparel_by_full_path_needs_no_taxonomy():
    path = "Apparel & Accessories > Shoes"
    assert found(item(SHIRT, google_product_category=path, size=None)) == [("size", "PIM307")]


def test_other_categories_need_no_apparel_attributes():
    assert found(item(google_product_category="Home & Garden > Kitchen & Dining")) == []


def test_apparel_found_through_the_taxonomy():
    if not TAXONOMY_FILE.exists():
        pytest.skip("the shared taxonomy file is not here")
    taxonomy = load_taxonomy(TAXONOMY_FILE)
    info = FeedInfo(channel="google", kind="google-merchant", format="google-rss", options={TAXONOMY_OPTION: taxonomy})
    coat = {**VALID, "google_product_category": "5598"}  # Clothing > Outerwear > Coats & Jackets
    assert sorted(found(item(coat), info)) == [
        ("age_group", "PIM307"), ("color", "PIM307"), ("gender", "PIM307"), ("size", "PIM307")
    ]  # fmt: skip
    assert found(item(coat), INFO) == []  # without the taxonomy an id below 166 cannot be placed
    assert category_path("5598", taxonomy)[:2] == ("Apparel & Accessories", "Clothing")


def test_ids_must_be_unique_in_the_feed():
    one, two = item(), Item(id="MUG-BLUE-2", fields={**VALID}, product_id="MUG")  # same id field
    assert [(item_id, v.field, v.code) for item_id, v in check_feed(RULES, [one, two], INFO)] == [
        ("MUG-BLUE", "id", "PIM313"), ("MUG-BLUE-2", "id", "PIM313")
    ]  # fmt: skip


def test_item_id_stands_in_for_a_missing_id_field():
    # The Google writers write Item.id when the mapping gives no id field.
    assert found(item(id=None)) == []
    assert found(Item(id="X" * 51, fields={k: v for k, v in VALID.items() if k != "id"}, product_id="P")) == [("id", "PIM302")]


def test_message_for_a_long_title():
    (violation,) = check_item(RULES, item(title="T" * 163), INFO)
    assert violation.message == (
        "title is 163 characters; Google allows 150: shorten the text or set `truncate: true` on the title field in the mapping"
    )



def test_the_known_apparel_ids_work_without_the_taxonomy():
    assert found(item(SHIRT, google_product_category="1604", size=None)) == [("size", "PIM307")]
