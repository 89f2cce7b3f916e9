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

from contextlib import contextmanager
from functools import cache
from typing import Iterator, Sequence

from pim.feed import Feed, FeedInfo, Item, Value
from pim.output import FeedOutput
from pim.writers import assembly
from pim.writers.assembly import FilePlan, by_product
from pim.writers.table import feed_stem
from pim.writers.values import is_empty, prune
from pim.writers.xml import XmlStream, xml_frame, xml_pieces

G = "http://base.google.com/ns/1.0"


class _Streamed:
    """One file per feed: the channel header, each item's `<item>` element, the footer."""

    join_fields: tuple[str, ...] = ()

    def streams(self, infos: Sequence[FeedInfo], index: int) -> tuple[str, ...]:
        return ("items",)

    def pieces(self, infos: Sequence[FeedInfo], index: int, stream: str, items: Sequence[Item]) -> list[bytes]:
        return xml_pieces(_open_channel, items, _write_item)

    def files(self, infos: Sequence[FeedInfo], feeds: Sequence[Sequence[Item]]) -> list[FilePlan]:
        plans = []
        for index, (info, items) in enumerate(zip(infos, feeds)):
            header, footer = xml_frame(lambda xml: _open_channel(xml, info))
            plans.append(FilePlan(f"{info.channel}/{feed_stem(info)}.xml", header, footer, list(by_product(index, "items", items))))
        return plans


STREAMED = _Streamed()


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    assembly.write_feeds(STREAMED, feeds, out)


@contextmanager
def _open_channel(xml: XmlStream, info: FeedInfo | None = None) -> Iterator[None]:
    """The elements around the items; without `info`, only their names (what an item's bytes depend on)."""
    with xml.element("rss", {"version": "2.0"}, nsmap={"g": G}):
        with xml.element("channel"):
            if info is not None:
                for tag, text in (("title", info.title), ("link", info.link), ("description", info.description)):
                    xml.leaf(tag, text, required=True)
            yield


def _write_item(xml: XmlStream, item: Item) -> None:
    with xml.element("item"):
        if is_empty(item.fields.get("id")):
            xml.leaf(_g("id"), item.id)
        for name, value in item.fields.items():
            if type(value) is str:  # most fields: no parts to prune, nothing to spell
                if value:
                    xml.text(_g(name), value)
            else:
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
