"""The one-voice check: a SKU shows the same facts in every channel, unless a difference is declared."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pim import consistency, facts
from pim.problems import Severity

SHOPIFY_PRICE = "Variant Price: (item.sale.price if item.sale and item.sale.active else item.price) | amount"
JACKET_PRICE = 'price: {USD: "129.00", EUR: "119.00"}'
SKUS = ["TJ-100-BLK-L", "TJ-100-BLK-M", "TJ-100-NVY-M"]


def test_channels_that_agree_have_nothing_to_say(one_voice):
    assert one_voice.build().problems == []


def test_an_undeclared_price_change_in_one_mapping_is_an_error_at_that_mapping_line(one_voice):
    one_voice.replace("mappings/shopify.yaml", SHOPIFY_PRICE, "Variant Price: item.price.amount + 10")

    found = one_voice.disagreements()

    assert [p.message.split(":")[0] for p in found] == SKUS  # one per SKU, in USD: the EUR feeds have no Shopify
    assert {p.location for p in found} == {one_voice.at("mappings/shopify.yaml", "Variant Price:")}
    assert all(p.severity is Severity.ERROR for p in found)
    first = found[0].message
    assert "price (USD)" in first and "'139.00 USD' in shopify/US" in first
    assert "'129.00 USD' in google/US, headless/US, meta/US" in first
    assert one_voice.at("mappings/google.yaml", "price: item.price") in found[0].related


def test_the_check_split_over_processes_finds_the_same(one_voice):
    one_voice.replace("mappings/shopify.yaml", SHOPIFY_PRICE, "Variant Price: item.price.amount + 10")
    alone, split = one_voice.pim("build", "--jobs", "1"), one_voice.pim("build", "--jobs", "2")
    assert alone.returncode == 1 and alone.stdout.count("PIM501") == len(SKUS)
    assert split.stdout == alone.stdout


def test_a_build_with_a_disagreement_writes_nothing(one_voice, tmp_path):
    one_voice.replace("mappings/shopify.yaml", SHOPIFY_PRICE, "Variant Price: item.price.amount + 10")

    done = one_voice.pim("build", "--out", str(tmp_path / "out"))

    assert done.returncode == 1 and "PIM501" in done.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.csv"))


@pytest.mark.parametrize(
    ("mapping", "old", "new", "fact", "skus"),
    [
        ("mappings/meta.yaml", 'availability: variant.availability | lookup("availability")', """availability: '"in stock"'""", "availability", ["TJ-100-NVY-M"]),
        ("mappings/meta.yaml", "quantity_to_sell_on_facebook: variant.stock", "quantity_to_sell_on_facebook: variant.stock + 1", "stock", SKUS),
        ("mappings/shopify.yaml", "Variant Barcode: variant.gtin", "Variant Barcode: variant.sku", "gtin", SKUS),
        ("mappings/meta.yaml", "brand: product.brand", "brand: product.brand | upper", "brand", SKUS),
        ("mappings/meta.yaml", "title: product.name", 'title: product.name ~ " Pro"', "title (en-US)", SKUS),
    ],
)
def test_each_fact_is_compared(one_voice, mapping, old, new, fact, skus):
    one_voice.replace(mapping, old, new)

    found = one_voice.disagreements()

    assert sorted({p.message.split(":")[0] for p in found}) == skus
    assert all(f"disagree about the {fact.split(' ')[0]}" in p.message for p in found)
    assert {p.location.path for p in found} == {mapping}


def test_the_title_core_allows_added_variant_details_but_not_another_name(one_voice):
    # Google's "Trail Jacket - Black - M" and Meta's "Trail Jacket" agree (the build above is clean);
    # a different name in Meta's French title does not, and is reported in fr-FR only.
    one_voice.replace("mappings/meta.yaml", "title: product.name", """title: '"Blouson Trail" if market.code == "FR" else product.name'""")

    found = one_voice.disagreements()

    assert len(found) == 3 and all("title (fr-FR)" in p.message and "'Blouson Trail' in meta/FR" in p.message for p in found)


def test_meta_spelling_of_availability_is_not_a_difference_but_a_wrong_value_is(one_voice):
    result = one_voice.build()
    meta = next(f for f in result.feeds if f.name == "meta/US")
    assert {i.fields["availability"] for i in meta.items} == {"in stock", "out of stock"}  # and yet no problem:
    assert result.problems == []


def test_a_declared_difference_in_the_mapping_is_not_a_problem(one_voice):
    one_voice.replace("mappings/shopify.yaml", SHOPIFY_PRICE, "Variant Price: item.price.amount + 10")
    one_voice.replace("mappings/shopify.yaml", "channel: shopify", "channel: shopify\ndiffers: {price: the web shop adds a handling fee}")

    assert one_voice.build().problems == []


def test_an_unknown_fact_in_differs_is_a_located_mapping_problem(one_voice):
    one_voice.replace("mappings/shopify.yaml", "channel: shopify", "channel: shopify\ndiffers: {prise: typo}")

    problems = one_voice.build().problems

    assert [p.location.path for p in problems] == ["mappings/shopify.yaml"] and problems[0].location.line == 2


def test_a_product_override_for_a_channel_declares_that_channel_different(one_voice):
    one_voice.write("catalog/products/TJ-100.yaml", one_voice.read("catalog/products/TJ-100.yaml") + 'channels:\n  meta: {name: {en-US: "Altitude Shell", fr-FR: "Coque Altitude"}}\n')

    result = one_voice.build()

    meta = next(f for f in result.feeds if f.name == "meta/US")
    assert meta.items[0].fields["title"] == "Altitude Shell"
    assert result.problems == []


def test_shopify_running_sale_is_read_as_price_and_sale_price(one_voice):
    one_voice.replace("catalog/products/TJ-100.yaml", JACKET_PRICE, JACKET_PRICE + '\nsale: {price: {USD: "99.00", EUR: "89.00"}, start: "2026-11-20", end: "2026-12-01"}')

    during = one_voice.build(time="2026-11-25T00:00:00Z")
    shopify = next(f for f in during.feeds if f.name == "shopify/US")

    assert (shopify.items[0].fields["Variant Price"], shopify.items[0].fields["Variant Compare At Price"]) == ("99.00", "129.00")
    assert during.problems == []


def test_a_sale_price_one_channel_changes_is_caught_per_currency(one_voice):
    one_voice.replace("catalog/products/TJ-100.yaml", JACKET_PRICE, JACKET_PRICE + '\nsale: {price: {USD: "99.00", EUR: "89.00"}}')
    one_voice.replace("mappings/meta.yaml", "sale_price: item.sale.price | money if item.sale", 'sale_price: (item.sale.price.amount - 1) ~ " " ~ market.currency if item.sale')

    found = one_voice.disagreements()

    assert sorted({p.message.split(": ")[1].split(" ")[-1] for p in found}) == ["(EUR)", "(USD)"]
    assert len(found) == 6 and all("sale_price" in p.message for p in found)


def test_gtins_with_and_without_leading_zeros_agree(one_voice):
    one_voice.replace("mappings/shopify.yaml", "Variant Barcode: variant.gtin", 'Variant Barcode: "00" ~ variant.gtin if variant.gtin | length == 12 else variant.gtin')

    assert one_voice.disagreements() == []


def test_findings_are_remembered_per_product_and_checked_again_when_the_product_changes(one_voice, monkeypatch):
    one_voice.replace("mappings/shopify.yaml", SHOPIFY_PRICE, "Variant Price: item.price.amount + 10")
    first = one_voice.disagreements()
    checked: list[str] = []
    check_slice = consistency._check_slice

    def counting(shared, products):
        checked.extend(product.id for product in products)
        return check_slice(shared, products)

    monkeypatch.setattr(consistency, "_check_slice", counting)
    assert one_voice.disagreements() == first and checked == []  # read back, not checked again

    one_voice.replace("catalog/products/TJ-100.yaml", JACKET_PRICE, 'price: {USD: "131.00", EUR: "119.00"}')
    again = one_voice.disagreements()
    assert checked == ["TJ-100"]
    assert [p.message.split(":")[0] for p in again] == SKUS and "'141.00 USD' in shopify/US" in again[0].message


def test_a_remembered_fact_is_the_fact_read_afresh_for_every_argument_it_read(monkeypatch):
    monkeypatch.setattr(facts, "_REMEMBER", 3)  # emptied when full: the answers stay the same
    monkeypatch.setattr(facts, "_REMEMBERED", {})
    readings = [("129.00", "price", "USD"), ("129.00", "price", "EUR"), ("129.00", "sale_price", "USD"), ("129.00 USD", "price", "EUR"), ("129.00", "price", "USD")]
    assert [facts._money(*args) for args in readings] == [
        facts.Fact((Decimal("129.00"), "USD"), "129.00 USD", "price"),
        facts.Fact((Decimal("129.00"), "EUR"), "129.00 EUR", "price"),
        facts.Fact((Decimal("129.00"), "USD"), "129.00 USD", "sale_price"),
        facts.Fact((Decimal("129.00"), "USD"), "129.00 USD", "price"),
        facts.Fact((Decimal("129.00"), "USD"), "129.00 USD", "price"),
    ]
    assert len(facts._REMEMBERED) <= 3
    # a number equal to a remembered text is read as itself: 129 shows as "129", not as "129.00"
    assert facts._money(129, "price", "USD").shown == "129 USD"
    assert facts._gtin("0012345678905", "gtin") == facts._gtin("12345678905", "gtin")._replace(shown="0012345678905")
