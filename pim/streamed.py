"""A streamed build: feeds of the streamed formats never held whole in memory.

When a product renders (in whichever process renders it), `Streaming.keep` stores with its render, in
the render cache (pim/item_cache.py):
- for each streamed feed, its items reduced to what the rules across items and the file plans read
  (id, group, level and a few fields), with exclusions and warnings; other feeds' items in full;
- the bytes each item writes into each stream (`Streamed.pieces`, pim/writers/assembly.py), in one
  section read by range, each stream with its digest;
- the product's one-voice findings (pim/consistency.py), checked from its own items.

The build then holds only those light items: the rules across items run on them, the one-voice check
reads the findings, and `write` joins the pieces into files in one pass over the products, reading each
product's pieces once. A product whose item a rule across items dropped (a shared id) is checked
again from its kept items; an entry that proves corrupt, or pieces a format could not make, are made
again here from a fresh render, so a bad entry is never trusted and costs only time.
"""

from __future__ import annotations

import hashlib
import marshal
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

from pim.channels import CHANNEL_KINDS, STREAMED
from pim.compression import compress
from pim.consistency import check_products
from pim.feed import Feed, Item
from pim.item_cache import WRITTEN_FOLDER, ItemCache, LightStore, Rendered, decode_rendered, encode_rendered, piece_digest
from pim.joiner import Index, Joiner
from pim.model import Product
from pim.output import FeedOutput, WrittenFile, WrittenRecord
from pim.problems import Problem
from pim.render import RenderContext, feed_info
from pim.shards import PlannedFeed, render_products
from pim.writers.assembly import FilePlan, Part, Streamed, parts_by_product, write_files

@dataclass
class Streaming:
    ctx: RenderContext
    plan: Sequence[PlannedFeed]
    cache: ItemCache
    formats: list[Streamed | None]  # per planned feed: its streamed format, None when it is held whole
    light_fields: list[tuple[str, ...]]  # per planned feed: the fields its light items keep
    id_fields: list[frozenset[str]]  # per planned feed: of those, the ones every reader reads as an id
    channels: list[list[int]]  # per planned feed: the planned feeds of its channel, in order
    store: LightStore | None = None  # every product's light section, read at once
    gathered: dict[str, tuple[bytes | None, bytes]] = field(default_factory=dict)  # product id -> (key, light section)
    kept_positions: dict[tuple[int, str], tuple[int, ...]] = field(default_factory=dict)  # (feed, product) -> rendered positions kept, where rules dropped some
    recipes: dict[str, bytes] = field(default_factory=dict)  # path -> what the file written is made from
    record: WrittenRecord | None = None  # what the last build wrote into the same folder
    layouts: dict[str, bytes] = field(default_factory=dict)  # path -> where each part of a file written is
    _products: dict[str, Product] | None = None  # by id, made when a product's full render is first needed

    @classmethod
    def for_build(cls, ctx: RenderContext, plan: Sequence[PlannedFeed]) -> "Streaming | None":
        """None when nothing streams: no render cache to keep pieces in, or no streamed format planned."""
        if ctx.item_cache is None:
            return None
        formats, light_fields, id_fields = [], [], []
        for planned in plan:
            fmt = STREAMED.get(planned.mapping.format)
            rules = CHANNEL_KINDS[planned.mapping.kind].rules
            checked = rules.feed_check_fields
            formats.append(fmt if checked is not None else None)
            light_fields.append(tuple(dict.fromkeys((*(checked or ()), *(fmt.join_fields if fmt else ())))))
            # a format reads its join fields as ids; a field no check reads is only joined
            id_fields.append(frozenset(f for f in light_fields[-1] if f in rules.feed_check_ids or f not in (checked or ())))
        if not any(formats):
            return None
        names = [planned.mapping.name for planned in plan]
        channels = [[j for j, other in enumerate(names) if other == name] for name in names]
        return cls(ctx, plan, ctx.item_cache, formats, light_fields, id_fields, channels, LightStore.for_cache(ctx.item_cache))

    # --- while rendering (pim.shards.Keeper) ------------------------------------------------------

    def holds(self, key: bytes | None) -> bool:
        return key is not None and self.store is not None and key in self.store.entries

    def light(self, product_id: str, key: bytes | None) -> bytes | None:
        """The product's light section: kept by a worker of this build, in the store, or in its entry."""
        kept = self.gathered.get(product_id)
        if kept is not None and kept[0] == key:
            return kept[1]
        data = self.store.entries.get(key) if key is not None and self.store is not None else None
        return data if data is not None else self.cache.get_light(key)

    def keep(self, key: bytes | None, product: Product, rendered: list[Rendered]) -> bytes:
        """Store the product's light section, pieces and findings with its render; returns the light section."""
        infos = [self._info(index) for index in range(len(self.plan))]
        feeds = [Feed(info, tuple(items)) for info, (items, _, _) in zip(infos, rendered)]
        findings = check_products(feeds, [p.mapping for p in self.plan], self.ctx.catalog, [product])[product.id]
        chunks: list[bytes] = []
        index: Index = []
        size = 0
        for number, (fmt, (items, _, _)) in enumerate(zip(self.formats, rendered)):
            if fmt is None:
                index.append(None)
                continue
            channel = self.channels[number]
            streams = {}
            try:
                for stream in fmt.streams([infos[j] for j in channel], channel.index(number)):
                    pieces = fmt.pieces([infos[j] for j in channel], channel.index(number), stream, items)
                    # Compressed: a feed's bytes shrink about fourfold, so a build that joins them reads
                    # a quarter from the disk (the entries outgrow the page cache long before 100,000 products).
                    data = compress(b"".join(pieces))
                    streams[stream] = (size, len(data), tuple(map(len, pieces)), piece_digest(data))
                    chunks.append(data)
                    size += len(data)
            except Exception:  # noqa: BLE001 - the writer refuses an item: it does so again, reported, when the file is written
                streams = None
            index.append(streams)
        light = [self._lighten(number, part) for number, part in enumerate(rendered)]
        try:
            encoded, feeds = False, marshal.dumps([encode_rendered(part, False) for part in light])
        except ValueError:  # a Decimal among the fields kept
            encoded, feeds = True, marshal.dumps([encode_rendered(part, True) for part in light])
        data = _section_bytes(marshal.dumps((encoded, index, [p.to_plain() for p in findings])), feeds)
        self.cache.put(key, rendered, data, b"".join(chunks))
        self.gathered[product.id] = (key, data)
        return data

    def parts(self, product: Product, light: bytes) -> list[Rendered] | None:
        """The light parts, or None when the section is not one of this plan's (then the product renders)."""
        try:
            head, feeds = _split_section(light)
            encoded, index, _ = marshal.loads(head)
            feeds = marshal.loads(feeds)
        except (ValueError, EOFError, TypeError):
            return None
        if len(feeds) != len(self.plan) or len(index) != len(self.plan):
            return None
        self.gathered[product.id] = (self.cache.key(product), light)
        return [decode_rendered(part, encoded) for part in feeds]

    def notes(self) -> dict:
        """What this process gathered since it was last asked (a worker's, sent back with its parts)."""
        gathered, self.gathered = self.gathered, {}
        return gathered

    def heard(self, notes: dict) -> None:
        self.gathered.update(notes)

    def rendered_all(self) -> None:
        """Keep every product's light section in one store, for the next build's one read; then keep
        only each section's head: its light items are read, and the rest of the build reads the head."""
        if self.store is not None:
            self.store.save({key: light for key, light in self.gathered.values() if key is not None})
            self.store = None  # its sections are the ones gathered, whose items go now
        for product_id, (key, light) in self.gathered.items():  # in place: each section goes as its head is cut
            self.gathered[product_id] = (key, _split_section(light)[0])

    def _index(self, product_id: str) -> Index:
        """Where each feed's pieces of the product are in its entry (per planned feed, by stream)."""
        return marshal.loads(self.gathered[product_id][1])[1]

    def _findings(self, product_id: str) -> list:
        """The product's one-voice findings, as plain data."""
        return marshal.loads(self.gathered[product_id][1])[2]

    def _lighten(self, number: int, rendered: Rendered) -> Rendered:
        """The items with the fields the rules across items and the file plans read; a field read as an
        id is left out where it equals the item's id (it reads the same), so most light items have no
        fields at all and share one empty mapping when read back (a warm build at 100,000 products held
        903 MB after reading every product's light items, and holds 708 MB)."""
        if self.formats[number] is None:
            return rendered
        fields, ids = self.light_fields[number], self.id_fields[number]
        items, excluded, warnings = rendered
        return [Item(i.id, _light_fields(i, fields, ids), i.product_id, i.group_id, i.level) for i in items], excluded, warnings

    def _info(self, number: int):
        planned = self.plan[number]
        prepared = self.ctx.prepared.get((planned.mapping.name, planned.market))
        return prepared[1] if prepared else feed_info(self.ctx, planned.mapping, planned.market)

    # --- after the merge --------------------------------------------------------------------------

    def merged(self, shard_parts: Sequence[Sequence[Any]], feeds: Sequence[Feed]) -> None:
        """Note, per feed, which products' items the rules across items dropped (rare: a shared id)."""
        for number, feed in enumerate(feeds):
            rendered = sum(len(parts[number].items) for parts in shard_parts)
            dropped = rendered - len(feed.items)
            if not dropped:
                continue
            touched = {e.product_id for e in feed.excluded[len(feed.excluded) - dropped :]}
            kept: dict[str, list[str]] = {product_id: [] for product_id in touched}
            for item in feed.items:
                if item.product_id in kept:
                    kept[item.product_id].append(item.id)
            for product_id in sorted(touched):
                every = self.rendered(product_id)[number][0]
                self.kept_positions[(number, product_id)] = _subsequence([item.id for item in every], kept[product_id])

    def one_voice(self, feeds: Sequence[Feed]) -> list[Problem]:
        """Each product's findings as it rendered; a product with a dropped item is checked again from the items kept."""
        again = sorted({product_id for _, product_id in self.kept_positions})
        found = [Problem.from_plain(p) for product_id in self.gathered if product_id not in again for p in self._findings(product_id)]
        for product_id in again:
            kept = []
            for number, (items, _, _) in enumerate(self.rendered(product_id)):
                positions = self.kept_positions.get((number, product_id))
                kept.append(Feed(feeds[number].info, tuple(items if positions is None else [items[p] for p in positions])))
            found += check_products(kept, [p.mapping for p in self.plan], self.ctx.catalog, [self._products[product_id]])[product_id]
        return sorted(found, key=Problem.sort_key)

    # --- for pim diff -------------------------------------------------------------------------------

    def keys(self) -> dict[str, bytes | None]:
        """Each product's render key: equal keys on two sides mean equal renders."""
        return {p.id: self.cache.key(p) for p in self.ctx.catalog.products}

    def read_all(self) -> None:
        """Nothing will read a light section again (pim diff, once the feeds are merged): let their bytes go."""
        self.gathered = {}
        self.store = None

    def dropped(self) -> set[str]:
        """The products a rule across items dropped an item of, in any feed."""
        return {product_id for _, product_id in self.kept_positions}

    def whole(self, feeds: Sequence[Feed], products: set[str]) -> list[Feed]:
        """These feeds with the named products' light items replaced by their items as rendered."""
        wanted = {p.id for p in self.ctx.catalog.products} & products
        rendered = {product_id: self.rendered(product_id) for product_id in sorted(wanted)}
        result = []
        for number, feed in enumerate(feeds):
            if self.formats[number] is None or not rendered:
                result.append(feed)
                continue
            by_id: dict[tuple[str, str], Item] = {}
            for product_id, renders in rendered.items():
                for item in renders[number][0]:
                    by_id.setdefault((product_id, item.id), item)
            items = tuple(by_id.get((item.product_id, item.id), item) if item.product_id in rendered else item for item in feed.items)
            result.append(replace(feed, items=items))
        return result

    # --- writing ------------------------------------------------------------------------------------

    def streams(self, feeds: Sequence[Feed]) -> bool:
        """Whether these feeds (one channel's) are written from pieces."""
        return bool(feeds) and all(self.formats[self._number(feed)] is not None for feed in feeds)

    def write(self, channels: Sequence[Sequence[Feed]], out: FeedOutput) -> list[list[WrittenFile]]:
        """The files of these channels (each streamed), joined from pieces in one pass over the
        products. A file made from the same pieces as the one in place (the record of the last build
        says so, and the file's signature is unchanged) is neither written nor read."""
        plans: list[FilePlan] = []
        owners: list[int] = []
        for owner, feeds in enumerate(channels):
            numbers = [self._number(feed) for feed in feeds]
            fmt = self.formats[numbers[0]]
            for plan in fmt.files([feed.info for feed in feeds], [feed.items for feed in feeds]):
                plan.parts = [Part(numbers[part.feed], part.stream, part.product_id, part.positions) for part in plan.parts]
                plans.append(plan)
                owners.append(owner)
        self.recipes = {plan.path: recipe for plan, recipe in zip(plans, self._recipes(plans)) if recipe is not None}
        self.record = WrittenRecord.for_root(Path(self.ctx.locator.source.root) / WRITTEN_FOLDER, out.root)
        unchanged = self.record.unchanged(self.recipes)
        for path, (sha256, size) in unchanged.items():
            out.keep(path, sha256, size)
        to_write = [plan for plan in plans if plan.path not in unchanged]
        order = [p.id for p in self.ctx.catalog.products]
        joiner = Joiner(self, to_write, out.root)
        try:
            with out.helped():
                write_files(to_write, out, joiner.pieces, order, joiner)
        finally:
            joiner.close()
        self.layouts = joiner.layouts
        written: list[list[WrittenFile]] = [[] for _ in channels]
        for owner, plan in zip(owners, plans):
            written[owner].append(out.files[plan.path])
        return [sorted(files, key=lambda f: f.path) for files in written]

    def remember(self, out: FeedOutput) -> None:
        """After the commit: record the files now in place, for the next build's `write`."""
        if self.record is not None:
            self.record.save(self.recipes, out.files, self.layouts)

    def _recipes(self, plans: Sequence[FilePlan]) -> list[bytes | None]:
        """Per plan, a digest of everything its file is made from: its frame and, per part, the digest
        of the product's pieces and which of them it takes. None when a part has no pieces kept.

        A file of one part (a product's own document: 177,000 at 100,000 products) is digested at once;
        only files of several parts keep a hash open while the products go by. An open hash holds 456
        bytes; one per file made the peak of a warm build at 100,000 products."""
        recipes: list[bytes | None] = [None] * len(plans)
        open_hashes = {number: hashlib.blake2b(_frame(plan), digest_size=20) for number, plan in enumerate(plans) if len(plan.parts) != 1}
        broken: set[int] = set()
        for product_id, parts in parts_by_product(plans).items():
            index = self._index(product_id)
            for number, part in parts:
                streams = index[part.feed]
                found = streams.get(part.stream) if streams else None
                if found is None:
                    broken.add(number)
                    continue
                kept = self.kept_positions.get((part.feed, product_id))
                made_of = found[3] + repr((product_id, kept, part.positions)).encode()
                if number in open_hashes:
                    open_hashes[number].update(made_of)
                else:
                    recipes[number] = hashlib.blake2b(_frame(plans[number]) + made_of, digest_size=20).digest()
        for number, digest in open_hashes.items():
            recipes[number] = digest.digest()
        return [None if number in broken else recipe for number, recipe in enumerate(recipes)]

    def _number(self, feed: Feed) -> int:
        for number, planned in enumerate(self.plan):
            if planned.mapping.name == feed.info.channel and planned.market == feed.info.market:
                return number
        raise KeyError(feed.name)

    def rendered(self, product_id: str) -> list[Rendered]:
        """The product's full render: from its entry, else rendered again here."""
        if self._products is None:
            self._products = {p.id: p for p in self.ctx.catalog.products}
        product = self._products[product_id]
        rendered = self.cache.get(self.cache.key(product))
        if rendered is None:
            cache, self.ctx.item_cache = self.ctx.item_cache, None
            try:
                parts = render_products(self.ctx, self.plan, [product])
            finally:
                self.ctx.item_cache = cache
            rendered = [(part.items, part.excluded, part.warnings) for part in parts]
        return rendered


# A light section is its head, (encoded, index, findings) marshalled, then its light items marshalled,
# with the head's length in front: once the items are read, a build keeps the head alone by slicing
# (at 100,000 products the items are about half of the sections' 168 MB).
_HEAD_SIZE = struct.Struct("<I")


def _section_bytes(head: bytes, items: bytes) -> bytes:
    return _HEAD_SIZE.pack(len(head)) + head + items


def _split_section(section: bytes) -> tuple[bytes, bytes]:
    """(head, light items); ValueError when the section is cut short."""
    if len(section) < _HEAD_SIZE.size:
        raise ValueError("light section cut short")
    end = _HEAD_SIZE.size + _HEAD_SIZE.unpack_from(section)[0]
    if end > len(section):
        raise ValueError("light section cut short")
    return section[_HEAD_SIZE.size : end], section[end:]


def _frame(plan: FilePlan) -> bytes:
    return repr((plan.path, plan.header, plan.footer, plan.separator, plan.numbered)).encode()


def _light_fields(item: Item, fields: tuple[str, ...], ids: frozenset[str]) -> dict:
    kept = {}
    for name in fields:
        if name in item.fields:
            value = item.fields[name]
            if not (name in ids and value == item.id):
                kept[name] = value
    return kept


def _subsequence(every: list[str], kept: list[str]) -> tuple[int, ...]:
    """The positions in `every` of the ids `kept` (in order, each taken at its first place left)."""
    positions, start = [], 0
    for item_id in kept:
        start = every.index(item_id, start)
        positions.append(start)
        start += 1
    return tuple(positions)
