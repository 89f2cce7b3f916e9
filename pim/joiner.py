"""Joining a streamed build's files (pim/streamed.py): each product's pieces read from its render-cache
entry, or the bytes of its parts copied from the files in place (`pim.writers.assembly.Reuse`)."""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from pim.compression import decompress
from pim.item_cache import Rendered, piece_digest
from pim.writers.assembly import FilePlan, Part

if TYPE_CHECKING:
    from pim.streamed import Streaming

Index = list  # per planned feed: {stream: (offset, size, lengths, digest)} of its compressed pieces, or None where they could not be made


class Joiner:
    """What `write_files` asks while joining files: each product's pieces, read from its entry once and
    only when a part needs them (the parts of one product come one after another; the range read holds
    the `needed` (feed, stream) pieces); and, as `Reuse`, the parts the files in place already hold."""

    def __init__(self, streaming: Streaming, plans: Sequence[FilePlan], root: Path):
        self.streaming = streaming
        self.plans = plans
        self.root = root
        self.needed = {(part.feed, part.stream) for plan in plans for part in plan.parts}
        self.product_id: str | None = None
        self.index: Index = []
        self.data: bytes | None = None
        self.made: dict[tuple[int, str], list[bytes]] = {}
        self.start = 0  # where `data` starts in the pieces section
        self.rendered: list[Rendered] | None = None  # the current product rendered again, when its pieces were damaged
        self.layouts: dict[str, bytes] = {}  # path -> layout of the file written, marshalled
        self.files: list[int] = []  # old files opened for copying

    # --- Reuse -----------------------------------------------------------------------------------

    def key(self, plan: int, part: Part, first: int) -> bytes | None:
        self._load(part.product_id)
        streams = self.index[part.feed] if part.feed < len(self.index) else None
        found = streams.get(part.stream) if streams else None
        if found is None:
            return None
        kept = self.streaming.kept_positions.get((part.feed, part.product_id))
        number = first if self.plans[plan].numbered else 0
        if kept is None and part.positions is None:  # the usual part: every item of the product, spelled without repr
            made_of = f"\0{part.product_id}\0{number}".encode()
        else:
            made_of = repr((part.product_id, kept, part.positions, number)).encode()
        return hashlib.blake2b(found[3] + made_of, digest_size=16).digest()

    def old(self, plan: int) -> tuple[int, dict] | None:
        record = self.streaming.record
        layout = record.layout(self.plans[plan].path) if record is not None else None
        if layout is None:
            return None
        try:
            descriptor = os.open(self.root / self.plans[plan].path, os.O_RDONLY)
        except OSError:
            return None
        self.files.append(descriptor)
        return descriptor, layout

    def written(self, plan: int, layout: dict[bytes, tuple[int, int, int]]) -> None:
        if len(self.plans[plan].parts) > 1:  # a file of one part (a product's own document) is written whole
            self.layouts[self.plans[plan].path] = marshal.dumps(layout)

    def close(self) -> None:
        for descriptor in self.files:
            os.close(descriptor)
        self.files = []

    # --- pieces ------------------------------------------------------------------------------------

    def pieces(self, part: Part) -> list[bytes]:
        self._load(part.product_id)
        every = self._stream(part.feed, part.stream)
        kept = self.streaming.kept_positions.get((part.feed, part.product_id))
        if kept is not None:
            every = [every[p] for p in kept]
        return every if part.positions is None else [every[p] for p in part.positions]

    def _load(self, product_id: str) -> None:
        if product_id != self.product_id:
            self.product_id, self.made, self.data, self.rendered = product_id, {}, None, None
            self.index = self.streaming._index(product_id)  # noqa: SLF001

    def _read(self) -> None:
        """The range of the current product's pieces section that holds the needed streams, and where it
        starts (its index is the one `_load` read). Entries are packed in the order products rendered,
        so a first build reads each pack forward."""
        spans = [(found[0], found[0] + found[1]) for number, streams in enumerate(self.index) if streams for stream, found in streams.items() if (number, stream) in self.needed]
        if not spans:
            self.start, self.data = 0, None
            return
        self.start = min(start for start, _ in spans)
        self.data = self.streaming.cache.pieces(self.streaming.gathered[self.product_id][0], self.start, max(end for _, end in spans))

    def _stream(self, number: int, stream: str) -> list[bytes]:
        if (number, stream) in self.made:
            return self.made[(number, stream)]
        streams = self.index[number] if number < len(self.index) else None
        found = streams.get(stream) if streams else None
        pieces = None
        if found is not None and self.data is None:
            self._read()
        if found is not None and self.data is not None:
            offset, size, lengths, digest = found
            data = self.data[offset - self.start : offset - self.start + size]
            if piece_digest(data) == digest:
                data = decompress(data)
                pieces, start = [], 0
                for length in lengths:
                    pieces.append(data[start : start + length])
                    start += length
        if pieces is None:  # a damaged entry, or pieces the format refused: made again from a fresh render
            pieces = self._made_again(number, stream)
        self.made[(number, stream)] = pieces
        return pieces

    def _made_again(self, number: int, stream: str) -> list[bytes]:
        streaming = self.streaming
        if self.rendered is None:  # once per product, whichever of its streams proved damaged
            self.rendered = streaming.rendered(self.product_id)
        rendered = self.rendered
        channel = streaming.channels[number]
        infos = [streaming._info(j) for j in channel]  # noqa: SLF001
        return streaming.formats[number].pieces(infos, channel.index(number), stream, rendered[number][0])
