"""The generic checks in pim.rules, driven by a made-up channel that declares one of everything."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pim.feed import FeedInfo, Item
from pim.rules import ChannelRules, ItemChecker, Violation, check_feed, check_item, entries, unique_ids
from pim.rules.formats import date_problem, date_range_problem, url_problem

RULES = ChannelRules(
    channel="Demo",
    required=("title",),
    max_length={"title": 10, "tags": 5},
    id_length={"id": 6},
    enums={"availability": frozenset({"in stock", "out of stock"}), "condition": frozenset({"new"})},
    enums_ignore_case=frozenset({"availability"}),
    prices=("price", "sale_price"),
    sale_price=("sale_price", "price"),
    dates=("available_on",),
    date_ranges=("sale_dates",),
    links={"link": 30},
    image_links={"image": 40},
    max_values={"tags": 2, "image": 2},
    separators={"tags": ","},
    gtins=("gtin",),
    feed_checks=(unique_ids("id"),),
)
INFO = FeedInfo(channel="demo", kind="demo", format="demo", market="US", currency="USD")
VALID = {"id": "A-1", "title": "Mug", "price": "9.90 USD", "link": "https://shop.example/mug"}


def item(**changes) -> Item:
    fields = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    return Item(id=str(fields.get("id", "A-1")), fields=fields, product_id="P1")


def found(it: Item, info: FeedInfo = INFO) -> list[tuple[str, str]]:
    return [(v.field, v.code) for v in check_item(RULES, it, info)]


def test_a_valid_item_has_no_violations():
    assert check_item(RULES, item(), INFO) == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"title": None}, ("title", "PIM301")),
        ({"title": "   "}, ("title", "PIM301")),
        ({"title": []}, ("title", "PIM301")),
        ({"title": "x" * 11}, ("title", "PIM302")),
        ({"tags": ["abcdef"]}, ("tags", "PIM302")),  # length counts per entry
        ({"id": "ABCDEFG"}, ("id", "PIM302")),
        ({"availability": "instock"}, ("availability", "PIM303")),
        ({"condition": "New"}, ("condition", "PIM303")),  # case matters unless declared otherwise
        ({"price": "9.9 USD"}, ("price", "PIM304")),
        ({"price": "USD 9.90"}, ("price", "PIM304")),
        ({"price": "9,90 USD"}, ("price", "PIM304")),
        ({"price": "9.90 EUR"}, ("price", "PIM303")),  # not the market's currency
        ({"sale_price": "9.90 USD"}, ("sale_price", "PIM311")),
        ({"sale_price": "12.00 USD"}, ("sale_price", "PIM311")),
        ({"available_on": "15.01.2026"}, ("available_on", "PIM304")),
        ({"available_on": "2026-02-30"}, ("available_on", "PIM304")),
        ({"sale_dates": "2026-01-01"}, ("sale_dates", "PIM304")),
        ({"sale_dates": "2026-02-01/2026-01-01"}, ("sale_dates", "PIM304")),
        ({"link": "/p/mug"}, ("link", "PIM304")),
        ({"link": "ftp://shop.example/mug"}, ("link", "PIM304")),
        ({"link": "https://shop.example/tasse-für"}, ("link", "PIM304")),
        ({"link": "https://shop.example/a mug"}, ("link", "PIM304")),
        ({"link": "https://shop.example/" + "m" * 20}, ("link", "PIM302")),
        ({"image": "shop.example/mug.jpg"}, ("image", "PIM309")),
        ({"image": "https://cdn.example/" + "m" * 30}, ("image", "PIM309")),
        ({"tags": "a,b,c"}, ("tags", "PIM312")),
        ({"image": ["https://c.example/1", "https://c.example/2", "https://c.example/3"]}, ("image", "PIM312")),
        ({"gtin": "4006381333932"}, ("gtin", "PIM305")),
        ({"gtin": "12345"}, ("gtin", "PIM305")),
    ],
)
def test_each_rule_reports_one_violation(changes, expected):
    assert found(item(**changes)) == [expected]


@pytest.mark.parametrize(
    "changes",
    [
        {"availability": "In Stock"},  # declared case-insensitive
        {"sale_price": "8.00 USD"},
        {"available_on": "2026-01-15T09:00+0100"},  # Google's own example [S7]
        {"available_on": "2026-01-15T09:00:00Z"},
        {"sale_dates": "2026-01-01T00:00+01:00/2026-01-31T23:59+01:00"},
        {"tags": "a,b", "image": ["https://c.example/1.jpg"]},
        {"gtin": "4006381333931"},
        {"condition": ""},  # blank optional fields are not checked
    ],
)
def test_accepted_values(changes):
    assert found(item(**changes)) == []


def test_currency_is_only_compared_when_the_feed_has_one():
    assert found(item(price="9.90 EUR"), FeedInfo(channel="demo", kind="demo", format="demo")) == []


def test_sale_price_in_another_currency_is_not_compared():
    assert ("sale_price", "PIM311") not in found(item(sale_price="99.00 EUR"))


def test_extra_checks_run_after_the_declarative_ones():
    def shout(it, info):
        yield Violation("title", "PIM303", "title is loud: lower it")

    rules = ChannelRules(channel="Demo", required=("gone",), extra=(shout,))
    assert [v.code for v in check_item(rules, item(), INFO)] == ["PIM301", "PIM303"]


def test_duplicate_ids_exclude_every_copy():
    items = [item(), item(), item(id="B-2")]
    assert [(item_id, v.code) for item_id, v in check_feed(RULES, items, INFO)] == [("A-1", "PIM313")]


def test_duplicate_check_reads_the_id_field_before_the_item_id():
    one = Item(id="internal-1", fields={"id": "SAME"}, product_id="P1")
    two = Item(id="internal-2", fields={"id": "SAME"}, product_id="P2")
    assert [item_id for item_id, _ in check_feed(RULES, [one, two], INFO)] == ["internal-1", "internal-2"]


def test_entries():
    assert entries(RULES, "tags", "a, b,,c") == ["a", "b", "c"]
    assert entries(RULES, "title", "a, b") == ["a, b"]  # no separator declared: one value
    assert entries(RULES, "tags", ["a", "", None]) == ["a"]
    assert entries(RULES, "tags", None) == []


def test_format_helpers_finish_a_sentence():
    assert date_problem("2026-01-15", "Demo") is None
    assert date_problem("15.01.2026", "Demo") == '"15.01.2026" is not a date Demo can read: write it like 2026-01-15 or 2026-01-15T09:00+01:00'
    assert date_range_problem("2026-01-01/2026-01-31", "Demo") is None
    assert url_problem("https://shop.example/", None, "Demo") is None
    assert url_problem("https://shop.example/", 5, "Demo")[0] == "length"


def test_messages_say_what_is_wrong_and_what_to_change():
    broken = item(title="x" * 11, price="9.9", gtin="1", link="/x", tags="a,b,c", availability="soon")
    for violation in check_item(RULES, broken, INFO):
        assert ": " in violation.message and not violation.message.endswith("."), violation
        assert violation.message.startswith(violation.field) or "GTIN" in violation.message, violation


# Values each field may take, valid and not: items drawn from these share the very objects, as the
# variants of one product share the fields that read only the product.
POOL = {
    "title": ["Mug", "x" * 11, "  ", None],
    "price": ["9.90 USD", "9.90 EUR", "9.9 USD", None],
    "sale_price": ["8.00 USD", "12.00 USD", None],
    "tags": ["a,b", "a,b,c", ["abcdef"], None],
    "availability": ["In Stock", "instock", None],
    "gtin": ["4006381333931", "12345", None],
    "link": ["https://shop.example/mug", "/p/mug", None],
}
FEEDS = [INFO, FeedInfo(channel="demo", kind="demo", format="demo", market="FR", currency="EUR")]


@given(st.lists(st.tuples(st.fixed_dictionaries({name: st.sampled_from(values) for name, values in POOL.items()}), st.sampled_from(FEEDS)), max_size=12))
def test_a_checker_that_remembers_the_last_value_finds_what_a_fresh_one_finds(items):
    checker = ItemChecker(RULES)
    for fields, info in items:
        it = Item("A-1", {name: value for name, value in fields.items() if value is not None}, "P1")
        assert checker.check(it, info) == ItemChecker(RULES).check(it, info)
