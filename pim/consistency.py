"""The one-voice check: every SKU shows the same price, sale price, availability, stock, GTIN, brand
and title core in every channel that shows it.

Each channel kind writes these facts its own way; `pim.facts.READERS` reads one `Item` of each kind into
normalized facts, undoing the documented format differences. Whatever differs after that is a
problem, unless it is declared:
- the mapping says so: `differs: {price: "why"}` (pim/mapping.py, docs/mappings.md);
- the product overrides the field for that channel (`channels: {amazon: {name: ...}}`).

Comparison rules: prices and sale prices are compared per currency, titles per locale, the rest across
all markets. A channel that does not show a fact (Google has no stock, a sale not shown) is not
compared for it. Titles agree when, compared without case and separators, one is the start of the
other at a word boundary: a channel may append colour and size, or cut a long title at a word.

Severity: error. A product that shows two prices is a broken promise to the customer (and Google
disapproves items whose price differs from the landing page), so the build writes nothing until the
mapping is fixed or the difference is declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, NamedTuple, Protocol, Sequence

from pim.catalog import Catalog
from pim.facts import READERS, Fact, Reader
from pim.feed import Feed, FeedInfo, Item
from pim.mapping import MAPPINGS, CompiledMapping
from pim.model import Product
from pim.problems import Location, Problem
from pim.workers import jobs_for, map_forked

# A product's `channels:` override of these fields declares a difference of these facts.
OVERRIDE_FACTS = {"name": ("title",), "brand": ("brand",), "price": ("price", "sale_price"), "sale": ("sale_price",)}


# --- comparing ------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-–—,|/:;·]+")


@lru_cache(maxsize=1 << 16)
def _title_core(text: str) -> str:
    return _SEPARATORS.sub(" ", text).strip().casefold()


def _agree(fact: str, a: Any, b: Any) -> bool:
    """Whether two comparable values (`_comparable`: titles already reduced to their core) agree."""
    if fact == "availability":
        return bool(a & b)
    if fact == "title":
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        return long.startswith(short) and (len(long) == len(short) or long[len(short)] == " ")
    return a == b


class Observation(NamedTuple):
    """One fact of one SKU as one feed shows it (a tuple: there is one per fact, channel and SKU)."""

    feed: str  # channel/market
    channel: str
    product_id: str
    fact: Fact
    declared: str | None = None  # why this channel may differ (mapping `differs:` or a product override), else None


Key = tuple[str, str, "str | None"]  # (sku, fact, currency or locale)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A fact of a SKU that channels show differently, with nothing declaring it."""

    sku: str
    product_id: str
    fact: str
    scope: str | None  # the currency (prices) or locale (titles) compared in
    reference: Observation  # the value most channels agree with
    agreeing: tuple[Observation, ...]
    dissenting: tuple[Observation, ...]


class Remembered(Protocol):
    """Findings kept between builds, per product (`pim.item_cache.RememberedChecks`)."""

    def key(self, product: Product, kept: bytes) -> bytes | None: ...
    def get(self, key: bytes | None) -> list[Problem] | None: ...
    def remember(self, key: bytes | None, problems: list[Problem]) -> None: ...
    def save(self) -> None: ...


def check_consistency(feeds: Sequence[Feed], mappings: Sequence[CompiledMapping], catalog: Catalog, jobs: int | None = 1, remembered: Remembered | None = None) -> list[Problem]:
    """Every SKU against itself across channels: one PIM501 per SKU, fact and currency (or locale) that disagree.

    Products are independent of each other here, so `jobs` processes (None: as many as the products to
    check call for) each take a slice of them (the feeds, grouped by product once here, reach the
    workers by fork; only the problems come back). With `remembered`, a product whose file, build
    context and kept items are as in the last build is not checked again: its findings are read back."""
    readable = _readable(feeds, mappings)
    keys = {p.id: remembered.key(p, _kept(readable, p.id)) for p in catalog.products} if remembered else {}
    known = {pid: found for pid, key in keys.items() if (found := remembered.get(key)) is not None} if remembered else {}
    to_check = [p for p in catalog.products if p.id not in known]
    jobs = jobs_for(len(to_check), jobs)
    count = max(1, min(jobs, len(to_check)))
    slices = [to_check[start::count] for start in range(count)]
    checked = dict(pair for pairs in map_forked(_check_slice, (readable, mappings, catalog), slices, jobs) for pair in pairs)
    if remembered is not None:
        for product_id, key in keys.items():
            remembered.remember(key, known.get(product_id) or checked.get(product_id, []))
        remembered.save()
    found = [problem for problems in (*known.values(), *checked.values()) for problem in problems]
    return sorted(found, key=Problem.sort_key)


def check_products(feeds: Sequence[Feed], mappings: Sequence[CompiledMapping], catalog: Catalog, products: Sequence[Product]) -> dict[str, list[Problem]]:
    """The findings of these products alone, from feeds that hold their items (a product's findings
    never depend on another's items): what a streamed build checks as it renders each product."""
    return dict(_check_slice((_readable(feeds, mappings), mappings, catalog), products))


def _kept(readable: list[_Readable], product_id: str) -> bytes:
    """The ids of a product's items each feed kept: rules across items (a shared id) may drop some."""
    return "\n".join(f"{name}\t{' '.join(item.id for item in items.get(product_id, ()))}" for _, name, _, _, items in readable).encode()


def _check_slice(shared, products: Sequence[Product]) -> list[tuple[str, list[Problem]]]:
    """(product id, its problems) for every product of the slice, those without any included."""
    readable, mappings, catalog = shared
    by_name = {m.name: m for m in mappings}
    found: dict[str, list[Problem]] = {p.id: [] for p in products}
    for product in products:
        seen, shown = _seen(readable, catalog, product)
        disagreeing = [key for key, entries in seen.items() if not _alike(entries)]
        if disagreeing:  # rare: only now are the observations made
            observed = {key: _observations(product.id, key[1], seen[key], shown) for key in disagreeing}
            found[product.id] = [_problem(d, by_name) for d in find_disagreements(observed)]
    return list(found.items())


def observe_facts(feeds: Iterable[Feed], mappings: Iterable[CompiledMapping], catalog: Catalog, products: Sequence[Product] | None = None) -> Iterator[dict[Key, list[Observation]]]:
    """Per product (in catalog order), every fact each feed with a reader shows, by SKU, fact and scope.

    One product at a time, so that a large catalog never holds every observation at once."""
    return (seen for _, seen in _observe(_readable(feeds, mappings), catalog, catalog.products if products is None else products))


_Readable = tuple[Feed, str, Reader, CompiledMapping, dict[str, list[Item]]]  # a feed, its name, reader, mapping, items by product


def _readable(feeds: Iterable[Feed], mappings: Iterable[CompiledMapping]) -> list[_Readable]:
    by_name = {m.name: m for m in mappings}
    readable = []
    for feed in feeds:
        if feed.info.kind in READERS and feed.info.channel in by_name:
            items: dict[str, list[Item]] = {}
            for item in feed.items:
                items.setdefault(item.product_id, []).append(item)
            readable.append((feed, feed.name, READERS[feed.info.kind], by_name[feed.info.channel], items))
    return readable


# What one product's feeds show, before it is compared: per key, each fact with the number of the feed
# that shows it (`_Shown`). Most facts agree everywhere, so an Observation is made only where they differ.
_Seen = dict[Key, list[tuple[Fact, int]]]
_Shown = list[tuple[str, str, dict, dict]]  # per feed showing the product: name, channel, mapping `differs:`, product overrides


def _seen(readable: list[_Readable], catalog: Catalog, product: Product) -> tuple[_Seen, _Shown]:
    seen: _Seen = {}
    shown: _Shown = []
    for feed, feed_name, reader, mapping, items in readable:
        mine = items.get(product.id)
        if not mine:
            continue
        info = feed.info
        overrides = product.channels.get(info.channel, {})
        overridden = {fact: f"{catalog.product_files.get(product.id)} overrides {key} for {info.channel}" for key in overrides for fact in OVERRIDE_FACTS.get(key, ())}
        number = len(shown)
        shown.append((feed_name, info.channel, mapping.differs, overridden))
        for item in mine:
            for sku, facts in reader(item, info):
                for name, fact in facts.items():
                    key = (sku, name, _scope(name, fact, info))
                    entries = seen.get(key)
                    if entries is None:
                        seen[key] = [(fact, number)]
                    else:
                        entries.append((fact, number))
    return seen, shown


def _alike(entries: list[tuple[Fact, int]]) -> bool:
    first = entries[0][0].value
    return all(fact.value == first for fact, _ in entries)


def _observations(product_id: str, name: str, entries: list[tuple[Fact, int]], shown: _Shown) -> list[Observation]:
    made = []
    for fact, number in entries:
        feed_name, channel, differs, overridden = shown[number]
        made.append(Observation(feed_name, channel, product_id, fact, differs.get(name) or overridden.get(name)))
    return made


def _observe(readable: list[_Readable], catalog: Catalog, products: Iterable[Product]) -> Iterator[tuple[Product, dict[Key, list[Observation]]]]:
    for product in products:
        seen, shown = _seen(readable, catalog, product)
        if seen:
            yield product, {key: _observations(product.id, key[1], entries, shown) for key, entries in seen.items()}


def find_disagreements(observed: dict[Key, list[Observation]]) -> list[Disagreement]:
    found = []
    for (sku, name, scope), every in observed.items():
        first = every[0].fact.value
        if all(o.fact.value == first for o in every):  # most facts: shown alike everywhere
            continue
        observations = [o for o in every if o.declared is None]
        if len({o.channel for o in observations}) < 2 or len({_comparable(name, o.fact.value) for o in observations}) < 2:
            continue
        reference, agreeing, dissenting = _split(name, observations)
        if dissenting:
            found.append(Disagreement(sku, reference.product_id, name, scope, reference, agreeing, dissenting))
    return found


def _comparable(name: str, value: Any) -> Any:
    return _title_core(value) if name == "title" else value  # _title_core remembers: a title shows in every feed


def _split(name: str, observations: list[Observation]) -> tuple[Observation, tuple[Observation, ...], tuple[Observation, ...]]:
    """The reference value, the largest group that agrees with it and with each other, and the rest.

    Titles and availabilities agree without being equal ("Trail Jacket" agrees with "Trail Jacket - M"
    and with "Trail Jacket Pro", which disagree), so the group is built greedily over the distinct
    values: the value most observations agree with first, then the more specific title, then feed
    order (channels sort by name)."""
    distinct: dict[Any, list[Observation]] = {}
    for observation in observations:
        distinct.setdefault(_comparable(name, observation.fact.value), []).append(observation)
    values = list(distinct)
    support = {v: sum(len(distinct[w]) for w in values if _agree(name, v, w)) for v in values}
    ranked = sorted(range(len(values)), key=lambda i: (-support[values[i]], -len(str(values[i])) if name == "title" else 0, i))
    kept: list[Any] = []
    for index in ranked:
        value = values[index]
        if all(_agree(name, value, other) for other in kept):
            kept.append(value)
    reference = distinct[kept[0]][0]
    agreeing = tuple(o for o in observations if _comparable(name, o.fact.value) in kept)
    return reference, agreeing, tuple(o for o in observations if o not in agreeing)


def _scope(name: str, fact: Fact, info: FeedInfo) -> str | None:
    if name in ("price", "sale_price"):
        return fact.value[1] if isinstance(fact.value, tuple) else info.currency
    if name == "title":
        return info.locale
    return None


def _problem(found: Disagreement, mappings: dict[str, CompiledMapping]) -> Problem:
    label = f"{found.fact} ({found.scope})" if found.scope else found.fact
    message = (f"{found.sku}: channels disagree about the {label}: {_values(found.dissenting)} against {_values(found.agreeing)}: "
               f"make the mappings agree, or declare the difference (differs: {{{found.fact}: why}} in the mapping, or a channels: override in the product)")
    places = list(dict.fromkeys(_where(mappings[o.channel], o.fact.field) for o in [*found.dissenting, found.reference]))
    return Problem("PIM501", message, places[0], related=tuple(places[1:]))


def _values(observations: Iterable[Observation]) -> str:
    """'129.00 USD' in google/US, meta/US; '139.00 USD' in shopify/US"""
    feeds: dict[str, list[str]] = {}
    for observation in observations:
        feeds.setdefault(observation.fact.shown, []).append(observation.feed)
    return "; ".join(f"{value!r} in {', '.join(names)}" for value, names in feeds.items())


def _where(mapping: CompiledMapping, field: str) -> Location:
    """The mapping line that sets the field, else the mapping file."""
    return mapping.locations.get(f"fields.{field}") or Location(f"{MAPPINGS}/{mapping.name}.yaml", 1, 1)
