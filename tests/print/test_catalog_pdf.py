"""The demo's PDF catalog: every active product, each variant at the price the other channels give it, no drafts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pim.writers.pdf import render_catalog
from tests.channels.demo import run_pim
from tests.print.conftest import flat, pdf_pages, plan

DRAFTS = ("BK-820", "HB-420", "SJ-140", "VJ-150")  # status draft or archived in the demo catalog


def shown(amount: str, market: str) -> str:
    """A feed price ("129.00 USD") as the demo layout prints it in that market."""
    value, currency = amount.split(" ")
    return f"${value}" if market == "US" else f"{value.replace('.', ',')} €"


@pytest.fixture(scope="module")
def planned(demo):
    result = plan(demo, "catalog-pdf", "google", "headless")
    assert not [p for p in result.problems if p.severity.value == "error"]
    feeds = {(f.info.channel, f.info.market): f for f in result.feeds}
    pdfs = {market: render_catalog(feeds["catalog-pdf", market]) for market in ("US", "FR")}
    return feeds, {market: pdf_pages(data) for market, data in pdfs.items()}


@pytest.mark.parametrize("market", ["US", "FR"])
def test_every_active_product_is_in_its_market_catalog_by_its_localized_name(planned, market):
    feeds, pages = planned
    text = flat("\n".join(pages[market]))
    names = {item.product_id: item.fields["name"] for item in feeds["headless", market].items}
    assert len(names) == 31
    assert [name for name in names.values() if name not in text] == []


@pytest.mark.parametrize("market", ["US", "FR"])
def test_each_variant_row_has_the_price_google_gets_to_the_cent(planned, market):
    feeds, pages = planned
    rows = {line.split(" ")[0]: line for page in pages[market][2:] for line in page.splitlines() if re.match(r"^[A-Z]{2}-\d{3}-", line)}
    google = feeds["google", market].items
    assert google
    for item in google:
        sku, price = item.fields["id"], item.fields["price"]
        assert rows[sku].endswith(shown(price, market)), (sku, rows[sku], price)


@pytest.mark.parametrize("market", ["US", "FR"])
def test_sale_prices_are_marked_with_the_sale_amount_of_the_other_channels(planned, market):
    feeds, pages = planned
    text = "\n".join(pages[market])
    word = "Sale" if market == "US" else "Promo"
    sales = {item.fields["sale_price"] for item in feeds["google", market].items if item.fields.get("sale_price")}
    assert sales  # the demo has four sales, all still to come at the golden build time
    for sale in sales:
        assert f"{word} {shown(sale, market)}" in text


@pytest.mark.parametrize("market", ["US", "FR"])
def test_no_draft_or_archived_product_is_printed(planned, market):
    _, pages = planned
    text = "\n".join(pages[market])
    assert [product for product in DRAFTS if product in text] == []


def test_every_variant_of_an_active_product_has_one_row(planned):
    feeds, pages = planned
    item_variants = sum(len(item.fields["variants"]) for item in feeds["catalog-pdf", "US"].items)
    rows = [line for page in pages["US"][2:] for line in page.splitlines() if re.match(r"^[A-Z]{2}-\d{3}-\S+ ", line)]
    assert len(rows) == item_variants > 200


def test_cover_then_contents_by_category_then_numbered_pages_with_the_section_as_header(planned):
    feeds, pages = planned
    us = pages["US"]
    assert "Altitude Outfitters" in us[0] and "31 products" in us[0]
    contents = us[1]
    categories = sorted({item.fields["category"] for item in feeds["catalog-pdf", "US"].items}, key=str.casefold)
    positions = [contents.index(category) for category in categories]
    assert positions == sorted(positions)  # every category, in order
    for number, page in enumerate(us[2:], start=3):
        lines = page.splitlines()
        assert lines[0].startswith("Altitude Outfitters ") and lines[0].removeprefix("Altitude Outfitters ") in categories
        assert lines[-1].strip() == str(number)


def test_prices_in_the_pdf_data_are_the_feed_amounts_not_floats(planned):
    feeds, _ = planned
    jacket = next(item for item in feeds["catalog-pdf", "FR"].items if item.id == "TJ-100")
    assert {v["price"] for v in jacket.fields["variants"]} == {"119.00 EUR"}
    assert Decimal(jacket.fields["variants"][0]["sale"]["price"].split()[0]) == Decimal("89.00")


def test_two_builds_in_two_processes_write_identical_pdf_bytes(demo, tmp_path):
    for name in ("a", "b"):
        done = run_pim("build", "--project", str(demo), "--channel", "catalog-pdf", "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stdout + done.stderr
    for market in ("US", "FR"):
        first = (tmp_path / "a/catalog-pdf" / f"{market}.pdf").read_bytes()
        assert first.startswith(b"%PDF-") and first == (tmp_path / "b/catalog-pdf" / f"{market}.pdf").read_bytes()
