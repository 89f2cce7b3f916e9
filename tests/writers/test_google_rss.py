import io
from decimal import Decimal

import pytest
from hypothesis import example, given, settings, strategies as st
from lxml import etree

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import google_rss
from pim.writers.xml import xml_document

G = "http://base.google.com/ns/1.0"
INFO = FeedInfo(
    channel="google", kind="google-merchant", format="google-rss", market="US", locale="en-US", currency="USD",
    title="Example & Co <shop>", link="https://shop.example.com", description="",
)


def shirt(size: str, **extra) -> Item:
    fields = {
        "id": f"TEE-{size}",
        "title": f"Tee \"Navy\" & friends - {size}",
        "description": "Crème brûlée <b>soft</b>",
        "price": "24.90 USD",
        "gtin": None,
        "mpn": "",
        "additional_image_link": ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b,c.jpg"],
        "shipping": {"country": "US", "region": None, "service": "Standard", "price": "4.95 USD"},
        "item_group_id": "TEE",
        "identifier_exists": False,
        "size": size,
        "product_type": [],
        **extra,
    }
    return Item(id=f"TEE-{size}", fields=fields, product_id="TEE", group_id="TEE")


FEED = Feed(INFO, (shirt("M"), shirt("L", shipping=[{"country": "US", "price": Decimal("0.00")}, {"country": "CA"}]),
                   Item(id="MUG", fields={"title": "Mug", "price": Decimal("12.50")}, product_id="MUG")))


def write(feeds, tmp_path) -> bytes:
    out = FeedOutput(tmp_path / "feeds")
    google_rss.write_feeds(feeds, out)
    out.commit()
    return (tmp_path / "feeds" / "google" / "US.xml").read_bytes()


def g(name: str) -> str:
    return f"{{{G}}}{name}"


def test_rss_structure_and_values(tmp_path):
    data = write([FEED], tmp_path)
    root = etree.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0" and root.nsmap == {"g": G}
    channel = root.find("channel")
    assert channel.findtext("title") == "Example & Co <shop>"
    assert channel.find("description") is not None and not channel.findtext("description")
    items = channel.findall("item")
    assert [item.findtext(g("id")) for item in items] == ["TEE-M", "TEE-L", "MUG"]
    first = items[0]
    assert first.findtext(g("title")) == 'Tee "Navy" & friends - M'
    assert first.findtext(g("description")) == "Crème brûlée <b>soft</b>"
    assert [e.text for e in first.findall(g("additional_image_link"))] == [
        "https://cdn.example.com/a.jpg", "https://cdn.example.com/b,c.jpg"]
    assert first.findtext(g("identifier_exists")) == "false"
    shipping = first.find(g("shipping"))
    assert [(child.tag, child.text) for child in shipping] == [
        (g("country"), "US"), (g("service"), "Standard"), (g("price"), "4.95 USD")]
    # fields keep the mapping's order; empty ones are gone
    assert [etree.QName(child).localname for child in first] == [
        "id", "title", "description", "price", "additional_image_link", "additional_image_link", "shipping",
        "item_group_id", "identifier_exists", "size"]
    assert [s.findtext(g("country")) for s in items[1].findall(g("shipping"))] == ["US", "CA"]
    assert items[1].find(g("shipping")).findtext(g("price")) == "0.00"
    assert items[2].findtext(g("price")) == "12.50"


def test_rss_is_escaped_pretty_utf8(tmp_path):
    data = write([FEED], tmp_path)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:g="http://base.google.com/ns/1.0"')
    assert b"\r" not in data and data.endswith(b"    </item>\n  </channel>\n</rss>\n")
    assert "Crème brûlée &lt;b&gt;soft&lt;/b&gt;".encode() in data
    assert b"<title>Example &amp; Co &lt;shop&gt;</title>" in data
    assert b"\n      <g:shipping>\n        <g:country>US</g:country>\n" in data
    assert data.count(b"xmlns:g") == 1  # declared once, on the root


def test_rss_is_deterministic_and_one_file_per_market(tmp_path):
    fr = Feed(FeedInfo(channel="google", kind="google-merchant", format="google-rss", market="FR"), FEED.items)
    out = FeedOutput(tmp_path / "a")
    google_rss.write_feeds([FEED, fr], out)
    out.commit()
    assert sorted(out.files) == ["google/FR.xml", "google/US.xml"]
    assert write([FEED], tmp_path / "b") == (tmp_path / "a" / "google" / "US.xml").read_bytes()


def test_item_without_id_field_gets_item_id_first(tmp_path):
    root = etree.fromstring(write([FEED], tmp_path))
    mug = root.find("channel").findall("item")[2]
    assert [etree.QName(child).localname for child in mug] == ["id", "title", "price"]
    assert mug.findtext(g("id")) == "MUG"


XML_CHARS = st.characters(blacklist_categories=("Cs",)).filter(
    lambda c: c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c >= "\U00010000")


@settings(max_examples=200, deadline=None)
@given(text=st.text(XML_CHARS, min_size=1))
def test_any_xml_text_round_trips(tmp_path_factory, text):
    item = Item(id="X", fields={"title": text, "color": [text, text]}, product_id="X")
    feed = Feed(INFO, (item,))
    root = etree.fromstring(write([feed], tmp_path_factory.mktemp("rss")))
    parsed = root.find("channel").find("item")
    assert parsed.findtext(g("title")) == text
    assert [e.text for e in parsed.findall(g("color"))] == [text, text]


def lxml_pieces(items) -> list[bytes]:
    """Each item's bytes as lxml writes them (what pim.writers.xml.XmlText must equal)."""
    buffer, ends = io.BytesIO(), []
    with xml_document(buffer) as xml:
        with google_rss._open_channel(xml):
            for item in items:
                xml.flush()
                ends.append(buffer.tell())
                google_rss._write_item(xml, item)
            xml.flush()
            ends.append(buffer.tell())
    return [buffer.getvalue()[start:end] for start, end in zip(ends, ends[1:])]


# Text of any code point (XML's own characters and the others), often of those XML writers treat apart.
ANY_TEXT = st.text(st.sampled_from("ab &<>\r\n\t\"'é😀\x85") | st.characters(), min_size=1, max_size=8)
NAMES = st.one_of(st.sampled_from(["title", "g:x", "a b", "1st", "é", "x-y.z"]), st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True))
VALUES = st.recursive(st.one_of(ANY_TEXT, st.none(), st.booleans(), st.integers(), st.decimals(allow_nan=False, allow_infinity=False, places=2)),
                      lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(NAMES, inner, max_size=3)), max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(NAMES, ANY_TEXT | VALUES, max_size=5), min_size=1, max_size=3))
@example([{"title": "a\r\n&<>\"b", "color": ["x\ry", Decimal("1.50")], "shipping": {"price": "4 > 3"}}])
def test_items_written_as_text_have_the_bytes_lxml_writes(fields):
    items = [Item(id=f"X{index}", fields=f, product_id="X") for index, f in enumerate(fields)]
    try:
        expected = lxml_pieces(items)
    except ValueError as refused:  # a character XML cannot carry: refused either way, with lxml's words
        with pytest.raises(ValueError) as also:
            google_rss.STREAMED.pieces([INFO], 0, "items", items)
        assert str(also.value) == str(refused)
        return
    assert google_rss.STREAMED.pieces([INFO], 0, "items", items) == expected
