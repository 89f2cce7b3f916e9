"""Google Merchant Center RSS 2.0 feed: one file per market, every item field a `g:` element.

File: `<channel>/<market>.xml` (e.g. `google/US.xml`; `all` when the channel has no markets).

Document: `<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">`, one `<channel>` holding `<title>`,
`<link>` and `<description>` from FeedInfo (`title`, `link`, `description`; always written, as RSS requires
them, even when blank), then one `<item>` per Item in the order given. One element per line, indented by two
spaces; UTF-8, LF line ends.

Item-field contract (for mapping authors):

- Every field `NAME` is written as `<g:NAME>` in the order of `item.fields`; field names must be Google's
  attribute names (`title`, `price`, `image_link`, ...) and valid XML names. No field is renamed or checked.
- `<g:id>` is the `id` field; an item without one (or with an empty one) gets `Item.id`, written first.
- Values are spelled as in `pim.writers.table.render`: str as is (prices come from the mapping already as
  `15.00 USD`), bool -> `true` / `false`, int and Decimal -> plain decimal text.
- A list repeats the element: `additional_image_link: [a, b]` -> two `<g:additional_image_link>`.
- A dict nests its keys as `g:` elements in dict order: `shipping: {country: DE, service: Standard,
  price: 4.95 EUR}` -> `<g:shipping><g:country>DE</g:country>...</g:shipping>`; a list of dicts repeats the
  nested element (several `shipping` options).
- Empty values (None, "", [], {}) are left out at every depth, as Google asks; a dict with nothing left is
  left out whole.
- Text must be XML 1.0 characters: a control character such as U+000B raises `ValueError` (clean it in the
  mapping). `&`, `<`, `>` are escaped by the XML writer.
"""

from __future__ import annotations

from functools import cache
from typing import BinaryIO, Sequence

from pim.feed import Feed, Item, Value
from pim.output import FeedOutput
from pim.writers.table import feed_stem
from pim.writers.values import is_empty, prune
from pim.writers.xml import XmlStream, xml_document

G = "http://base.google.com/ns/1.0"


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}.xml") as stream:
            _write_feed(feed, stream)


def _write_feed(feed: Feed, stream: BinaryIO) -> None:
    info = feed.info
    with xml_document(stream) as xml:
        with xml.element("rss", {"version": "2.0"}, nsmap={"g": G}):
            with xml.element("channel"):
                for tag, text in (("title", info.title), ("link", info.link), ("description", info.description)):
                    xml.leaf(tag, text, required=True)
                for item in feed.items:
                    _write_item(xml, item)


def _write_item(xml: XmlStream, item: Item) -> None:
    with xml.element("item"):
        if is_empty(item.fields.get("id")):
            xml.leaf(_g("id"), item.id)
        for name, value in item.fields.items():
            _write_field(xml, name, prune(value))


def _write_field(xml: XmlStream, name: str, value: Value) -> None:
    if isinstance(value, list):
        for part in value:
            _write_field(xml, name, part)
    elif isinstance(value, dict):
        if value:
            with xml.element(_g(name)):
                for key, part in value.items():
                    _write_field(xml, key, part)
    else:
        xml.leaf(_g(name), value)


@cache
def _g(name: str) -> str:
    """The `g:` tag for a field name (cached: a feed has few names and very many items)."""
    return f"{{{G}}}{name}"
