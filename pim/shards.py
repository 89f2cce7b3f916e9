"""A build split by products: shards render their products' items, a merge joins them into whole feeds.

A product belongs to shard `blake2b(id) mod N`: stable across runs, machines and catalog changes, so
a product stays in its shard when others are added. A shard renders every planned channel and
market for its products (`render_shard`); `merge_parts` joins the shards' parts in catalog order
and only then applies the rules that look across items (unique ids, per-feed checks), so the feeds
are the same, byte for byte, as a build in one process. The same code runs the shards in forked
processes on one machine (`render_shards`), as `pim build --shard I/N` runs on separate
machines, and on a Dask cluster (`pim.cluster`).
"""

from __future__ import annotations

import hashlib
import heapq
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from pim.channels import CHANNEL_KINDS
from pim.feed import Feed
from pim.mapping import CompiledMapping
from pim.model import Product
from pim.output import write_atomically
from pim.item_cache import Rendered
from pim.render import FeedPart, RenderContext, feed_info, finish_feed, render_part
from pim.sources import ToolError
from pim.validation_cache import UntypedProduct
from pim.workers import map_forked

PART_MAGIC = b"PIMPART1\n"
SHARDS_PER_JOB = 4  # more shards than processes evens out shards of unequal cost


@dataclass(frozen=True)
class PlannedFeed:
    """One feed to render: a compiled mapping (its options completed) and a market (None: no markets)."""

    mapping: CompiledMapping
    market: str | None

    @property
    def name(self) -> str:
        return f"{self.mapping.name}/{self.market}" if self.market else self.mapping.name


def shard_of(product_id: str, shards: int) -> int:
    return int.from_bytes(hashlib.blake2b(product_id.encode("utf-8"), digest_size=8).digest(), "big") % shards


def render_shard(ctx: RenderContext, plan: Sequence[PlannedFeed], shard: int, shards: int) -> list[FeedPart]:
    """Every planned feed's part for the products of one shard. A part travels without its FeedInfo (which
    holds the project's files and the parsed taxonomy); the merge gives each feed its info again."""
    return render_products(ctx, plan, [p for p in ctx.catalog.products if shard_of(p.id, shards) == shard])


class Keeper(Protocol):
    """What a streamed build keeps of each product (pim/streamed.py): its light section, made and stored
    when the product renders, read back when it does not."""

    def holds(self, key: bytes | None) -> bool: ...
    def light(self, product_id: str, key: bytes | None) -> bytes | None: ...
    def keep(self, key: bytes | None, product: Product, rendered: list[Rendered]) -> bytes: ...
    def parts(self, product: Product, light: bytes) -> list[Rendered] | None: ...


def render_products(ctx: RenderContext, plan: Sequence[PlannedFeed], products: Sequence[Product], progress=None, keeper: Keeper | None = None) -> list[FeedPart]:
    """Every planned feed's part for these products, product by product: a product the item cache
    holds (same file, same everything else) is not rendered again. Parts come without FeedInfo. With
    a `keeper`, the parts hold what it keeps (light items), and it hears of every product."""
    rules = _rules(plan)
    parts = [FeedPart(None, [], [], []) for _ in plan]
    cache = ctx.item_cache
    step = max(1, len(products) // 50)
    for number, product in enumerate(products, start=1):
        key = cache.key(product) if cache is not None else None
        if keeper is not None:
            light = keeper.light(product.id, key)
            rendered = keeper.parts(product, light) if light is not None else None
        else:
            rendered = cache.get(key) if cache is not None else None
        if rendered is None:
            typed = product.typed(keep=False) if isinstance(product, UntypedProduct) else product
            rendered = _render(ctx, plan, rules, typed)
            if keeper is not None:
                rendered = keeper.parts(product, keeper.keep(key, typed, rendered))
            elif cache is not None:
                cache.put(key, rendered)
        for part, (items, excluded, warnings) in zip(parts, rendered):
            part.items.extend(items)
            part.excluded.extend(excluded)
            part.warnings.extend(warnings)
        if progress is not None and (number % step == 0 or number == len(products)):
            progress(number, len(products), "products")
    return parts


def keep_products(ctx: RenderContext, plan: Sequence[PlannedFeed], products: Sequence[Product], keeper: Keeper) -> None:
    """Render these products and let the keeper keep each (a worker's share of a streamed build)."""
    rules = _rules(plan)
    for product in products:
        typed = product.typed(keep=False) if isinstance(product, UntypedProduct) else product
        keeper.keep(ctx.item_cache.key(product) if ctx.item_cache is not None else None, typed, _render(ctx, plan, rules, typed))


def _rules(plan: Sequence[PlannedFeed]) -> list:
    return [CHANNEL_KINDS[planned.mapping.kind].rules for planned in plan]


def _render(ctx: RenderContext, plan: Sequence[PlannedFeed], rules: list, product: Product) -> list[Rendered]:
    rendered = []
    for planned, rule in zip(plan, rules):
        part = render_part(ctx, planned.mapping, rule, planned.market, [product])
        rendered.append((part.items, part.excluded, part.warnings))
    return rendered


def merge_parts(ctx: RenderContext, plan: Sequence[PlannedFeed], shard_parts: Sequence[Sequence[FeedPart]]) -> list[Feed]:
    """Whole feeds from every shard's parts: items and exclusions in catalog order, then the cross-item rules."""
    if any(len(parts) != len(plan) for parts in shard_parts):
        raise ToolError("the shards were built for other channels or markets than this merge: build every shard with the same --channel and --market")
    position = {product.id: index for index, product in enumerate(ctx.catalog.products)}
    feeds = []
    for index, planned in enumerate(plan):
        parts = [parts[index] for parts in shard_parts]
        merged = FeedPart(
            feed_info(ctx, planned.mapping, planned.market),
            _in_catalog_order([p.items for p in parts], position),
            _in_catalog_order([p.excluded for p in parts], position),
            [warning for p in parts for warning in p.warnings],
        )
        ctx.warnings.extend(merged.warnings)
        feeds.append(finish_feed(ctx, planned.mapping, CHANNEL_KINDS[planned.mapping.kind].rules, merged))
    return feeds


def _in_catalog_order(runs: Sequence[list], position: dict[str, int]) -> list:
    """Items (or exclusions) of shards, each in catalog order, merged in catalog order. One shard (a
    warm build reads every product in one) is that order already: 2.3 million key calls spared."""
    if len(runs) == 1:
        return list(runs[0])
    return list(heapq.merge(*runs, key=lambda entry: position[entry.product_id]))


def render_shards(ctx: RenderContext, plan: Sequence[PlannedFeed], jobs_for: Callable[[int], int], progress=None, keeper: Keeper | None = None) -> list[list[FeedPart]]:
    """Every product's parts, in shards. Products the render cache holds are read in this process:
    shipping their items back from a worker costs more than reading them (10,000 cached products,
    four channels: 9.5 s here, 12.9 s through two workers). The others render in `jobs_for(how many)`
    processes; a `keeper` hears of each product in the process that renders it."""
    cache = ctx.item_cache
    chosen = frozenset(p.id for p in ctx.catalog.products if cache is None or not (keeper.holds(cache.key(p)) if keeper is not None else cache.holds(p)))  # to render
    jobs = jobs_for(len(chosen))
    if jobs <= 1:
        return [render_products(ctx, plan, ctx.catalog.products, progress, keeper)]
    shards = jobs * SHARDS_PER_JOB
    if keeper is not None:
        # The workers keep each product's render and send back its light section only; the parts are
        # read from those here, in catalog order, as a warm build reads them: no items are pickled,
        # nothing is merged by position, and the workers fork before this process holds any item.
        for done, notes in enumerate(map_forked(_keep_task, (ctx, plan, shards, chosen, keeper), range(shards), jobs), start=1):
            keeper.heard(notes)
            if progress is not None:
                progress(done, shards, f"shard {done}/{shards}")
        if cache is not None:
            cache.packs.refresh()  # the entries the workers wrote, which the join reads pieces from
        return [render_products(ctx, plan, ctx.catalog.products, None, keeper)]
    held = [p for p in ctx.catalog.products if p.id not in chosen]
    shard_parts = [render_products(ctx, plan, held, None)] if held else []
    for done, parts in enumerate(map_forked(_render_task, (ctx, plan, shards, chosen), range(shards), jobs), start=1):
        shard_parts.append(parts)
        if progress is not None:
            progress(done, shards, f"shard {done}/{shards}")
    if cache is not None:
        cache.packs.refresh()
    return shard_parts


def _shard_products(ctx: RenderContext, chosen: frozenset[str], shard: int, shards: int) -> list[Product]:
    return [p for p in ctx.catalog.products if p.id in chosen and shard_of(p.id, shards) == shard]


def _render_task(shared, shard: int) -> list[FeedPart]:
    ctx, plan, shards, chosen = shared
    return render_products(ctx, plan, _shard_products(ctx, chosen, shard, shards))


def _keep_task(shared, shard: int) -> Any:
    ctx, plan, shards, chosen, keeper = shared
    keep_products(ctx, plan, _shard_products(ctx, chosen, shard, shards), keeper)
    return keeper.notes()


# Part files carry a shard's parts between machines. They are pickles: merge only parts that your own
# build wrote (a pickle from elsewhere can run code). The header names the format, the shard and a
# checksum, so a truncated or mismatched file is refused instead of merged.


def part_file_name(shard: int, shards: int) -> str:
    return f"shard-{shard}-of-{shards}.pimpart"


def read_part_folder(folder: Path) -> list[list[FeedPart]]:
    """Every shard's parts from one folder, in shard order; ToolError unless the shards 0..N-1 are all there once."""
    found: dict[int, list[FeedPart]] = {}
    counts = set()
    for path in sorted(Path(folder).glob("*.pimpart")):
        try:
            shard, shards, parts = read_part_file(path)
        except (OSError, ValueError) as exc:
            raise ToolError(str(exc)) from None
        counts.add(shards)
        found[shard] = parts
    if not found:
        raise ToolError(f"no part files (*.pimpart) in {folder}: run pim build --shard I/N --out {folder} first")
    if len(counts) != 1:
        raise ToolError(f"{folder} holds parts of builds split {sorted(counts)} ways: keep one build's parts per folder")
    missing = sorted(set(range(counts.pop())) - set(found))
    if missing:
        raise ToolError(f"{folder} lacks shard(s) {', '.join(map(str, missing))}: build them before merging")
    return [found[shard] for shard in sorted(found)]


def write_part_file(path: Path, shard: int, shards: int, parts: list[FeedPart]) -> None:
    payload = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
    header = f"{shard} {shards} {hashlib.sha256(payload).hexdigest()}\n".encode()
    write_atomically(path, PART_MAGIC + header + payload)


def read_part_file(path: Path) -> tuple[int, int, list[FeedPart]]:
    """(shard, shards, parts); ValueError when the file is not a whole part file."""
    data = path.read_bytes()
    if not data.startswith(PART_MAGIC):
        raise ValueError(f"{path} is not a pim part file")
    header, _, payload = data[len(PART_MAGIC) :].partition(b"\n")
    try:
        shard, shards, digest = header.decode().split()
        shard_number, shard_count = int(shard), int(shards)
    except ValueError:
        raise ValueError(f"{path}: damaged header") from None
    if hashlib.sha256(payload).hexdigest() != digest:
        raise ValueError(f"{path} is damaged or incomplete (checksum mismatch): build that shard again")
    return shard_number, shard_count, pickle.loads(payload)
