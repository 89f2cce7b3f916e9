"""Headless web-shop JSON: one document per product plus an index per market, for a storefront to fetch.

Files, per market (`all` when the channel has no markets):

- `<channel>/<market>/products/<id>.json`: one per Item, the item's fields as one JSON object.
  `<id>` is `Item.id` percent-encoded (`urllib.parse.quote(id, safe="")`: letters, digits and `_.-~` stay,
  `/` becomes `%2F`, non-ASCII its UTF-8 `%XX`), so an id can never leave the folder.
- `<channel>/<market>/index.json`: `{"items": [...]}` with one entry per Item in the order given:
  `{"id": Item.id, <each field named in options["index_fields"], default ["name", "url", "price"]>}`; a field
  the item lacks (or has empty) is left out of its entry.

Both are indented by 2 in key order as given (not sorted), UTF-8 text as is (no `\\u` escapes), and end with
a newline, like `json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`.

Item-field contract (for mapping authors): one Item per product (or per variant, if the shop wants that).

- The document is `item.fields` in its own order, with `"id": Item.id` put first when there is no `id`
  field. Nested lists and dicts are written as they are (variants, images, prices per currency ...).
- Empty values (None, "", [], {}) are left out at every depth.
- Decimal and int are JSON numbers (`Decimal("19.90")` -> `19.90`, digits kept), bool is `true`/`false`.
"""

from __future__ import annotations

from typing import BinaryIO, Sequence
from urllib.parse import quote

from pim.feed import Feed, Item, Value
from pim.output import FeedOutput
from pim.writers.table import feed_stem
from pim.writers.values import is_empty, json_bytes, prune

DEFAULT_INDEX_FIELDS = ("name", "url", "price")


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        folder = f"{feed.info.channel}/{feed_stem(feed.info)}"
        index_fields = feed.info.options.get("index_fields", DEFAULT_INDEX_FIELDS)
        for item in feed.items:
            with out.open(f"{folder}/products/{quote(item.id, safe='')}.json") as stream:
                stream.write(json_bytes(document(item), indent=True) + b"\n")
        with out.open(f"{folder}/index.json") as stream:
            _write_index(stream, feed.items, index_fields)


def document(item: Item) -> dict[str, Value]:
    """The product document: the item's fields without empty parts, `id` first if the fields lack it."""
    fields = prune(item.fields)
    return fields if "id" in fields else {"id": item.id, **fields}


def _write_index(stream: BinaryIO, items: Sequence[Item], index_fields: Sequence[str]) -> None:
    stream.write(b'{\n  "items": [')
    for number, item in enumerate(items):
        entry = {"id": item.id}
        for name in index_fields:
            value = prune(item.fields.get(name))
            if name != "id" and not is_empty(value):
                entry[name] = value
        # Indent the entry two levels deeper. Splitting on b"\n" is safe: JSON escapes line breaks in strings.
        lines = json_bytes(entry, indent=True).split(b"\n")
        stream.write(b"," if number else b"")
        stream.write(b"\n    " + b"\n    ".join(lines))
    stream.write(b"\n  ]\n}\n" if items else b"]\n}\n")
