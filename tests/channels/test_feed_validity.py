"""Every demo feed checked by something independent of its writer: the channel's published schema where
one exists (Amazon's JSON Schema, the BMEcat XSD), otherwise a parse plus the channel's rules on every item."""

from __future__ import annotations

import csv
import io
import json

import pytest
from jsonschema import Draft7Validator
from lxml import etree

from pim.feed import FeedInfo, Item
from pim.rules import check_item, google, meta, pinterest, shopify, tiktok
from pim.rules.google import TAXONOMY_OPTION
from pim.taxonomy import load_taxonomy
from tests.channels.demo import ROOT, SHARED, TAXONOMY

FEEDS = ROOT / "tests/golden/feeds"
MANIFEST = json.loads((FEEDS / "manifest.json").read_text(encoding="utf-8"))
G = "{http://base.google.com/ns/1.0}"


def _items_in_manifest(channel: str, market: str) -> int:
    entry = next(c for c in MANIFEST["channels"] if c["channel"] == channel)
    return next(m for m in entry["markets"] if m["market"] == market)["items"]


def _info(kind: str, market: str, currency: str, **options) -> FeedInfo:
    return FeedInfo(channel=kind, kind=kind, format="", market=market, currency=currency, options=options)


@pytest.mark.parametrize("market", ["US", "FR"])
def test_amazon_feeds_validate_against_amazons_schema(market):
    schema = json.loads((SHARED / "data/amazon/listings-feed-schema-v2.json").read_text(encoding="utf-8"))
    document = json.loads((FEEDS / f"amazon/{market}.json").read_text(encoding="utf-8"))
    errors = sorted(Draft7Validator(schema).iter_errors(document), key=str)
    assert errors == []
    assert len(document["messages"]) == _items_in_manifest("amazon", market)
    parents = [m for m in document["messages"] if m["attributes"].get("parentage_level", [{}])[0].get("value") == "parent"]
    children = [m for m in document["messages"] if "child_parent_sku_relationship" in m["attributes"]]
    assert parents and children
    assert {c["attributes"]["child_parent_sku_relationship"][0]["parent_sku"] for c in children} <= {p["sku"] for p in parents}


def test_bmecat_feed_validates_against_the_bmecat_2005_xsd():
    schema = etree.XMLSchema(etree.parse(str(SHARED / "data/bmecat/bmecat_2005.xsd")))
    document = etree.parse(str(FEEDS / "bmecat/FR.xml"))
    assert schema.validate(document), schema.error_log
    products = document.findall(".//{http://www.bmecat.org/bmecat/2005fd}PRODUCT")
    assert len(products) == _items_in_manifest("bmecat", "FR")


@pytest.mark.parametrize(("market", "currency"), [("US", "USD"), ("FR", "EUR")])
def test_google_items_parse_and_meet_googles_rules(market, currency):
    taxonomy = load_taxonomy(TAXONOMY)
    root = etree.parse(str(FEEDS / f"google/{market}.xml")).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) == _items_in_manifest("google", market)
    info = _info("google-merchant", market, currency, **{TAXONOMY_OPTION: taxonomy})
    for element in items:
        fields: dict = {}
        for child in element:
            name = child.tag.replace(G, "")
            fields[name] = [*fields[name], child.text] if name in fields and isinstance(fields[name], list) else ([fields[name], child.text] if name in fields else child.text)
        item = Item(fields["id"], fields, fields["item_group_id"], fields["item_group_id"])
        assert check_item(google.RULES, item, info) == [], fields["id"]


def _rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("rules", "path", "key", "market", "currency"),
    [
        (meta.RULES, "meta/US.csv", "id", "US", "USD"),
        (tiktok.RULES, "tiktok/US.csv", "sku_id", "US", "USD"),
        (tiktok.RULES, "tiktok/FR.csv", "sku_id", "FR", "EUR"),
        (pinterest.RULES, "pinterest/US.csv", "id", "US", "USD"),
        (pinterest.RULES, "pinterest/FR.csv", "id", "FR", "EUR"),
    ],
)
def test_csv_feeds_parse_and_meet_their_channels_rules(rules, path, key, market, currency):
    rows = _rows(FEEDS / path)
    assert len(rows) == _items_in_manifest(path.split("/")[0], market)
    info = _info(rules.channel, market, currency)
    for row in rows:
        fields = {name: value for name, value in row.items() if value != ""}
        item = Item(row[key], fields, row["item_group_id"], row["item_group_id"])
        assert check_item(rules, item, info) == [], row[key]


def test_meta_override_feeds_carry_only_ids_of_the_base_feed():
    base = {row["id"] for row in _rows(FEEDS / "meta/US.csv")}
    country = _rows(FEEDS / "meta/override-country-FR.csv")
    language = _rows(FEEDS / "meta/override-language-fr_XX.csv")
    assert {row["override"] for row in country} == {"FR"} and {row["override"] for row in language} == {"fr_XX"}
    assert {row["id"] for row in country} <= base and {row["id"] for row in language} <= base
    assert all(row["price"].endswith(" EUR") for row in country)
    assert "price" not in language[0]


def test_shopify_rows_group_variants_by_handle_and_meet_shopifys_rules():
    rows = _rows(FEEDS / "shopify/US.csv")
    info = _info("shopify", "US", "USD")
    handles_seen: list[str] = []
    for row in rows:
        if not handles_seen or handles_seen[-1] != row["Handle"]:
            assert row["Handle"] not in handles_seen, "a product's rows must be consecutive"
            handles_seen.append(row["Handle"])
            assert row["Title"], "product fields sit on the first row"
        if row["Variant SKU"]:
            fields = {name: value for name, value in row.items() if value != ""}
            assert check_item(shopify.RULES, Item(row["Variant SKU"], fields, row["Handle"], row["Handle"]), info) == []
    assert sum(1 for row in rows if row["Variant SKU"]) == sum(1 for row in rows if row["Variant Price"])


@pytest.mark.parametrize("market", ["US", "FR"])
def test_jsonld_documents_are_merchant_listings(market):
    files = sorted((FEEDS / f"jsonld/{market}").glob("*.json"))
    assert len(files) == _items_in_manifest("jsonld", market)
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["@context"] == "https://schema.org"
        products = document.get("hasVariant", [document])
        for product in products:
            assert float(product["offers"]["price"]) > 0
            assert product["offers"]["priceCurrency"] == ("USD" if market == "US" else "EUR")
