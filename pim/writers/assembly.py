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

import os
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
    join_fields: tuple[str, ...]  # the item fields `files` reads, each as an id: absent, the item's id

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


class Reuse(Protocol):
    """Bytes a file in place already holds, for `write_files` to copy instead of joining pieces again.

    A part's key names everything its bytes depend on (its pieces, which of them, the number of its
    first item in a numbered file); a file's layout maps the keys of its parts to where their bytes are."""

    def key(self, plan: int, part: Part, first: int) -> bytes | None: ...
    def old(self, plan: int) -> tuple[int, dict[bytes, tuple[int, int, int]]] | None: ...  # (open file, key -> (start, end, items))
    def written(self, plan: int, layout: dict[bytes, tuple[int, int, int]]) -> None: ...


def write_files(plans: Sequence[FilePlan], out: FeedOutput, pieces: Pieces, products: Sequence[str] | None = None, reuse: Reuse | None = None) -> None:
    """Every planned file. With `products` (every product id, in the order the plans' parts follow),
    in one pass over the products: each product's pieces are asked for once per part while every file
    that still expects parts stays open, so pieces kept on disk are read in one sweep. Without it, one
    file after the other. With `reuse`, a part the file in place holds is copied from it (runs of
    them in one read), and each file's layout is handed back once written."""
    if products is None:
        for plan in plans:
            with out.open(plan.path) as stream:
                writing = _OpenFile(stream, plan, None)
                writing.emit(plan.header)
                for part in plan.parts:
                    writing.fresh(pieces(part))
                writing.emit(plan.footer)
        return
    waiting = parts_by_product(plans)
    remaining = [len(plan.parts) for plan in plans]
    opened: dict[int, tuple[Any, _OpenFile]] = {}  # plan -> (its context, the file being written)
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
                    opened[number] = (context, _OpenFile(context.__enter__(), plan, reuse.old(number) if reuse is not None else None))
                    opened[number][1].emit(plan.header)
                context, writing = opened[number]
                key = reuse.key(number, part, writing.count + 1) if reuse is not None else None
                writing.part(key, part, pieces)
                remaining[number] -= 1
                if not remaining[number]:
                    writing.flush()
                    writing.emit(plan.footer)
                    del opened[number]
                    context.__exit__(None, None, None)
                    if reuse is not None:
                        reuse.written(number, writing.layout)
        if opened:
            raise ValueError(f"{len(opened)} file(s) name products the build does not have, e.g. {plans[next(iter(opened))].path}")
    except BaseException as error:
        for context, _ in opened.values():
            context.__exit__(type(error), error, error.__traceback__)
        raise


class _OpenFile:
    """One file being written: items counted, bytes counted (the layout), old bytes copied in runs."""

    RUN = 8 << 20  # bytes copied from the old file per read

    def __init__(self, stream: BinaryIO, plan: FilePlan, old: tuple[int, dict] | None):
        self.stream = stream
        self.plan = plan
        self.old = old
        self.count = 0  # items written
        self.offset = 0  # bytes written, a pending copy included
        self.pending: tuple[int, int] | None = None  # a run of the old file still to copy
        self.layout: dict[bytes, tuple[int, int, int]] = {}

    def emit(self, data: bytes) -> None:
        self.stream.write(data)
        self.offset += len(data)

    def part(self, key: bytes | None, part: Part, pieces: Pieces) -> None:
        found = self.old[1].get(key) if key is not None and self.old is not None else None
        before = self.count
        start = self.copy(*found) if found is not None else self.fresh(pieces(part))
        if key is not None and start is not None:
            self.layout[key] = (start, self.offset, self.count - before)

    def copy(self, start: int, end: int, items: int) -> int:
        """The old file's bytes start..end (`items` items), after a separator unless first; returns where they start here."""
        separator = self.plan.separator
        if self.pending is not None and start == self.pending[1] + len(separator):
            self.pending = (self.pending[0], end)  # adjacent there too: the separator between comes with them
            self.offset += len(separator)
        else:
            self.flush()
            if self.count and separator:
                self.emit(separator)
            self.pending = (start, end)
        begin = self.offset
        self.offset += end - start
        self.count += items
        return begin

    def fresh(self, items: Sequence[bytes]) -> int | None:
        """Items joined here; returns where the first starts (None: no item)."""
        self.flush()
        plan, begin = self.plan, None
        if not plan.separator and not plan.numbered:
            begin = self.offset if items else None
            self.emit(b"".join(items))
            self.count += len(items)
            return begin
        joined: list[bytes] = []  # one write for the part, instead of up to three per item
        size = 0
        for data in items:
            if self.count and plan.separator:
                joined.append(plan.separator)
                size += len(plan.separator)
            self.count += 1
            begin = self.offset + size if begin is None else begin
            if plan.numbered:
                joined.append(number := plan.numbered + str(self.count).encode())
                size += len(number)
            joined.append(data)
            size += len(data)
        self.emit(b"".join(joined))
        return begin

    def flush(self) -> None:
        """Copy the pending run of old bytes (already counted in `offset`)."""
        if self.pending is None:
            return
        start, end = self.pending
        self.pending = None
        while start < end:
            data = os.pread(self.old[0], min(self.RUN, end - start), start)
            if not data:
                raise OSError(f"{self.plan.path} in place is shorter than its record: build again")
            self.stream.write(data)
            start += len(data)


def parts_by_product(plans: Sequence[FilePlan]) -> dict[str, list[tuple[int, Part]]]:
    """product id -> (plan number, part) of every part that product has in these plans, in plan order."""
    waiting: dict[str, list[tuple[int, Part]]] = {}
    for number, plan in enumerate(plans):
        for part in plan.parts:
            waiting.setdefault(part.product_id, []).append((number, part))
    return waiting


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
