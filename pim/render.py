"""Applying a compiled mapping to the catalog for one market: a Feed, with excluded items and why."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Sequence

from jinja2.exceptions import SecurityError

from pim.catalog import Catalog, Locator
from pim.feed import Exclusion, Feed, FeedInfo, Item
from pim.mapping import CompiledMapping
from pim.model import Product
from pim.problems import WARNING_CODES, Problem, Severity
from pim.records import MarketView, ViewBuilder, market_view, with_overrides
from pim.rules import ChannelRules, Violation, check_item
from pim.sources import Source
from pim.writers.table import FIELD_NAMES

# FeedInfo.options key: the project's files, for rules and writers that embed them (print: template, images).
PROJECT_FILES = "project_files"


@dataclass(frozen=True)
class ProjectFiles:
    """Read-only access to the project's files. Compares and prints the same whatever the source, so
    `pim diff` sees no change in it: what a writer embeds shows up in the items that name the files."""

    source: Source = field(compare=False, repr=False)

    def read(self, relpath: str) -> bytes | None:
        return self.source.read(relpath)


@dataclass
class RenderContext:
    catalog: Catalog
    locator: Locator
    views: ViewBuilder
    build_time: str
    # Rule findings that leave the item in its feed (WARNING_CODES), located like exclusions.
    warnings: list[Problem] = field(default_factory=list)
    item_cache: Any = None  # pim.item_cache.ItemCache: each product's rendered items, when kept
    # (mapping name, market) -> (market view, feed info): made once, not once per product
    prepared: dict[tuple[str, str | None], tuple[MarketView, FeedInfo]] = field(default_factory=dict)


@dataclass
class FeedPart:
    """The items some products give one channel in one market: what a shard renders and a merge joins."""

    info: FeedInfo | None  # None while a part travels between processes
    items: list[Item]
    excluded: list[Exclusion]
    warnings: list[Problem]


def feed_info(ctx: RenderContext, mapping: CompiledMapping, market_code: str | None) -> FeedInfo:
    settings = ctx.catalog.settings
    market = _market(ctx.catalog, market_code)
    return FeedInfo(
        channel=mapping.name,
        kind=mapping.kind,
        format=mapping.format,
        market=market_code,
        country=market.country,
        locale=market.locale,
        currency=market.currency,
        title=mapping.title or f"{settings.shop.name} - {mapping.name}",
        link=settings.shop.url,
        description=mapping.description or f"{settings.shop.name} product feed for {mapping.name}" + (f" ({market_code})" if market_code else ""),
        build_time=ctx.build_time,
        options={**mapping.options, **_field_names(mapping), PROJECT_FILES: ProjectFiles(ctx.locator.source)},
    )


def _field_names(mapping: CompiledMapping) -> dict[str, tuple[str, ...]]:
    """Without parent rows every item has the mapping's fields in its order: table writers may take
    their columns from it instead of from the first item (a streamed build never holds that item)."""
    return {} if mapping.parent_fields is not None else {FIELD_NAMES: mapping.fields.names}


def render_part(ctx: RenderContext, mapping: CompiledMapping, rules: ChannelRules, market_code: str | None, products: Sequence[Product]) -> FeedPart:
    """Each product's items, checked one by one against the channel's rules; `products` in catalog order."""
    settings = ctx.catalog.settings
    if (mapping.name, market_code) not in ctx.prepared:
        ctx.prepared[(mapping.name, market_code)] = (_market(ctx.catalog, market_code), feed_info(ctx, mapping, market_code))
    market, info = ctx.prepared[(mapping.name, market_code)]
    shop = {"name": settings.shop.name, "url": settings.shop.url}
    build = {"time": ctx.build_time, "date": ctx.build_time[:10]}
    part = FeedPart(info, [], [], [])
    for source_product in products:
        product = with_overrides(source_product, mapping.name)
        product_view = ctx.views.product(product, market)
        base = {"product": product_view, "market": market, "shop": shop, "build": build}
        if mapping.include is not None and not mapping.include(base):
            continue
        for item, record in _items(ctx, mapping, rules, product, product_view, base, market):
            violations = record if isinstance(record, list) else check_item(rules, item, info)
            for note in (v for v in violations if v.code in WARNING_CODES):
                part.warnings.append(replace(_locate(ctx, mapping, product, item, note, market), severity=Severity.WARNING))
            violations = [v for v in violations if v.code not in WARNING_CODES]
            if violations:
                located = tuple(_locate(ctx, mapping, product, item, v, market) for v in violations)
                part.excluded.append(Exclusion(item.id, product.id, located))
            else:
                part.items.append(item)
    return part


def finish_feed(ctx: RenderContext, mapping: CompiledMapping, rules: ChannelRules, part: FeedPart) -> Feed:
    """The rules that look across items (unique ids, per-feed checks), applied to a whole market's items."""
    catalog, info, market = ctx.catalog, part.info, _market(ctx.catalog, part.info.market)
    items, duplicates = _drop_duplicates(ctx, mapping, part.items)
    excluded = [*part.excluded, *duplicates]
    for check in rules.feed_checks:
        bad = {item_id: violation for item_id, violation in check(items, info)}
        if bad:
            by_id = {item.id: item for item in items}
            products = {p.id: p for p in catalog.products}
            for item_id, violation in sorted(bad.items()):
                item = by_id[item_id]
                product = with_overrides(products[item.product_id], mapping.name)
                excluded.append(Exclusion(item_id, item.product_id, (_locate(ctx, mapping, product, item, violation, market),)))
            items = [item for item in items if item.id not in bad]
    return Feed(info, tuple(items), tuple(excluded))


def _market(catalog: Catalog, market_code: str | None) -> MarketView:
    return market_view(catalog, market_code, catalog.settings.markets[market_code]) if market_code else _default_market(catalog)


def _default_market(catalog: Catalog) -> MarketView:
    code, market = next(iter(catalog.settings.markets.items()))
    return market_view(catalog, code, market)


def _items(ctx: RenderContext, mapping: CompiledMapping, rules: ChannelRules, product: Product, product_view: dict, base: dict, market: MarketView) -> Iterator[tuple[Item, Any]]:
    variant_contexts = []
    for index, variant in enumerate(product.variants):
        variant_view = ctx.views.variant(product, variant, market)
        context = {**base, "variant": variant_view, "item": ctx.views.item(product_view, variant_view), "variant_index": index}
        if mapping.include_variant is None or mapping.include_variant(context):
            variant_contexts.append(context)
    if not variant_contexts:
        return
    if mapping.item == "product":
        context = {**base, "variants": [c["item"] for c in variant_contexts]}
        yield _evaluate(mapping, rules, mapping.fields, context, product.id, product.id, None, "product")
        return
    if mapping.parent_fields is not None and product_view["axes"]:  # a product without axes has no parent row
        yield _evaluate(mapping, rules, mapping.parent_fields, {**base, "variants": [c["item"] for c in variant_contexts]}, product.id, product.id, None, "parent")
    shared = _shared_values(mapping.fields, base)
    for context in variant_contexts:
        yield _evaluate(mapping, rules, mapping.fields, context, context["variant"]["sku"], product.id, product.id, "variant", shared)


def _shared_values(fields, base: dict) -> Any:
    """What the fields read only of the product, evaluated once for all its variants; None when nothing
    is, or when a part fails: each item then evaluates every field and finds the failing ones."""
    if fields.evaluate_shared is None:
        return None
    try:
        return fields.evaluate_shared(base)
    except Exception:  # noqa: BLE001 - a user's expression failed; each item reports it located
        return None


def _evaluate(mapping: CompiledMapping, rules: ChannelRules, fields, context: dict, item_id: str, product_id: str, group_id: str | None, level: str, shared: Any = None) -> tuple[Item, Any]:
    try:
        values = fields.evaluate_all(context) if shared is None else fields.evaluate_own(context, shared)
    except Exception:  # noqa: BLE001 - a user's expression failed; find which field, report it located
        violations = []
        for index, name in enumerate(fields.names):
            try:
                fields.evaluate_one(index, context)
            except SecurityError:
                violations.append(Violation(name, "PIM403", f"the expression for {name} reaches outside the sandbox: read record fields only"))
            except Exception as exc:  # noqa: BLE001
                violations.append(Violation(name, "PIM404", f"the expression for {name} failed: {exc}: fix it in the mapping"))
        return Item(item_id, {}, product_id, group_id, level), violations or [Violation("id", "PIM404", "the mapping failed on this item")]
    values_by_name = dict(zip(fields.names, values))
    for name in mapping.truncate:
        limit = rules.max_length.get(name)
        if limit and isinstance(values_by_name.get(name), str):
            values_by_name[name] = truncate_words(values_by_name[name], limit)
    return Item(item_id, values_by_name, product_id, group_id, level), None


def truncate_words(text: str, limit: int) -> str:
    """Cut at the last word boundary that fits, never inside a word (unless one word is longer)."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    head = cut[:space] if space > 0 else text[:limit]
    return head.rstrip(" ,;:-–")


def _drop_duplicates(ctx: RenderContext, mapping: CompiledMapping, items: list[Item]) -> tuple[list[Item], list[Exclusion]]:
    if len({item.id for item in items}) == len(items):  # the usual case, found in one pass
        return items, []
    seen: dict[str, Item] = {}
    kept, excluded = [], []
    for item in items:
        if item.id in seen:
            where = ctx.locator.at(ctx.catalog.product_files[item.product_id], ("id",))
            message = f"{item.id}: item id also used by product {seen[item.id].product_id}: make the ids unique in the catalog or the mapping"
            excluded.append(Exclusion(item.id, item.product_id, (Problem("PIM313", message, where),)))
        else:
            seen[item.id] = item
            kept.append(item)
    return kept, excluded


_FIELD_HEAD = re.compile(r"^[^.\[]+")


def _locate(ctx: RenderContext, mapping: CompiledMapping, product: Product, item: Item, violation: Violation, market: MarketView) -> Problem:
    """The problem at the catalog value that produced the field, with the mapping line as related."""
    relpath = ctx.catalog.product_files[product.id]
    field_name = _FIELD_HEAD.match(violation.field).group(0) if _FIELD_HEAD.match(violation.field) else violation.field
    section = "parent_fields" if item.level == "parent" else "fields"
    mapping_at = mapping.locations.get(f"{section}.{field_name}")
    path: tuple = ("id",)
    for reference in mapping.references.get(field_name, []):
        path = _catalog_path(product, item, reference, mapping.name, market)
        break
    location = ctx.locator.at(relpath, path)
    return Problem(violation.code, f"{item.id}: {violation.message}", location, related=(mapping_at,) if mapping_at else ())


def _catalog_path(product: Product, item: Item, reference: tuple[str, ...], channel: str, market: MarketView) -> tuple:
    root, *rest = reference
    if not rest:
        return ("id",)
    variant_index = next((i for i, v in enumerate(product.variants) if v.sku == item.id), None)
    name = rest[0]
    if root in ("variant", "item") and variant_index is not None:
        variant = product.variants[variant_index]
        own = name in variant.axis_values or (name in type(variant).model_fields and getattr(variant, name) is not None)
        if root == "variant" or own:
            return ("variants", variant_index, *rest[:2]) if name == "attributes" else ("variants", variant_index, name)
    overridden = name in product.channels.get(channel, {})
    prefix: tuple = ("channels", channel) if overridden else ()
    if name in ("name", "description"):
        value = getattr(product, name)
        locale = next((loc for loc in market.chain if isinstance(value, dict) and loc in value), None)
        return (*prefix, name, locale) if locale else (*prefix, name)
    if name in ("price",):
        return (*prefix, "price", market.currency)
    if name == "sale":
        return (*prefix, "sale", "price", market.currency)
    if name == "attributes" and len(rest) > 1:
        return (*prefix, "attributes", rest[1])
    if name in ("category", "categories"):
        return ("categories", 0)
    if name in Product.model_fields:  # the product may be an UntypedProduct
        return (*prefix, name)
    return ("id",)
