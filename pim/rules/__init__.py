"""Channel rules: what one channel accepts for one feed item, as declarative parts plus channel logic.

Each channel kind has a module here defining `RULES: ChannelRules`. `check_item` runs the generic
checks the rules declare, then the channel's own `extra` checks, and returns `Violation`s. The
engine turns each into a located problem and leaves the item out of that channel's feed only.
Feed-wide rules (ids that collide across items) run through `check_feed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Mapping, Sequence

from pim.feed import FeedInfo, Item, Value
from pim.gtin import gtin_problem
from pim.rules.formats import date_problem, date_range_problem, parse_price, url_problem


@dataclass(frozen=True, slots=True)
class Violation:
    field: str  # the item field at fault, or a path into it: "attributes.item_name", "variants[2].price"
    code: str  # one of PIM301..PIM313
    message: str  # one sentence: what is wrong and what to change


Check = Callable[[Item, FeedInfo], Iterable[Violation]]
FeedCheck = Callable[[Sequence[Item], FeedInfo], Iterable[tuple[str, Violation]]]

# Most channels: amount with two decimals, one space, ISO 4217 code ("15.00 USD", [S9]).
PRICE = re.compile(r"^(?P<amount>\d+\.\d{2}) (?P<currency>[A-Z]{3})$")


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity: one object per kind
class ChannelRules:
    channel: str  # the name people know, used in messages: "Google", "Meta"
    required: tuple[str, ...] = ()  # present and not blank
    # Length in characters. Text fields only: the engine truncates these when a mapping asks for it.
    max_length: Mapping[str, int] = field(default_factory=dict)
    # Length limits of identifiers (id, item_group_id): checked the same way but never truncated,
    # since a cut id could collide with another or stop matching the item already on the channel.
    id_length: Mapping[str, int] = field(default_factory=dict)
    enums: Mapping[str, frozenset[str]] = field(default_factory=dict)
    enums_ignore_case: frozenset[str] = frozenset()  # enum fields the channel reads in any case
    prices: tuple[str, ...] = ()  # fields holding a price string
    price_format: re.Pattern[str] = PRICE  # groups `amount` and `currency` (currency may be optional)
    price_example: str = "15.00 USD"
    default_currency: str | None = None  # the currency a channel assumes when a price names none
    sale_price: tuple[str, str] | None = None  # (sale field, regular field): sale must be below
    dates: tuple[str, ...] = ()  # ISO 8601 date or date-time
    date_ranges: tuple[str, ...] = ()  # ISO 8601 `start/end`
    # URL fields -> maximum length (None: no published limit). Kept apart from max_length so that
    # nothing ever truncates an address.
    links: Mapping[str, int | None] = field(default_factory=dict)
    image_links: Mapping[str, int | None] = field(default_factory=dict)  # reported as image problems
    max_values: Mapping[str, int] = field(default_factory=dict)  # list fields -> most entries allowed
    separators: Mapping[str, str] = field(default_factory=dict)  # regex splitting a string into entries
    gtins: tuple[str, ...] = ()  # fields holding GTINs, checked when present
    extra: tuple[Check, ...] = ()  # channel-specific logic
    feed_checks: tuple[FeedCheck, ...] = ()  # rules across the items of one feed

    @property
    def feed_check_fields(self) -> tuple[str, ...] | None:
        """The item fields the feed checks read (each check says so with `reads`), or None when one does not say."""
        fields: list[str] = []
        for check in self.feed_checks:
            if not hasattr(check, "reads"):
                return None
            fields.extend(check.reads)
        return tuple(dict.fromkeys(fields))

    @property
    def feed_check_ids(self) -> frozenset[str]:
        """The fields every feed check that reads them reads as an id (`ids`): absent, such a field reads
        as the item's id, so a light item need not keep it where it equals that id."""
        read = {name for check in self.feed_checks for name in getattr(check, "reads", ())}
        return frozenset(name for name in read if all(name in getattr(check, "ids", ()) for check in self.feed_checks if name in getattr(check, "reads", ())))


# ---------------------------------------------------------------- helpers the channel modules share


def is_blank(value: Value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return not value
    return False


def text(value: Value) -> str:
    """A value as the writers spell it (pim.writers.table.render): bool as true/false, Decimal unexponented."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return value if isinstance(value, str) else str(value)


def entries(rules: ChannelRules, name: str, value: Value) -> list[Value]:
    """The non-blank values of a field that may hold several: a list, or a string the channel splits."""
    if is_blank(value):
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if not is_blank(v)]
    if isinstance(value, str) and name in rules.separators:
        return [part.strip() for part in re.split(rules.separators[name], value) if part.strip()]
    return [value]


def present(item: Item, name: str) -> bool:
    return not is_blank(item.fields.get(name))


def one_of(options: Iterable[str]) -> str:
    return ", ".join(f'"{o}"' for o in sorted(options))


# ---------------------------------------------------------------- the declarative checks


# Each declarative check is a step: a field's name and a function of its value and the feed that gives
# the field's violations. A step reads nothing else, so one value gives one answer in one feed: the
# fields a product's variants share (pim.expressions) are checked once per product, not once per item.
Step = Callable[[Value, FeedInfo], list[Violation]]


def _required(rules: ChannelRules, name: str) -> Step:
    message = f"{name} is missing and {rules.channel} requires it: fill it in the catalog or map it in the mapping"

    def step(value: Value, info: FeedInfo) -> list[Violation]:
        return [Violation(name, "PIM301", message)] if is_blank(value) else []

    return step


def _length(rules: ChannelRules, name: str, limit: int) -> Step:
    split = name in rules.separators

    def step(value: Value, info: FeedInfo) -> list[Violation]:
        if type(value) is str and not split and len(value) <= limit:  # most values: short text
            return []
        found = []
        for entry in entries(rules, name, value):
            size = len(text(entry))
            if size > limit:
                message = f"{name} is {size} characters; {rules.channel} allows {limit}: shorten the text or "
                found.append(Violation(name, "PIM302", message + f"set `truncate: true` on the {name} field in the mapping"))
        return found

    return step


def _id_length(rules: ChannelRules, name: str, limit: int) -> Step:
    def step(value: Value, info: FeedInfo) -> list[Violation]:
        if is_blank(value) or len(text(value)) <= limit:
            return []
        given = text(value)
        return [Violation(name, "PIM302", f'{name} "{given}" is {len(given)} characters; {rules.channel} allows {limit}: use a shorter id')]

    return step


def _enum(rules: ChannelRules, name: str, allowed: frozenset[str]) -> Step:
    ignore_case = name in rules.enums_ignore_case
    lowered = frozenset(option.lower() for option in allowed)
    split = name in rules.separators

    def step(value: Value, info: FeedInfo) -> list[Violation]:
        if type(value) is str and not split and value in allowed:  # the usual case
            return []
        found = []
        for entry in entries(rules, name, value):
            given = text(entry)
            if not (given.lower() in lowered if ignore_case else given in allowed):
                message = f'{name} "{given}" is not a value {rules.channel} accepts: use one of {one_of(allowed)}'
                found.append(Violation(name, "PIM303", message))
        return found

    return step


def _price(rules: ChannelRules, name: str) -> Step:
    def step(value: Value, info: FeedInfo) -> list[Violation]:
        if is_blank(value):
            return []
        given = text(value)
        price = parse_price(rules.price_format, given, rules.default_currency)
        if price is None:
            how = f'write the amount with two decimals and the currency code, like "{rules.price_example}"'
            return [Violation(name, "PIM304", f'{name} "{given}" is not written the way {rules.channel} expects: {how}')]
        if info.currency and price[1] != info.currency:
            market = f"the {info.market} market" if info.market else "this feed"
            how = f"give the product a {info.currency} price or map the {info.currency} price"
            return [Violation(name, "PIM303", f"{name} is in {price[1]} but {market} sells in {info.currency}: {how}")]
        return []

    return step


def _sale_price(rules: ChannelRules, item: Item, info: FeedInfo) -> list[Violation]:
    sale_name, regular_name = rules.sale_price
    if not (present(item, sale_name) and present(item, regular_name)):
        return []
    sale = parse_price(rules.price_format, text(item.fields[sale_name]), rules.default_currency)
    regular = parse_price(rules.price_format, text(item.fields[regular_name]), rules.default_currency)
    if sale and regular and sale[1] == regular[1] and sale[0] >= regular[0]:
        message = f"{sale_name} {sale[0]} is not below {regular_name} {regular[0]}: lower the sale price or remove it"
        return [Violation(sale_name, "PIM311", message)]
    return []


def _date(rules: ChannelRules, name: str, check: Callable[[str, str], str | None]) -> Step:
    def step(value: Value, info: FeedInfo) -> list[Violation]:
        problem = None if is_blank(value) else check(text(value), rules.channel)
        return [Violation(name, "PIM304", f"{name} {problem}")] if problem else []

    return step


def _url(rules: ChannelRules, name: str, limit: int | None, code: str) -> Step:
    def step(value: Value, info: FeedInfo) -> list[Violation]:
        found = []
        for entry in entries(rules, name, value):
            problem = url_problem(text(entry), limit, rules.channel)
            if problem:
                kind, rest = problem
                found.append(Violation(name, "PIM302" if kind == "length" and code == "PIM304" else code, f"{name} {rest}"))
        return found

    return step


def _count(rules: ChannelRules, name: str, limit: int) -> Step:
    def step(value: Value, info: FeedInfo) -> list[Violation]:
        count = len(entries(rules, name, value))
        if count <= limit:
            return []
        return [Violation(name, "PIM312", f"{name} has {count} values; {rules.channel} allows {limit}: remove {count - limit} of them")]

    return step


def _gtin(rules: ChannelRules, name: str) -> Step:
    def step(value: Value, info: FeedInfo) -> list[Violation]:
        return [Violation(name, "PIM305", problem) for entry in entries(rules, name, value) if (problem := gtin_problem(text(entry)))]

    return step


def _steps(rules: ChannelRules) -> list[tuple[str | None, Callable]]:
    """The declarative checks the rules ask for, field by field, in the order they report. The sale
    price's reads two fields: its step has no field name and is given the item."""
    steps: list[tuple[str | None, Callable]] = [(name, _required(rules, name)) for name in rules.required]
    steps += [(name, _length(rules, name, limit)) for name, limit in rules.max_length.items()]
    steps += [(name, _id_length(rules, name, limit)) for name, limit in rules.id_length.items()]
    steps += [(name, _enum(rules, name, allowed)) for name, allowed in rules.enums.items()]
    steps += [(name, _price(rules, name)) for name in rules.prices]
    if rules.sale_price is not None:
        steps.append((None, lambda item, info: _sale_price(rules, item, info)))
    steps += [(name, _date(rules, name, date_problem)) for name in rules.dates]
    steps += [(name, _date(rules, name, date_range_problem)) for name in rules.date_ranges if name not in rules.dates]
    steps += [(name, _url(rules, name, limit, "PIM304")) for name, limit in rules.links.items()]
    steps += [(name, _url(rules, name, limit, "PIM309")) for name, limit in rules.image_links.items()]
    steps += [(name, _count(rules, name, limit)) for name, limit in rules.max_values.items()]
    steps += [(name, _gtin(rules, name)) for name in rules.gtins]
    return steps


class ItemChecker:
    """One channel's checks of one item, compiled once from its rules.

    Each step remembers the last value it saw, in which feed, and what it found: an item whose field is
    the very object the previous item had (a value its product's variants share) gets the same answer
    without checking again. A remembered value stays referenced, so its identity cannot be reused."""

    def __init__(self, rules: ChannelRules):
        self.rules = rules
        self.steps = _steps(rules)
        self.last: list[tuple[Value, FeedInfo, list[Violation]] | None] = [None] * len(self.steps)

    def check(self, item: Item, info: FeedInfo) -> list[Violation]:
        found: list[Violation] = []
        fields, last = item.fields, self.last
        for index, (name, step) in enumerate(self.steps):
            if name is None:
                found += step(item, info)
                continue
            value = fields.get(name)
            seen = last[index]
            if seen is not None and seen[0] is value and seen[1] is info:
                result = seen[2]
            else:
                result = step(value, info)
                last[index] = (value, info, result)
            if result:
                found += result
        for extra in self.rules.extra:
            found.extend(extra(item, info))
        return found


CHECKERS: dict[ChannelRules, ItemChecker] = {}  # one per channel kind and process, made when first used


def check_item(rules: ChannelRules, item: Item, info: FeedInfo) -> list[Violation]:
    """Every way the item breaks the channel's rules; an empty list means the channel takes it."""
    checker = CHECKERS.get(rules)
    if checker is None:
        checker = CHECKERS[rules] = ItemChecker(rules)
    return checker.check(item, info)


def check_feed(rules: ChannelRules, items: Sequence[Item], info: FeedInfo) -> list[tuple[str, Violation]]:
    """Feed-wide violations as (item id, violation); every item with that id is left out."""
    found: list[tuple[str, Violation]] = []
    for feed_check in rules.feed_checks:
        found.extend(feed_check(items, info))
    return found


def key_of(item: Item, key: str) -> str:
    """The id the channel sees: the `key` field, or `Item.id` where the writer falls back to it."""
    value = item.fields.get(key)
    if type(value) is str:  # the usual case, checked per item of every feed: text() and is_blank() for a str
        return value if value.strip() else item.id
    return item.id if is_blank(value) else text(value)


def unique_ids(key: str) -> FeedCheck:
    """A feed check: no two items share an id (`key` is the channel's name for the id field)."""

    def check(items: Sequence[Item], info: FeedInfo) -> Iterable[tuple[str, Violation]]:
        keys = [key_of(item, key) for item in items]
        if len(set(keys)) == len(keys):  # the usual case, found in one pass; the owners only when an id repeats
            return
        owners: dict[str, list[str]] = {}
        for item, value in zip(items, keys):
            owners.setdefault(value, []).append(item.id)
        for value, item_ids in sorted(owners.items()):
            if len(item_ids) > 1:
                message = f'{key} "{value}" is used by {len(item_ids)} items in one feed: give each item its own {key}'
                for item_id in dict.fromkeys(item_ids):
                    yield item_id, Violation(key, "PIM313", message)

    check.reads = (key,)  # type: ignore[attr-defined] - a streamed build keeps only these fields of each item
    check.ids = (key,)  # type: ignore[attr-defined] - read through key_of: absent, the item's id
    return check
