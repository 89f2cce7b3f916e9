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

from typing import Sequence
from urllib.parse import quote

from pim.feed import Feed, FeedInfo, Item, Value
from pim.output import FeedOutput
from pim.writers import assembly
from pim.writers.assembly import FilePlan, Part, by_product, product_runs
from pim.writers.table import feed_stem
from pim.writers.values import is_empty, json_bytes, prune

DEFAULT_INDEX_FIELDS = ("name", "url", "price")


class _Streamed:
    """Each item's document, a file of its own, and its entry in the market's index."""

    join_fields: tuple[str, ...] = ()

    def streams(self, infos: Sequence[FeedInfo], index: int) -> tuple[str, ...]:
        return ("documents", "index")

    def pieces(self, infos: Sequence[FeedInfo], index: int, stream: str, items: Sequence[Item]) -> list[bytes]:
        if stream == "documents":
            return [json_bytes(document(item), indent=True) + b"\n" for item in items]
        index_fields = infos[index].options.get("index_fields", DEFAULT_INDEX_FIELDS)
        return [b"\n    " + b"\n    ".join(json_bytes(_entry(item, index_fields), indent=True).split(b"\n")) for item in items]

    def files(self, infos: Sequence[FeedInfo], feeds: Sequence[Sequence[Item]]) -> list[FilePlan]:
        plans = []
        for index, (info, items) in enumerate(zip(infos, feeds)):
            folder = f"{info.channel}/{feed_stem(info)}"
            for start, mine in product_runs(items):
                for offset, item in enumerate(mine):
                    part = Part(index, "documents", item.product_id, None if len(mine) == 1 else (offset,), start)
                    plans.append(FilePlan(f"{folder}/products/{quote(item.id, safe='')}.json", b"", b"", [part]))
            footer = b"\n  ]\n}\n" if items else b"]\n}\n"
            plans.append(FilePlan(f"{folder}/index.json", b'{\n  "items": [', footer, list(by_product(index, "index", items)), separator=b","))
        return plans


STREAMED = _Streamed()


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    assembly.write_feeds(STREAMED, feeds, out)


def document(item: Item) -> dict[str, Value]:
    """The product document: the item's fields without empty parts, `id` first if the fields lack it."""
    fields = prune(item.fields)
    return fields if "id" in fields else {"id": item.id, **fields}


def _entry(item: Item, index_fields: Sequence[str]) -> dict[str, Value]:
    """The item's entry in the index: its id, and each index field it has. Indented two levels deeper
    when joined (splitting on newlines is safe: JSON escapes line breaks in strings)."""
    entry = {"id": item.id}
    for name in index_fields:
        value = prune(item.fields.get(name))
        if name != "id" and not is_empty(value):
            entry[name] = value
    return entry
