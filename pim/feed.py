"""The Feed: format-neutral rows that a mapping decides and a writer formats. The seam between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from pim.problems import Problem

# A field value: str, int, bool, Decimal, None, or lists / dicts of those (Amazon attributes, shipping).
Value = Any


@dataclass(frozen=True, slots=True)
class Item:
    """One row of a feed: usually one SKU, or one product for product-level channels."""

    id: str
    fields: Mapping[str, Value]
    product_id: str
    group_id: str | None = None
    # "variant", "product" (one item for the whole product) or "parent" (a parent row before its variants)
    level: str = "variant"

    def __reduce__(self):  # rendered items travel from worker processes: a constructor call unpickles in half the time
        return (Item, (self.id, self.fields, self.product_id, self.group_id, self.level))


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An item left out of one channel's feed, and why."""

    item_id: str
    product_id: str
    problems: tuple[Problem, ...]

    def __reduce__(self):
        return (Exclusion, (self.item_id, self.product_id, self.problems))


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What a writer needs besides the items: where, for whom, and when."""

    channel: str  # mapping name, e.g. "google"
    kind: str  # built-in channel kind: rules and defaults, e.g. "google-merchant"
    format: str  # writer registry key, e.g. "google-rss"
    market: str | None = None  # market code, e.g. "US"
    country: str | None = None
    locale: str | None = None  # BCP 47, e.g. "en-US"
    currency: str | None = None
    title: str = ""
    link: str = ""
    description: str = ""
    build_time: str = "1970-01-01T00:00:00Z"  # from the commit or SOURCE_DATE_EPOCH, never the clock
    options: Mapping[str, Value] = field(default_factory=dict)  # writer options from the mapping


@dataclass(frozen=True, slots=True)
class Feed:
    info: FeedInfo
    items: tuple[Item, ...]
    excluded: tuple[Exclusion, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.info.channel}/{self.info.market}" if self.info.market else self.info.channel
