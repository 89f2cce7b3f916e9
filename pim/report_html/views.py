"""What the report shows, as plain rows for the templates: readiness per feed, completeness,
exclusions by reason, disagreements, declared differences and each product as every channel shows it."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pim.build import BuildResult, summary_rows
from pim.catalog import Catalog
from pim.completeness import compute_completeness
from pim.consistency import OVERRIDE_FACTS, Disagreement, Observation, find_disagreements, observe_facts
from pim.facts import FACTS
from pim.feed import Feed, Item
from pim.localize import localized_text
from pim.mapping import CompiledMapping
from pim.problems import CODES, Location, Problem, Severity


@dataclass(frozen=True, slots=True)
class Link:
    """A place in the project: shown as `path:line`, linked relative to the page that shows it."""

    text: str
    href: str


@dataclass
class Inputs:
    """Everything the report is made from: one in-memory build, its catalog and mappings."""

    root: Path  # the project folder, for links to its files
    build: BuildResult
    catalog: Catalog | None
    mappings: list[CompiledMapping]
    build_time: str


@dataclass
class ProductPage:
    id: str
    file: str  # relative to report/products/
    name: str
    source: Link | None  # the product's catalog file, from its page
    index_source: Link | None  # the same, from the index
    feeds: int = 0
    excluded: list[dict] = field(default_factory=list)
    disagreements: int = 0
    skus: list[dict] = field(default_factory=list)  # per SKU: rows of facts per feed
    renders: list[dict] = field(default_factory=list)  # per feed: the items as the channel renders them


def link(root: Path, page_dir: Path, location: Location) -> Link:
    href = os.path.relpath(root / location.path, page_dir).replace(os.sep, "/")
    return Link(f"{location.path}:{location.line}" if location.line else location.path, href)


def overview(inputs: Inputs) -> dict:
    """Channels x markets: per channel a row, per market its items, excluded items and warnings (None: no feed there)."""
    feeds = {feed.info.channel: feed.info for feed in inputs.build.feeds}
    settings = list(inputs.catalog.settings.markets) if inputs.catalog else []
    rows: dict[str, dict] = {}
    markets: list[str] = []
    for channel, market, ready, excluded, warnings in summary_rows(inputs.build):
        markets.append(market)
        row = rows.setdefault(channel, {"channel": channel, "kind": feeds[channel].kind, "format": feeds[channel].format, "cells": {}})
        row["cells"][market] = {"ready": ready, "excluded": excluded, "warnings": warnings}
    order = sorted(set(markets), key=lambda m: (settings.index(m) if m in settings else len(settings), m))
    return {"markets": order, "rows": [{**row, "cells": [row["cells"].get(m) for m in order]} for row in rows.values()]}


def completeness(catalog: Catalog | None) -> list[dict]:
    """Per channel x locale: products counted, complete ones, the mean percentage and what is missing most."""
    if catalog is None:
        return []
    groups: dict[tuple[str, str], list] = {}
    for row in compute_completeness(catalog):
        groups.setdefault((row.channel, row.locale), []).append(row)
    result = []
    for (channel, locale), rows in sorted(groups.items()):
        missing = Counter(name for row in rows for name in row.missing)
        result.append({
            "channel": channel,
            "locale": locale,
            "products": len(rows),
            "complete": sum(not row.missing for row in rows),
            "percent": round(sum(row.percent for row in rows) / len(rows)),
            "missing": ", ".join(f"{name} ({count})" for name, count in sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))[:4]),
        })
    return result


def exclusions(inputs: Inputs, page_dir: Path, pages: dict[str, ProductPage]) -> list[dict]:
    """Exclusions grouped by reason (problem code), with the catalog value and the mapping line behind each."""
    groups: dict[str, list[dict]] = {}
    for feed in inputs.build.feeds:
        for exclusion in feed.excluded:
            for problem in exclusion.problems:
                groups.setdefault(problem.code, []).append({
                    "feed": feed.name,
                    "item": exclusion.item_id,
                    "product": exclusion.product_id,
                    "page": f"products/{pages[exclusion.product_id].file}" if exclusion.product_id in pages else None,
                    "message": problem.message,
                    "where": link(inputs.root, page_dir, problem.location),
                    "mapping": link(inputs.root, page_dir, problem.related[0]) if problem.related else None,
                })
    return [{"code": code, "meaning": CODES.get(code, ""), "rows": rows} for code, rows in sorted(groups.items())]


def disagreement_rows(found: list[Disagreement], inputs: Inputs, page_dir: Path, pages: dict[str, ProductPage]) -> list[dict]:
    by_name = {m.name: m for m in inputs.mappings}
    rows = []
    for d in found:
        mapping = by_name[d.dissenting[0].channel]
        where = mapping.locations.get(f"fields.{d.dissenting[0].fact.field}") or Location(f"mappings/{mapping.name}.yaml")
        rows.append({
            "sku": d.sku,
            "product": d.product_id,
            "page": f"products/{pages[d.product_id].file}" if d.product_id in pages else None,
            "fact": f"{d.fact} ({d.scope})" if d.scope else d.fact,
            "dissenting": _values(d.dissenting),
            "agreeing": _values(d.agreeing),
            "where": link(inputs.root, page_dir, where),
        })
    return sorted(rows, key=lambda r: (r["product"], r["sku"], r["fact"]))


def _values(observations: tuple[Observation, ...]) -> list[tuple[str, str]]:
    feeds: dict[str, list[str]] = {}
    for observation in observations:
        feeds.setdefault(observation.fact.shown, []).append(observation.feed)
    return [(value, ", ".join(names)) for value, names in feeds.items()]


def declared(inputs: Inputs, page_dir: Path) -> list[dict]:
    """Every difference a mapping or a product declares, with its reason."""
    rows = [
        {"channel": m.name, "fact": fact, "scope": "every product", "reason": reason, "where": link(inputs.root, page_dir, Location(f"mappings/{m.name}.yaml"))}
        for m in inputs.mappings
        for fact, reason in sorted(m.differs.items())
    ]
    channels = {m.name for m in inputs.mappings}
    for product in inputs.catalog.products if inputs.catalog else []:
        for channel, overrides in sorted(product.channels.items()):
            facts = [fact for key in overrides for fact in OVERRIDE_FACTS.get(key, ())]
            if channel in channels and facts:
                rows.append({"channel": channel, "fact": ", ".join(dict.fromkeys(facts)), "scope": product.id,
                             "reason": f"the product overrides {', '.join(sorted(overrides))} for {channel}",
                             "where": link(inputs.root, page_dir, Location(inputs.catalog.product_files[product.id]))})
    return rows


def other_problems(problems: list[Problem], root: Path, page_dir: Path) -> list[dict]:
    return [
        {"where": link(root, page_dir, p.location), "code": p.code, "severity": p.severity.value, "message": p.message}
        for p in sorted(problems, key=Problem.sort_key)
        if p.code != "PIM501"
    ]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def product_pages(inputs: Inputs, page_dir: Path) -> dict[str, ProductPage]:
    """One page per product of the catalog, in catalog order, with a file name safe on every system."""
    catalog = inputs.catalog
    if catalog is None:
        return {}
    pages: dict[str, ProductPage] = {}
    used: set[str] = set()
    locale = next(iter(catalog.settings.locales))
    for product in catalog.products:
        stem = _UNSAFE.sub("_", product.id) or "product"
        while stem.lower() in used:  # case-insensitive file systems
            stem += "_"
        used.add(stem.lower())
        name = localized_text(product.name, (locale,), catalog.content) or product.id
        source = catalog.product_files.get(product.id)
        links = [link(inputs.root, folder, Location(source)) if source else None for folder in (page_dir, page_dir.parent)]
        pages[product.id] = ProductPage(product.id, f"{stem}.html", name, *links)
    return pages


def fill_product_pages(inputs: Inputs, pages: dict[str, ProductPage], found: list[Disagreement], page_dir: Path) -> None:
    """Side by side: each SKU's facts per feed (differences marked), then each feed's items as rendered."""
    if inputs.catalog is None:
        return
    dissent = {(d.sku, d.fact, o.feed) for d in found for o in d.dissenting}
    markets = list(inputs.catalog.settings.markets)
    # Rows by market, then channel: a market's channels side by side, as its customers meet them.
    order = {f.name: (markets.index(f.info.market) if f.info.market in markets else len(markets), f.info.channel) for f in inputs.build.feeds}
    for product_id, count in Counter(d.product_id for d in found).items():
        if product_id in pages:
            pages[product_id].disagreements = count
    for observed in observe_facts(inputs.build.feeds, inputs.mappings, inputs.catalog):
        skus: dict[str, dict[str, dict[str, dict]]] = {}  # sku -> feed -> fact -> cell
        product_id = None
        for (sku, fact, _scope), observations in observed.items():
            for o in observations:
                product_id = o.product_id
                state = "declared" if o.declared else "differs" if (sku, fact, o.feed) in dissent else ""
                skus.setdefault(sku, {}).setdefault(o.feed, {})[fact] = {"shown": o.fact.shown, "state": state, "why": o.declared or ""}
        if product_id in pages:
            pages[product_id].skus = [
                {"sku": sku, "rows": [{"feed": feed, "cells": [feeds[feed].get(fact) for fact in FACTS]} for feed in sorted(feeds, key=order.get)]}
                for sku, feeds in skus.items()
            ]
    for feed in inputs.build.feeds:
        by_product: dict[str, list[Item]] = {}
        for item in feed.items:
            by_product.setdefault(item.product_id, []).append(item)
        for product_id, items in by_product.items():
            if product_id in pages:
                pages[product_id].feeds += 1
                pages[product_id].renders.append(_render(feed, items))
        for exclusion in feed.excluded:
            if exclusion.product_id in pages:
                for problem in exclusion.problems:
                    pages[exclusion.product_id].excluded.append({"feed": feed.name, "item": exclusion.item_id, "code": problem.code, "message": problem.message, "where": link(inputs.root, page_dir, problem.location)})


def _render(feed: Feed, items: list[Item]) -> dict:
    """One feed's items of a product: a row per field, a column per item."""
    names = list(dict.fromkeys(name for item in items for name in item.fields))
    return {
        "feed": feed.name,
        "kind": feed.info.kind,
        "columns": [item.id for item in items],
        "rows": [{"field": name, "cells": [show(item.fields.get(name)) for item in items]} for name in names],
    }


def show(value: Any) -> str:
    """A field value as text: lists and objects as compact JSON, nothing as an empty cell."""
    if value is None or value == "":
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def totals(inputs: Inputs, found: list[Disagreement]) -> dict:
    problems = inputs.build.problems
    return {
        "feeds": len(inputs.build.feeds),
        "ready": sum(len(f.items) for f in inputs.build.feeds),
        "excluded": inputs.build.exclusions,
        "errors": sum(p.severity is Severity.ERROR for p in problems),
        "warnings": sum(p.severity is Severity.WARNING for p in problems),
        "disagreements": len(found),
    }


def disagreements(inputs: Inputs) -> list[Disagreement]:
    if inputs.catalog is None:
        return []
    return [d for observed in observe_facts(inputs.build.feeds, inputs.mappings, inputs.catalog) for d in find_disagreements(observed)]
