"""Feed files assembled from pieces: each item's bytes made once, then joined into files by position.

A streamed format (`STREAMED` in google_rss, meta_csv, amazon_json, headless_json) splits its writer in two:
- `pieces(infos, index, stream, items)`: the bytes each item contributes to one stream of feed `index`
  (an item of a Meta market feeds its country and language override files: two streams). These
  depend on the item and the feed's FeedInfo only, never on the item's position, so a build makes them
  when it renders the product and keeps them with its render (pim/item_cache.py).
- `files(infos, feeds)`: the files, each a `FilePlan` naming the parts of which products, in order,
  from the items each feed kept (only their ids and `join_fields` are read: a build passes light
  items). What depends on position is here: Amazon's `messageId` and its files of 25,000 messages,
  the separators between items, a footer that differs for an empty file.

`write_files` joins plans and pieces; `write_feeds` does both for whole Feeds, so a build that streams
and a writer given Feeds in memory produce the same bytes by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Iterable, Protocol, Sequence

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput


@dataclass(frozen=True, slots=True)
class Part:
    """The items of one product that go into a file from one stream of one feed."""

    feed: int  # index into the channel's feeds
    stream: str
    product_id: str
    positions: tuple[int, ...] | None = None  # of the product's kept items in that feed; None: all of them
    start: int = 0  # where the product's items start in the feed's items (a feed in memory may hold a product twice)


@dataclass(slots=True)
class FilePlan:
    path: str
    header: bytes
    footer: bytes
    parts: list[Part] = field(default_factory=list)
    separator: bytes = b""  # between two items
    numbered: bytes = b""  # written before each item with the item's number in the file (Amazon's messageId)


class Streamed(Protocol):
    join_fields: tuple[str, ...]  # the item fields `files` reads

    def streams(self, infos: Sequence[FeedInfo], index: int) -> tuple[str, ...]: ...
    def pieces(self, infos: Sequence[FeedInfo], index: int, stream: str, items: Sequence[Item]) -> list[bytes]: ...
    def files(self, infos: Sequence[FeedInfo], feeds: Sequence[Sequence[Item]]) -> list[FilePlan]: ...


Pieces = Callable[[Part], Sequence[bytes]]  # a part's item bytes, in order


def by_product(feed: int, stream: str, items: Sequence[Item], keep: Callable[[Item], bool] | None = None) -> Iterable[Part]:
    """One part per product, in the feed's order; with `keep`, only the items it keeps (positions then name them)."""
    for start, mine in product_runs(items):
        if keep is None:
            yield Part(feed, stream, mine[0].product_id, None, start)
            continue
        positions = tuple(offset for offset, item in enumerate(mine) if keep(item))
        if positions:
            yield Part(feed, stream, mine[0].product_id, None if len(positions) == len(mine) else positions, start)


def write_files(plans: Sequence[FilePlan], out: FeedOutput, pieces: Pieces, products: Sequence[str] | None = None) -> None:
    """Every planned file. With `products` (every product id, in the order the plans' parts follow),
    in one pass over the products: each product's pieces are asked for once per part while every file
    that still expects parts stays open, so pieces kept on disk are read in one sweep. Without it, one
    file after the other."""
    if products is None:
        for plan in plans:
            with out.open(plan.path) as stream:
                stream.write(plan.header)
                count = [0]
                for part in plan.parts:
                    _write_items(stream, plan, pieces(part), count)
                stream.write(plan.footer)
        return
    waiting = parts_by_product(plans)
    remaining = [len(plan.parts) for plan in plans]
    opened: dict[int, tuple[Any, BinaryIO, list[int]]] = {}  # plan -> (its context, stream, items written)
    try:
        for number, plan in enumerate(plans):
            if not plan.parts:
                with out.open(plan.path) as stream:
                    stream.write(plan.header + plan.footer)
        for product_id in products:
            for number, part in waiting.get(product_id, ()):
                plan = plans[number]
                if number not in opened:
                    context = out.open(plan.path)
                    stream = context.__enter__()
                    opened[number] = (context, stream, [0])
                    stream.write(plan.header)
                context, stream, count = opened[number]
                _write_items(stream, plan, pieces(part), count)
                remaining[number] -= 1
                if not remaining[number]:
                    stream.write(plan.footer)
                    del opened[number]
                    context.__exit__(None, None, None)
        if opened:
            raise ValueError(f"{len(opened)} file(s) name products the build does not have, e.g. {plans[next(iter(opened))].path}")
    except BaseException as error:
        for context, _, _ in opened.values():
            context.__exit__(type(error), error, error.__traceback__)
        raise


def parts_by_product(plans: Sequence[FilePlan]) -> dict[str, list[tuple[int, Part]]]:
    """product id -> (plan number, part) of every part that product has in these plans, in plan order."""
    waiting: dict[str, list[tuple[int, Part]]] = {}
    for number, plan in enumerate(plans):
        for part in plan.parts:
            waiting.setdefault(part.product_id, []).append((number, part))
    return waiting


def _write_items(stream: BinaryIO, plan: FilePlan, items: Sequence[bytes], count: list[int]) -> None:
    if not plan.separator and not plan.numbered:
        stream.write(b"".join(items))
        count[0] += len(items)
        return
    for data in items:
        if count[0] and plan.separator:
            stream.write(plan.separator)
        count[0] += 1
        if plan.numbered:
            stream.write(plan.numbered + str(count[0]).encode())
        stream.write(data)


def write_feeds(streamed: Streamed, feeds: Sequence[Feed], out: FeedOutput) -> None:
    """Whole feeds in memory, written by the same plans and pieces a streaming build uses."""
    infos = [feed.info for feed in feeds]
    made: dict[tuple[int, str, int], list[bytes]] = {}
    for index, feed in enumerate(feeds):
        streams = streamed.streams(infos, index)
        for start, items in product_runs(feed.items):
            for stream in streams:
                made[(index, stream, start)] = streamed.pieces(infos, index, stream, items)

    def pieces(part: Part) -> Sequence[bytes]:
        every = made[(part.feed, part.stream, part.start)]
        return every if part.positions is None else [every[p] for p in part.positions]

    write_files(streamed.files(infos, [feed.items for feed in feeds]), out, pieces)


def product_runs(items: Sequence[Item]) -> Iterable[tuple[int, Sequence[Item]]]:
    """(where it starts, its items) for each run of one product's items, in order."""
    start = 0
    while start < len(items):
        product_id = items[start].product_id
        end = start + 1
        while end < len(items) and items[end].product_id == product_id:
            end += 1
        yield start, items[start:end]
        start = end
