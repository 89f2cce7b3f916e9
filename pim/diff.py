"""What a change does to every channel's feed: two builds in memory, compared item by item and field by field."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, fields as dataclass_fields, replace
from pathlib import Path
from typing import Iterable, Mapping

from pim.build import MANIFEST, build, build_time, compile_mappings, plan_build, render_cache
from pim.catalog import CATALOG
from pim.feed import Feed, FeedInfo, Item, Value
from pim.item_cache import ItemCache
from pim.problems import Problem, has_errors
from pim.mapping import CompiledMapping
from pim.project import FEEDS, Validated, channel_names, open_project, validate_catalog
from pim.sources import GitRevision, Source, ToolError
from pim.streamed import Streaming

# FeedInfo fields that are not a change: the key (channel, market) and the clock.
_INFO_IGNORED = {"channel", "market", "build_time"}
# Item attributes outside `fields` that writers still use, shown in parentheses so they never clash with a channel field.
_ITEM_ATTRIBUTES = {"(group_id)": "group_id", "(level)": "level"}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One value that changed: a field, or a place inside one (`path`), e.g. variants[0].price of a product."""

    field: str
    before: Value  # None when it was absent
    after: Value
    path: tuple[str | int, ...] = ()

    @property
    def name(self) -> str:
        return self.field + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in self.path)


@dataclass(frozen=True, slots=True)
class ItemChange:
    item_id: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item is excluded: the problem's code and message (its location is in `pim build`)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ExclusionChange:
    item_id: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class FeedChange:
    """One channel and market. `excluded` starts being left out; `included` stops (reasons as they were)."""

    channel: str
    market: str | None
    feed_added: bool = False
    feed_removed: bool = False
    info: tuple[FieldChange, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()  # left the feed for another reason than a new exclusion
    changed: tuple[ItemChange, ...] = ()
    excluded: tuple[ExclusionChange, ...] = ()
    included: tuple[ExclusionChange, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.channel}/{self.market}" if self.market else self.channel

    @property
    def is_empty(self) -> bool:
        return not (self.feed_added or self.feed_removed or self.info or self.added or self.removed or self.changed or self.excluded or self.included)

    def field_counts(self) -> list[tuple[str, int]]:
        """Changed fields, most changed first: on how many items each one changed."""
        counts = Counter(field for item in self.changed for field in {change.field for change in item.fields})
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True, slots=True)
class FeedDiff:
    feeds: tuple[FeedChange, ...] = ()  # only feeds that changed, by channel then market
    unchanged: tuple[str, ...] = ()  # names of the feeds compared and found equal
    introduced: tuple[Problem, ...] = ()  # problems the change brings
    fixed: tuple[Problem, ...] = ()  # problems the change removes
    uncompared: tuple[str, ...] = ()  # channels one side could not build (its catalog or mapping has errors)

    @property
    def is_empty(self) -> bool:
        return not (self.feeds or self.introduced or self.fixed)


def diff_feeds(old: Iterable[Feed], new: Iterable[Feed], *, old_problems: Iterable[Problem] = (), new_problems: Iterable[Problem] = (), same: frozenset[str] = frozenset()) -> FeedDiff:
    """Compare two builds, feed by feed (channel, market), item by item (id). Build times never count.
    The items of products in `same` (rendered alike on both sides, none dropped by a rule across items)
    are equal on both sides and not compared."""
    before, after = ({(f.info.channel, f.info.market): f for f in side} for side in (old, new))
    keys = sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1] or ""))
    changes = [_feed_change(key, before.get(key), after.get(key), same) for key in keys]
    introduced, fixed = _problem_changes(list(old_problems), list(new_problems))
    return FeedDiff(tuple(c for c in changes if not c.is_empty), tuple(c.name for c in changes if c.is_empty), introduced, fixed)


def only_fields(diff: FeedDiff, names: Iterable[str]) -> FeedDiff:
    """Keep only the changes to these fields on changed items (feed settings go); items added, removed or excluded stay."""
    wanted = set(names)
    feeds, unchanged = [], list(diff.unchanged)
    for feed in diff.feeds:
        changed = tuple(ItemChange(i.item_id, kept) for i in feed.changed if (kept := tuple(c for c in i.fields if c.field in wanted)))
        narrowed = replace(feed, changed=changed, info=())
        (unchanged.append(feed.name) if narrowed.is_empty else feeds.append(narrowed))
    return replace(diff, feeds=tuple(feeds), unchanged=tuple(sorted(unchanged)))


def _feed_change(key: tuple[str, str | None], old: Feed | None, new: Feed | None, same: frozenset[str] = frozenset()) -> FeedChange:
    old_items, new_items = _compared_items(old, new, same)
    old_excluded, new_excluded = _exclusions(old), _exclusions(new)
    added = sorted(new_items.keys() - old_items.keys() - old_excluded.keys())
    removed = sorted(old_items.keys() - new_items.keys() - new_excluded.keys())
    changed = []
    for item_id in sorted(old_items.keys() & new_items.keys()):
        before, after = old_items[item_id], new_items[item_id]
        if before.product_id in same and after.product_id == before.product_id:
            continue
        if _same_item(before, after):  # most items of a small change: compared in C, not field by field
            continue
        if item_fields := _field_changes(_item_values(before), _item_values(after)):
            changed.append(ItemChange(item_id, item_fields))
    info = _field_changes(_info_values(old.info), _info_values(new.info)) if old and new else ()
    excluded = tuple(ExclusionChange(i, new_excluded[i]) for i in sorted(new_excluded.keys() - old_excluded.keys()))
    included = tuple(ExclusionChange(i, old_excluded[i]) for i in sorted(old_excluded.keys() - new_excluded.keys()))
    return FeedChange(*key, old is None, new is None, info, tuple(added), tuple(removed), tuple(changed), excluded, included)


def _compared_items(old: Feed | None, new: Feed | None, same: frozenset[str]) -> tuple[dict[str, Item], dict[str, Item]]:
    """Item id -> item on each side. The items of products in `same` are equal on both sides and left
    out (a ten-product change among 100,000 products then indexes a few dozen items, not 2.3 million),
    unless another product's item has the same id on either side."""
    sides = [feed.items if feed else () for feed in (old, new)]
    if not same:
        return {i.id: i for i in sides[0]}, {i.id: i for i in sides[1]}
    touched = {i.id for items in sides for i in items if i.product_id not in same}
    return {i.id: i for i in sides[0] if i.product_id not in same or i.id in touched}, {i.id: i for i in sides[1] if i.product_id not in same or i.id in touched}


def _exclusions(feed: Feed | None) -> dict[str, tuple[Reason, ...]]:
    """Item id -> reasons; duplicate ids (PIM313 excludes every copy) merge their reasons."""
    reasons: dict[str, set[Reason]] = {}
    for exclusion in feed.excluded if feed else ():
        reasons.setdefault(exclusion.item_id, set()).update(Reason(p.code, p.message) for p in exclusion.problems)
    return {item_id: tuple(sorted(found, key=lambda r: (r.code, r.message))) for item_id, found in reasons.items()}


def _same_item(before: Item, after: Item) -> bool:
    """Whether the items write the same: equal, and equal when printed (== alone takes Decimal("18.0")
    for Decimal("18.00") and True for 1). Where the fields' order differs, the field comparison decides."""
    return before.group_id == after.group_id and before.level == after.level and before.fields == after.fields and repr(before.fields) == repr(after.fields)


def _item_values(item: Item) -> dict[str, Value]:
    return {**item.fields, **{name: getattr(item, attribute) for name, attribute in _ITEM_ATTRIBUTES.items()}}


def _info_values(info: FeedInfo) -> dict[str, Value]:
    return {f.name: getattr(info, f.name) for f in dataclass_fields(info) if f.name not in _INFO_IGNORED}


_ABSENT = object()  # a key or list element that is not there, which inside a value writes differently from null


def _field_changes(before: dict[str, Value], after: dict[str, Value]) -> tuple[FieldChange, ...]:
    # A field left out and a None one write the same (nothing), so fields compare with .get.
    names = sorted(before.keys() | after.keys())
    return tuple(c for n in names if repr(before.get(n)) != repr(after.get(n)) for c in _value_changes(n, (), before.get(n), after.get(n)))


def _value_changes(field: str, path: tuple, before: Value, after: Value) -> list[FieldChange]:
    """Down into mappings and lists, so a price inside a product's variants shows as itself, not the whole list."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        keys = sorted(before.keys() | after.keys(), key=str)
        return [c for k in keys for c in _value_changes(field, (*path, k), before.get(k, _ABSENT), after.get(k, _ABSENT))]
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        pairs = ((i, before[i] if i < len(before) else _ABSENT, after[i] if i < len(after) else _ABSENT) for i in range(max(len(before), len(after))))
        return [c for i, old, new in pairs for c in _value_changes(field, (*path, i), old, new)]
    if before is _ABSENT or after is _ABSENT:
        return [FieldChange(field, None if before is _ABSENT else before, None if after is _ABSENT else after, path)]
    # repr, not ==: Decimal("18.0") == Decimal("18.00") and True == 1, but they print differently.
    return [FieldChange(field, before, after, path)] if repr(before) != repr(after) else []


def _problem_changes(old: list[Problem], new: list[Problem]) -> tuple[tuple[Problem, ...], tuple[Problem, ...]]:
    # Lines are left out of the key on purpose: an edit above a problem moves it without introducing it.
    def key(p: Problem) -> tuple[str, str, str]:
        return (p.code, p.location.path, p.message)

    old_keys, new_keys = {key(p) for p in old}, {key(p) for p in new}
    introduced = sorted((p for p in new if key(p) not in old_keys), key=Problem.sort_key)
    fixed = sorted((p for p in old if key(p) not in new_keys), key=Problem.sort_key)
    return tuple(introduced), tuple(fixed)


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff, built in memory: the feeds it could build and the problems it has. With
    `streaming`, the streamed formats' items are light (pim/streamed.py) until `_whole_where_changed`,
    and the items of the `pruned` products are left out (they render alike on the other side)."""

    feeds: tuple[Feed, ...]
    problems: tuple[Problem, ...]
    unbuilt: frozenset[str]  # channels whose feeds could not be built on this side
    streaming: Streaming | None = None
    pruned: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Loaded:
    """One side validated, its mappings compiled and its render cache opened: each product's render key is known."""

    source: Source
    wanted: list[str]
    validated: Validated
    mappings: list[CompiledMapping]
    problems: list[Problem]
    cache: ItemCache | None  # the render cache its build uses: each product's key before anything renders


def _whole_where_changed(before: Side, after: Side) -> tuple[Side, Side, frozenset[str]]:
    """Both sides with whole items for the products whose renders differ, and the products that render
    alike. A product with the same render key on both sides (same file, same everything else) renders
    the same items: its items on both sides are equal, so a small change reads few products whole and
    compares few items. A product a rule across items dropped an item of, on either side, is compared
    whole too: its items on a side that left them out are read back from its render."""
    if before.streaming is None and after.streaming is None:
        return before, after, frozenset()
    keys = [side.streaming.keys() if side.streaming is not None else None for side in (before, after)]
    if keys[0] is None or keys[1] is None:
        changed = set(keys[0] or {}) | set(keys[1] or {})  # one side holds every item whole: so must the other
        same: frozenset[str] = frozenset()
    else:
        dropped = before.streaming.dropped() | after.streaming.dropped()
        changed = {pid for pid in keys[0].keys() | keys[1].keys() if keys[0].get(pid) is None or keys[0].get(pid) != keys[1].get(pid)} | dropped
        same = frozenset(keys[0].keys() & keys[1].keys()) - changed
    old, new = (_restored(side, changed) for side in (before, after))
    old, new = (replace(side, feeds=tuple(side.streaming.whole(side.feeds, changed))) if side.streaming is not None else side for side in (old, new))
    return old, new, same


def _restored(side: Side, changed: set[str]) -> Side:
    """The side with the items of pruned products that are compared after all (the other side dropped one of them)."""
    back = sorted(side.pruned & changed)
    if not back:
        return side
    rendered = {product_id: side.streaming.rendered(product_id) for product_id in back}
    feeds = tuple(replace(feed, items=feed.items + tuple(item for product_id in back for item in rendered[product_id][number][0])) for number, feed in enumerate(side.feeds))
    return replace(side, feeds=feeds, pruned=side.pruned - set(back))


def open_side(root: Path, revision: str | None) -> Source:
    """The working tree (revision None) or one revision of the project at `root`; ToolError when it is not a project."""
    if revision is None:
        return open_project(root)
    if revision.startswith("-"):
        raise ToolError(f"{revision!r} is not a revision: revisions never start with '-'")
    source = GitRevision(Path(root), revision)
    if not source.exists(CATALOG):
        raise ToolError(f"no {CATALOG}/ folder in {revision}: that revision is not a pim project")
    return source


def diff_sources(old: Source, new: Source, *, channels: list[str] | None = None, markets: list[str] | None = None) -> FeedDiff:
    """Build both sides with the same clock and compare them; channels only one side could build are not compared.

    Both sides are validated first, so that each product's render key on both is known: a side's
    items of products that render alike on the other side are left out as soon as it is built, and
    one diff never holds two whole catalogs' items (100,000 products: 2.1 GB, now one side's)."""
    known = channel_names(old) | channel_names(new)
    if unknown := sorted(set(channels or []) - known):
        raise ToolError(f"no channel {', '.join(unknown)} on either side: the channels are {', '.join(sorted(known))}")
    # One instant for both sides: a sale that ends between two commits is no change to a feed.
    time = build_time(new)
    loaded = [_load_side(source, channels, markets, time) for source in (old, new)]
    keys = [{p.id: side.cache.key(p) for p in side.validated.catalog.products} if side.cache is not None else None for side in loaded]
    alike = frozenset(pid for pid, key in keys[0].items() if key is not None and keys[1].get(pid) == key) if keys[0] and keys[1] else frozenset()
    before, after = (build_side(side, markets, time, alike) for side in loaded)
    skipped = before.unbuilt | after.unbuilt
    before, after, same = _whole_where_changed(before, after)
    old_feeds, new_feeds = ([f for f in side.feeds if f.info.channel not in skipped] for side in (before, after))
    diff = diff_feeds(old_feeds, new_feeds, old_problems=before.problems, new_problems=after.problems, same=same)
    return replace(diff, uncompared=tuple(sorted(skipped)))


def _load_side(source: Source, channels: list[str] | None, markets: list[str] | None, time: str) -> _Loaded:
    names = channel_names(source)
    wanted = sorted(names & set(channels)) if channels else sorted(names)
    validated = validate_catalog(source)
    problems = list(validated.problems)
    mappings = compile_mappings(source, validated.locator, wanted, problems) if wanted and validated.catalog is not None else []
    cache = render_cache(validated.catalog, mappings, source, markets, time) if validated.catalog is not None else None
    return _Loaded(source, wanted, validated, mappings, problems, cache)


def build_side(loaded: _Loaded, markets: list[str] | None, time: str, alike: frozenset[str] = frozenset()) -> Side:
    """One side's feeds, without the items of products in `alike` (unless a rule across items dropped one of theirs here)."""
    validated, problems = loaded.validated, list(loaded.problems)
    if validated.catalog is None:
        return Side((), tuple(problems), frozenset(loaded.wanted))
    try:
        feeds, streaming = plan_build(validated.catalog, loaded.mappings, validated.locator, loaded.source, markets, problems, time=time, stream=True, item_cache=loaded.cache)
    except Exception:  # noqa: BLE001 - rendering assumes a valid catalog; with errors, this side has no feeds to compare
        if not has_errors(validated.problems):
            raise
        return Side((), tuple(problems), frozenset(loaded.wanted))
    unbuilt = frozenset(loaded.wanted) - {m.name for m in loaded.mappings}
    if streaming is None:
        return Side(tuple(feeds), tuple(problems), unbuilt)
    streaming.read_all()  # the diff reads no light section again: their bytes go
    pruned = alike - streaming.dropped()
    if pruned:
        feeds = [replace(feed, items=tuple(item for item in feed.items if item.product_id not in pruned)) for feed in feeds]
    return Side(tuple(feeds), tuple(problems), unbuilt, streaming, pruned)


def _build_time_or_none(moment: object) -> str | None:
    """A recorded build time ("2024-05-01T12:00:00Z") if it is one; None otherwise."""
    try:
        dt.datetime.strptime(str(moment), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return str(moment)


def check_committed_feeds(source: Source) -> list[str]:
    """Which files in feeds/ are not what a full build of `source` writes: differing, missing or extra. Empty when up to date."""
    root = Path(source.root) / FEEDS
    committed = _read_json(root / MANIFEST)
    # The committed feeds carry the instant they were built at; rebuilt at another one, every timestamp would differ.
    recorded = None if "SOURCE_DATE_EPOCH" in os.environ else _build_time_or_none((committed or {}).get("build_time"))
    with tempfile.TemporaryDirectory(prefix="pim-check-") as tmp:
        result = build(source, out=Path(tmp), time=recorded)  # the real build, into a folder of its own: feeds/ is only read
        if has_errors(result.problems):
            return ["cannot build: the catalog or a mapping has errors (run pim build to see them)"]
        built = {path: (Path(tmp) / path).read_bytes() for path in result.written if path != MANIFEST}
    on_disk = _on_disk(root) - {MANIFEST}
    messages = [f"{FEEDS}/{path}: missing (the build writes it)" for path in built.keys() - on_disk]
    messages += [f"{FEEDS}/{path}: not written by the build" for path in on_disk - built.keys()]
    messages += [f"{FEEDS}/{path}: differs" for path in built.keys() & on_disk if (root / path).read_bytes() != built[path]]
    # The manifest names the commit it was built from, which a committed manifest can never match; compare the rest.
    if committed is None:
        messages.append(f"{FEEDS}/{MANIFEST}: missing or unreadable (the build writes it)")
    elif committed.get("channels") != (result.manifest or {}).get("channels"):
        messages.append(f"{FEEDS}/{MANIFEST}: differs")
    return sorted(messages)


def _on_disk(root: Path) -> set[str]:
    """Feed files under feeds/, without the README, the HTML report (`pim report` writes it, not the build)
    and hidden files (staging folders of an interrupted build)."""
    if not root.is_dir():
        return set()
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return {p for p in found if p != "README.md" and not p.startswith("report/") and not any(part.startswith(".") for part in p.split("/"))}


def _read_json(path: Path) -> dict | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None
