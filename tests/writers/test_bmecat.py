from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import bmecat

SHARED = Path(__file__).resolve().parents[3] / "shared"  # ../shared beside the repository root
XSD = SHARED / "data" / "bmecat" / "bmecat_2005.xsd"
NS = "http://www.bmecat.org/bmecat/2005fd"
N = {"b": NS}


def info(locale: str = "de-DE", build_time: str = "2025-11-04T09:30:00+01:00", **options) -> FeedInfo:
    options = {"catalog_id": "CAT-2025", "catalog_version": "1.0", "supplier_name": "Beispiel GmbH & Co", **options}
    return FeedInfo(channel="bmecat", kind="bmecat", format="bmecat", market="DE", locale=locale, currency="EUR",
                    build_time=build_time, options=options)


ITEMS = (
    Item(id="MUG-300-BL", product_id="MUG-300", group_id="MUG-300", fields={
        "description_short": "Tasse \"Blau\" & <groß> " + "x" * 200,
        "description_long": "<p>Spülmaschinenfest</p>",
        "gtin": "4006381333931",
        "manufacturer_pid": "MUG-300-BL",
        "manufacturer_name": "Example Ceramics",
        "keywords": ["Tasse", "Keramik", ""],
        "features": [{"name": "Volumen", "value": Decimal("300"), "unit": "MLT"},
                     {"name": "Farbe", "value": ["blau", "weiß"]},
                     {"name": "Leer", "value": None}],
        "price_amount": Decimal("4.90"),
        "tax": Decimal("0.19"),
        "images": [{"source": "mug-300-bl.JPG"}, {"source": "mug-300-bl-side.png", "purpose": "detail"},
                   "datasheet.pdf?v=2"],
    }),
    Item(id="MUG-300-RD", product_id="MUG-300", group_id="MUG-300", fields={
        "supplier_pid": "MUG-300-RD-EU",
        "description_short": "Tasse Rot",
        "gtin": None,
        "keywords": [],
        "order_unit": "PK",
        "content_unit": "C62",
        "units_per_order_unit": 6,
        "price_amount": 29,
    }),
    Item(id="SAMPLE", product_id="SAMPLE", fields={"description_short": "Muster auf Anfrage"}),
)


def write(feed: Feed, root: Path) -> bytes:
    out = FeedOutput(root)
    bmecat.write_feeds([feed], out)
    out.commit()
    return (root / "bmecat" / "DE.xml").read_bytes()


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not XSD.exists():
        pytest.skip(f"BMEcat XSD not found at {XSD}")
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_catalog_is_valid_bmecat_2005(tmp_path, schema):
    document = etree.fromstring(write(Feed(info(), ITEMS), tmp_path))
    assert schema.validate(document), schema.error_log


def test_header(tmp_path):
    root = etree.fromstring(write(Feed(info(), ITEMS), tmp_path))
    assert root.tag == f"{{{NS}}}BMECAT" and root.get("version") == "2005"
    catalog = root.find("b:HEADER/b:CATALOG", N)
    assert catalog.findtext("b:LANGUAGE", namespaces=N) == "deu"
    assert catalog.find("b:LANGUAGE", N).get("default") == "true"
    assert catalog.find("b:DATETIME", N).get("type") == "generation_date"
    assert [e.text for e in catalog.find("b:DATETIME", N)] == ["2025-11-04", "09:30:00", "+01:00"]
    assert catalog.findtext("b:CURRENCY", namespaces=N) == "EUR"
    assert root.findtext("b:HEADER/b:SUPPLIER/b:SUPPLIER_NAME", namespaces=N) == "Beispiel GmbH & Co"


def test_products(tmp_path):
    root = etree.fromstring(write(Feed(info(), ITEMS), tmp_path))
    mug, red, sample = root.findall("b:T_NEW_CATALOG/b:PRODUCT", N)
    assert mug.findtext("b:SUPPLIER_PID", namespaces=N) == "MUG-300-BL"
    short = mug.findtext("b:PRODUCT_DETAILS/b:DESCRIPTION_SHORT", namespaces=N)
    assert short.startswith('Tasse "Blau" & <groß> x') and len(short) == 150
    assert mug.findtext("b:PRODUCT_DETAILS/b:DESCRIPTION_LONG", namespaces=N) == "<p>Spülmaschinenfest</p>"
    assert mug.find("b:PRODUCT_DETAILS/b:INTERNATIONAL_PID", N).get("type") == "gtin"
    assert [k.text for k in mug.findall("b:PRODUCT_DETAILS/b:KEYWORD", N)] == ["Tasse", "Keramik"]
    features = mug.findall("b:PRODUCT_FEATURES/b:FEATURE", N)
    assert [[etree.QName(e).localname + "=" + e.text for e in f] for f in features] == [
        ["FNAME=Volumen", "FVALUE=300", "FUNIT=MLT"], ["FNAME=Farbe", "FVALUE=blau", "FVALUE=weiß"]]
    price = mug.find("b:PRODUCT_PRICE_DETAILS/b:PRODUCT_PRICE", N)
    assert price.get("price_type") == "net_list"
    assert [(etree.QName(e).localname, e.text) for e in price] == [
        ("PRICE_AMOUNT", "4.90"), ("PRICE_CURRENCY", "EUR"), ("TAX", "0.19")]
    mimes = [[(etree.QName(e).localname, e.text) for e in m] for m in mug.findall("b:MIME_INFO/b:MIME", N)]
    assert mimes == [
        [("MIME_TYPE", "image/jpeg"), ("MIME_SOURCE", "mug-300-bl.JPG"), ("MIME_PURPOSE", "normal")],
        [("MIME_SOURCE", "mug-300-bl-side.png"), ("MIME_PURPOSE", "detail")],
        [("MIME_TYPE", "application/pdf"), ("MIME_SOURCE", "datasheet.pdf?v=2"), ("MIME_PURPOSE", "normal")]]

    assert red.findtext("b:SUPPLIER_PID", namespaces=N) == "MUG-300-RD-EU"
    assert red.find("b:PRODUCT_DETAILS/b:INTERNATIONAL_PID", N) is None
    assert red.find("b:PRODUCT_DETAILS/b:KEYWORD", N) is None
    assert [e.text for e in red.find("b:PRODUCT_ORDER_DETAILS", N)] == ["PK", "C62", "6"]
    assert red.findtext("b:PRODUCT_PRICE_DETAILS/b:PRODUCT_PRICE/b:PRICE_AMOUNT", namespaces=N) == "29"
    assert red.find("b:PRODUCT_FEATURES", N) is None and red.find("b:MIME_INFO", N) is None

    assert [e.text for e in sample.find("b:PRODUCT_ORDER_DETAILS", N)] == ["C62"]
    price = sample.find("b:PRODUCT_PRICE_DETAILS/b:PRODUCT_PRICE", N)
    assert price.get("price_type") == "on_request" and price.find("b:PRICE_AMOUNT", N) is None


def test_options_and_locale(tmp_path, schema):
    feed = Feed(info(locale="fr-FR", build_time="1970-01-01T00:00:00Z", tax=Decimal("0.2"), price_type="nrp"), ITEMS)
    root = etree.fromstring(write(feed, tmp_path))
    assert schema.validate(root), schema.error_log
    assert root.findtext("b:HEADER/b:CATALOG/b:LANGUAGE", namespaces=N) == "fra"
    assert root.findtext("b:HEADER/b:CATALOG/b:DATETIME/b:TIMEZONE", namespaces=N) == "Z"
    red = root.findall("b:T_NEW_CATALOG/b:PRODUCT", N)[1]
    assert red.findtext("b:PRODUCT_PRICE_DETAILS/b:PRODUCT_PRICE/b:TAX", namespaces=N) == "0.2"
    assert red.find("b:PRODUCT_PRICE_DETAILS/b:PRODUCT_PRICE", N).get("price_type") == "nrp"
    with pytest.raises(ValueError, match="options.language"):
        write(Feed(info(locale="sv-SE"), ITEMS), tmp_path / "sv")
    assert b">swe</LANGUAGE>" in write(Feed(info(locale="sv-SE", language="swe"), ITEMS), tmp_path / "swe")


def test_bytes_are_deterministic_pretty_utf8(tmp_path):
    data = write(Feed(info(), ITEMS), tmp_path / "a")
    assert data == write(Feed(info(), ITEMS), tmp_path / "b")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<BMECAT xmlns="' + NS.encode() + b'"')
    assert data.endswith(b"  </T_NEW_CATALOG>\n</BMECAT>\n") and b"\r" not in data
    assert "<DESCRIPTION_LONG>&lt;p&gt;Spülmaschinenfest&lt;/p&gt;</DESCRIPTION_LONG>".encode() in data


def test_missing_short_description_is_refused(tmp_path):
    with pytest.raises(ValueError, match="item X.*description_short"):
        write(Feed(info(), (Item(id="X", product_id="X", fields={"description_short": ""}),)), tmp_path)


XML_CHARS = st.characters(blacklist_categories=("Cs",)).filter(
    lambda c: c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c >= "\U00010000")


@settings(max_examples=100, deadline=None)
@given(text=st.text(XML_CHARS, min_size=1, max_size=60))
def test_any_text_round_trips_and_stays_valid(tmp_path_factory, schema, text):
    item = Item(id="X", product_id="X", fields={"description_short": text, "description_long": text,
                                                 "features": [{"name": "f", "value": text}]})
    root = etree.fromstring(write(Feed(info(), (item,)), tmp_path_factory.mktemp("bmecat")))
    product = root.find("b:T_NEW_CATALOG/b:PRODUCT", N)
    assert product.findtext("b:PRODUCT_DETAILS/b:DESCRIPTION_SHORT", namespaces=N) == text
    assert product.findtext("b:PRODUCT_DETAILS/b:DESCRIPTION_LONG", namespaces=N) == text
    assert product.findtext("b:PRODUCT_FEATURES/b:FEATURE/b:FVALUE", namespaces=N) == text
    assert schema.validate(root), schema.error_log
