"""Amazon SP-API `JSON_LISTINGS_FEED` (v2): one feed document per market, split at Amazon's message limit.

Files: `<channel>/<market>.json`, then `<channel>/<market>-2.json`, `-3`, ... when the market has more items
than `options["messages_per_file"]` (default and maximum 25,000, the schema's `maxItems`). A market with no
items writes no file: Amazon rejects a feed without messages. UTF-8, LF line ends; the header on the first
line, then one message per line, so a one-item change is a one-line diff. Amazon also advises files under
10 MiB, which 25,000 rich listings exceed: lower `messages_per_file` for those.

Header: `{"sellerId": options["seller_id"], "version": "2.0", "issueLocale": "en_US"}`; `issueLocale` is
`FeedInfo.locale` with `_` for `-`, left out when the feed has no locale.

Item-field contract (for mapping authors), one message per Item in the order given:

- `messageId`: 1, 2, ... counted per file. `sku`: `Item.id`.
- `operationType`: `fields["operation"]`, default `UPDATE`; one of `UPDATE`, `PARTIAL_UPDATE`, `PATCH`,
  `DELETE`. Each writes what Amazon's schema allows for it:
  - `UPDATE`: `productType`, `requirements`, `attributes`;
  - `PARTIAL_UPDATE`: `productType`, `attributes`;
  - `PATCH`: `productType`, `patches` (`fields["patches"]`, a list of `{op, path, value}`, written as given);
  - `DELETE`: nothing more.
- `productType`: `fields["product_type"]` (e.g. `LUGGAGE`). `requirements`: `fields["requirements"]`, default
  `LISTING`.
- `attributes`: `fields["attributes"]`, a dict of Amazon attribute arrays built by the mapping
  (`{"item_name": [{"value": ..., "language_tag": "en_US", "marketplace_id": ...}], ...}`), written in its
  own order. Empty parts (None, "", [], {}) are dropped at every depth, so an attribute with no value is left
  out rather than sent as a blank that would clear it.
- Values: Decimal and int are JSON numbers (`Decimal("19.90")` -> `19.90`), bool is `true`/`false`, text is
  UTF-8. Other item fields are not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Sequence

from pim.feed import Feed, FeedInfo, Item, Value
from pim.output import FeedOutput
from pim.writers import assembly
from pim.writers.assembly import FilePlan, Part, product_runs
from pim.writers.table import feed_stem
from pim.writers.values import is_empty, json_bytes, prune

MAX_MESSAGES = 25_000  # per feed document (schema maxItems; Amazon raised it from 10,000 in May 2025)
OPERATIONS = ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")


class _Streamed:
    """Each market's messages, numbered per file when joined: a message's bytes are those of
    `message(number, item)` after its leading `{"messageId":<number>`."""

    join_fields: tuple[str, ...] = ()

    def streams(self, infos: Sequence[FeedInfo], index: int) -> tuple[str, ...]:
        return ("messages",)

    def pieces(self, infos: Sequence[FeedInfo], index: int, stream: str, items: Sequence[Item]) -> list[bytes]:
        return [json_bytes(message(0, item))[len(_NUMBERED) + 1 :] for item in items]

    def files(self, infos: Sequence[FeedInfo], feeds: Sequence[Sequence[Item]]) -> list[FilePlan]:
        plans = []
        for index, (info, items) in enumerate(zip(infos, feeds)):
            size = _messages_per_file(info)
            header = b'{"header":' + json_bytes(_header(info)) + b',\n"messages":[\n'
            stem = f"{info.channel}/{feed_stem(info)}"
            for number, chunk in enumerate(_chunks(index, items, size), start=1):
                path = f"{stem}.json" if number == 1 else f"{stem}-{number}.json"
                plans.append(FilePlan(path, header, b"\n]}\n", chunk, separator=b",\n", numbered=_NUMBERED))
        return plans


_NUMBERED = b'{"messageId":'
STREAMED = _Streamed()


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    assembly.write_feeds(STREAMED, feeds, out)


def _chunks(index: int, items: Sequence[Item], size: int) -> list[list[Part]]:
    """The parts of each file of `size` messages; a product whose messages straddle two files is in both."""
    chunks: list[list[Part]] = []
    for start, mine in product_runs(items):
        offset = 0
        while offset < len(mine):
            if (start + offset) % size == 0:
                chunks.append([])
            taken = min(len(mine) - offset, size - (start + offset) % size)
            positions = None if taken == len(mine) else tuple(range(offset, offset + taken))
            chunks[-1].append(Part(index, "messages", mine[0].product_id, positions, start))
            offset += taken
    return chunks


def _messages_per_file(info: FeedInfo) -> int:
    size = info.options.get("messages_per_file", MAX_MESSAGES)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_MESSAGES:
        raise ValueError(f"messages_per_file must be a whole number from 1 to {MAX_MESSAGES}, not {size!r}")
    return size


def _header(info: FeedInfo) -> dict:
    seller_id = info.options.get("seller_id")
    if not seller_id:
        raise ValueError(f"{info.channel}: the Amazon feed needs options.seller_id (the Selling Partner ID)")
    header = {"sellerId": str(seller_id), "version": "2.0"}
    if info.locale:
        header["issueLocale"] = info.locale.replace("-", "_")
    return header


def message(number: int, item: Item) -> dict:
    """One feed message for an item (see the module docstring for what each operation carries)."""
    fields = item.fields
    operation = fields.get("operation") or "UPDATE"
    if operation not in OPERATIONS:
        raise ValueError(f"item {item.id}: operation must be one of {', '.join(OPERATIONS)}, not {operation!r}")
    body: dict = {"messageId": number, "sku": item.id, "operationType": operation}
    if operation == "DELETE":
        return body
    body["productType"] = _required(item, "product_type", fields.get("product_type"))
    if operation == "UPDATE":
        body["requirements"] = fields.get("requirements") or "LISTING"
    if operation == "PATCH":
        # Patches go as given: an empty `value` can be meaningful to an op, so nothing is pruned here.
        body["patches"] = _required(item, "patches", fields.get("patches"))
    else:
        attributes = _required(item, "attributes", prune(fields.get("attributes")))
        if not isinstance(attributes, Mapping):
            raise ValueError(f"item {item.id}: attributes must be a dict of Amazon attribute arrays")
        body["attributes"] = attributes
    return body


def _required(item: Item, name: str, value: Value) -> Value:
    if is_empty(value):
        operation = item.fields.get("operation") or "UPDATE"
        raise ValueError(f"item {item.id}: an Amazon {operation} message needs the field {name!r}")
    return value
