"""The build: catalog -> checks -> mappings -> feeds -> files. Reads top to bottom in `build`."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from pim.cache import prune_documents
from pim.catalog import Catalog, Locator
from pim.channels import CHANNEL_KINDS
from pim.consistency import check_consistency
from pim.feed import Feed
from pim.mapping import CompiledMapping, compile_mapping, load_mapping
from pim.output import FeedOutput
from pim.problems import Location, Problem, Severity, has_errors
from pim.project import FEEDS, MAPPINGS, channel_names, validate_catalog
from pim.records import ViewBuilder
from pim.render import FeedPart, RenderContext
from pim.report import problem_dict
from pim.rules.google import TAXONOMY_OPTION
from pim.item_cache import ItemCache, RememberedChecks
from pim.shards import PlannedFeed, merge_parts, render_shard, render_shards
from pim.streamed import Streaming
from pim.sources import Source
from pim.taxonomy import Taxonomy, load_taxonomy
from pim.workers import jobs_for, map_forked
from pim.writers.values import json_bytes

MANIFEST = "manifest.json"
Progress = Callable[[int, int, str], None]  # (feed number, feeds in all, feed name)


@dataclass
class BuildResult:
    feeds: list[Feed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # of those, the files whose bytes changed (the others were left in place)
    manifest: dict | None = None
    written_to: Path | None = None  # the feeds folder written (feeds/ or --out)

    @property
    def exclusions(self) -> int:
        return sum(len(feed.excluded) for feed in self.feeds)


def build(source: Source, *, channels: list[str] | None = None, markets: list[str] | None = None, strict: bool = False, write: bool = True, out: Path | None = None, progress: Progress | None = None, time: str | None = None, jobs: int | None = None, parts: Sequence[Sequence[FeedPart]] | None = None) -> BuildResult:
    """Validate, render every channel and market, and write feeds/ only when nothing is in error.

    `time` is the build's only clock (default: SOURCE_DATE_EPOCH, else the commit time). `parts`, when
    given, are every shard's rendered parts (`build_shard`), merged instead of rendering here."""
    time = time or build_time(source)
    validated = validate_catalog(source, untyped=True)
    result = BuildResult(problems=list(validated.problems))
    if validated.catalog is None or has_errors(result.problems):
        return result
    mappings = compile_mappings(source, validated.locator, channels, result.problems)
    if has_errors(result.problems):
        return result
    result.feeds, streaming = plan_build(validated.catalog, mappings, validated.locator, source, markets, result.problems, progress, time=time, jobs=jobs, parts=parts, stream=write)
    result.problems += one_voice(source, result.feeds, mappings, validated.catalog, time, jobs, streaming)  # every SKU says the same everywhere
    if has_errors(result.problems) or (strict and result.exclusions):
        return result
    if write:
        result.written_to = out if out is not None else Path(source.root) / FEEDS
        result.manifest, result.written, result.changed = write_feeds(source, result.feeds, mappings, result.written_to, time, partial=bool(channels or markets), jobs=jobs, streaming=streaming)
        if streaming is not None and not (channels or markets):  # a whole build says which entries are live
            streaming.cache.prune()
            prune_documents(source.root, source, validated.catalog.product_keys.values())
    return result


def build_shard(source: Source, shard: int, shards: int, *, channels: list[str] | None = None, markets: list[str] | None = None, time: str | None = None) -> tuple[list[Problem], list[FeedPart] | None]:
    """`pim build --shard I/N`: validate, then render only the products of shard I; a merge (`build(parts=...)`) writes the feeds."""
    time = time or build_time(source)
    validated = validate_catalog(source, untyped=True)
    problems = list(validated.problems)
    if validated.catalog is None or has_errors(problems):
        return problems, None
    mappings = compile_mappings(source, validated.locator, channels, problems)
    if has_errors(problems):
        return problems, None
    plan = feed_plan(validated.catalog, mappings, markets, _taxonomy(validated.catalog, source), problems)
    ctx = _render_context(validated.catalog, validated.locator, time)
    ctx.item_cache = ItemCache.for_build(source, validated.catalog, plan, time)
    return problems, render_shard(ctx, plan, shard, shards)


def compile_mappings(source: Source, locator: Locator, only: list[str] | None, problems: list[Problem]) -> list[CompiledMapping]:
    names = sorted(channel_names(source))
    for unknown in sorted(set(only or []) - set(names)):
        problems.append(Problem("PIM208", f"no mapping {unknown}: the channels are {', '.join(names)}", Location(MAPPINGS)))
    compiled = []
    for name in names:
        if only and name not in only:
            continue
        loaded = load_mapping(source, name, locator, problems)
        if loaded is not None and (mapping := compile_mapping(name, *loaded, CHANNEL_KINDS, problems)) is not None:
            compiled.append(mapping)
    return compiled


def plan_feeds(catalog: Catalog, mappings: list[CompiledMapping], locator: Locator, source: Source, markets: list[str] | None, problems: list[Problem], progress: Progress | None = None, *, time: str | None = None, jobs: int | None = None) -> list[Feed]:
    """Every Feed in memory, format-neutral: what `pim diff` compares and the writers format."""
    return plan_build(catalog, mappings, locator, source, markets, problems, progress, time=time, jobs=jobs)[0]


def plan_build(catalog: Catalog, mappings: list[CompiledMapping], locator: Locator, source: Source, markets: list[str] | None, problems: list[Problem], progress: Progress | None = None, *, time: str | None = None, jobs: int | None = None, parts: Sequence[Sequence[FeedPart]] | None = None, stream: bool = False, item_cache: ItemCache | None = None) -> tuple[list[Feed], Streaming | None]:
    """Every Feed, and with `stream` the Streaming that writes the streamed formats' feeds, whose items
    are then light (pim/streamed.py).

    Products to render (not in the render cache) render in `jobs` processes (default: every core from
    PARALLEL_FROM of them up); the shards' parts are merged into the same feeds, byte for byte (pim/shards.py)."""
    ctx = _render_context(catalog, locator, time or build_time(source))
    plan = feed_plan(catalog, mappings, markets, _taxonomy(catalog, source), problems)
    ctx.item_cache = item_cache if item_cache is not None else ItemCache.for_build(source, catalog, plan, ctx.build_time)
    streaming = Streaming.for_build(ctx, plan) if stream and parts is None else None
    if parts is None:
        parts = render_shards(ctx, plan, lambda fresh: jobs_for(fresh, jobs), progress, streaming)
    if streaming is not None:
        streaming.rendered_all()
    feeds = merge_parts(ctx, plan, parts)
    if streaming is not None:
        streaming.merged(parts, feeds)
    problems.extend(ctx.warnings)  # findings that keep their item (a print placeholder): reported, never blocking
    return feeds, streaming


def render_cache(catalog: Catalog, mappings: list[CompiledMapping], source: Source, markets: list[str] | None, time: str) -> ItemCache | None:
    """The render cache `plan_build` with the same arguments uses (None: nothing cached), for its keys
    before anything renders (equal keys, equal renders); hand it to `plan_build` as `item_cache`."""
    return ItemCache.for_build(source, catalog, feed_plan(catalog, mappings, markets, _taxonomy(catalog, source), []), time)


def one_voice(source: Source, feeds: list[Feed], mappings: list[CompiledMapping], catalog: Catalog, time: str, jobs: int | None, streaming: Streaming | None) -> list[Problem]:
    """The one-voice check: as each product rendered (streamed), else over the feeds, remembering per product."""
    if streaming is not None:
        return streaming.one_voice(feeds)
    return check_consistency(feeds, mappings, catalog, jobs, RememberedChecks.for_build(source, catalog, feeds, time))


def _render_context(catalog: Catalog, locator: Locator, time: str) -> RenderContext:
    return RenderContext(catalog, locator, ViewBuilder(catalog, dt.date.fromisoformat(time[:10])), time)


def feed_plan(catalog: Catalog, mappings: list[CompiledMapping], markets: list[str] | None, taxonomy: Taxonomy | None, problems: list[Problem]) -> list[PlannedFeed]:
    """The feeds to render, in output order: each mapping once per market it names (and --market keeps)."""
    plan = []
    for mapping in mappings:
        if taxonomy is not None and mapping.kind == "google-merchant":
            mapping = replace(mapping, options={**mapping.options, TAXONOMY_OPTION: taxonomy})
        for market in mapping.markets or [None]:
            if market is not None and market not in catalog.settings.markets:
                problems.append(Problem("PIM407", f"mapping {mapping.name} names market {market}, which settings.yaml does not define", Location(f"{MAPPINGS}/{mapping.name}.yaml", 1, 1)))
                continue
            if markets and market not in markets:
                continue
            plan.append(PlannedFeed(mapping, market))
    return plan


def _taxonomy(catalog: Catalog, source: Source) -> Taxonomy | None:
    if catalog.settings.google_taxonomy is None:
        return None
    try:
        return load_taxonomy(Path(source.root) / catalog.settings.google_taxonomy)
    except (OSError, ValueError):
        return None  # validation already reported it


def write_feeds(source: Source, feeds: list[Feed], mappings: list[CompiledMapping], root: Path, time: str, *, partial: bool, jobs: int | None = None, streaming: Streaming | None = None) -> tuple[dict, list[str], list[str]]:
    """Write every feed and the manifest into staging, then move them into `root` (feeds/) together:
    the streamed channels from their pieces, the others by their writers. Returns the manifest, the
    files written and, of those, the files that changed."""
    previous = _read_manifest(root)
    out = FeedOutput(root, previous=_file_hashes(previous))
    listed = _listed_files(previous)
    if not partial:
        previous = None  # only a partial build keeps entries of the last manifest (at 100,000 products it holds 70 MB)
    entries = []
    try:
        channels = [(m, channel_feeds) for m in mappings if (channel_feeds := [f for f in feeds if f.info.channel == m.name])]
        out.staging  # made before any worker forks, so that every writer writes into the same folder
        joined = [streaming is not None and streaming.streams(f) for _, f in channels]
        streamed = [channel for channel, join in zip(channels, joined) if join]
        channels = [channel for channel, join in zip(channels, joined) if not join]
        if streamed:
            for (mapping, channel_feeds), files in zip(streamed, streaming.write([f for _, f in streamed], out)):
                entries.append(_manifest_entry(mapping, channel_feeds, files))
        items = sum(len(feed.items) for _, channel_feeds in channels for feed in channel_feeds)
        jobs = jobs_for(items // 10, jobs)
        for entry, files in map_forked(_write_channel, (out, channels), range(len(channels)), jobs):
            out.files.update(files)
            entries.append(entry)
        manifest = _manifest(source, entries, previous, time)
        with out.open(MANIFEST) as handle:
            handle.write(json_bytes(manifest, indent=True))  # as json.dumps(indent=2) lays it out; 177,000 files: 3 s less
            handle.write(b"\n")  # apart: 35 MB at 100,000 products, not copied to add a byte
        written = sorted(out.files)
        stale = _stale_files(listed, manifest)
        changed = out.commit()
        if streaming is not None:
            streaming.remember(out)
    finally:
        out.discard()
    for relpath in stale:
        (root / relpath).unlink(missing_ok=True)
    return manifest, written, changed


def _write_channel(shared: tuple[FeedOutput, list], index: int) -> tuple[dict, dict]:
    """One channel's files, written by its writer; in a worker process, `out.files` is that worker's copy."""
    out, channels = shared
    mapping, channel_feeds = channels[index]
    before = set(out.files)
    CHANNEL_KINDS[mapping.kind].writers[mapping.format](channel_feeds, out)
    files = {path: out.files[path] for path in sorted(set(out.files) - before)}
    return _manifest_entry(mapping, channel_feeds, list(files.values())), files


def _manifest_entry(mapping: CompiledMapping, feeds: list[Feed], files) -> dict:
    """One channel: its files (path, sha256, bytes) and, per market, the items and the exclusions with reasons."""
    return {
        "channel": mapping.name,
        "kind": mapping.kind,
        "format": mapping.format,
        "files": [{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in files],
        "markets": [
            {
                "market": feed.info.market,
                "items": len(feed.items),
                "excluded": [
                    {"item": e.item_id, "product": e.product_id, "problems": [problem_dict(p) for p in e.problems]}
                    for e in feed.excluded
                ],
            }
            for feed in feeds
        ],
    }


def _manifest(source: Source, entries: list[dict], previous: dict | None, time: str) -> dict:
    """A partial build (--channel/--market) keeps the other channels' entries; a market-partial one replaces its channel's files it rewrote."""
    if previous:
        built = {e["channel"] for e in entries}
        kept = [e for e in previous.get("channels", []) if e["channel"] not in built]
        for entry in entries:
            old = next((e for e in previous.get("channels", []) if e["channel"] == entry["channel"]), None)
            if old is not None:
                paths = {f["path"] for f in entry["files"]}
                whole = {m["market"] for m in old["markets"]} <= {m["market"] for m in entry["markets"]}  # every market rebuilt
                if not whole:
                    entry["files"] = sorted([f for f in old["files"] if f["path"] not in paths] + entry["files"], key=lambda f: f["path"])
                entry["markets"] = _merged_markets(old["markets"], entry["markets"])
        entries = kept + entries
    entries.sort(key=lambda e: e["channel"])
    return {"source_commit": source_commit(source), "build_time": time, "channels": entries}


def _merged_markets(old: list[dict], rebuilt: list[dict]) -> list[dict]:
    """A channel's markets after a partial build: in the mapping's order when it rebuilt them all (as a
    whole build writes them, whatever was built before), else the old order with the rebuilt ones in their places."""
    fresh = {m["market"]: m for m in rebuilt}
    if all(m["market"] in fresh for m in old):
        return rebuilt
    return [fresh.pop(m["market"], m) for m in old] + list(fresh.values())


def _read_manifest(root: Path) -> dict | None:
    try:
        return json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _file_hashes(manifest: dict | None) -> dict[str, str]:
    """path -> sha256 of every file a manifest lists (the manifest itself is always written)."""
    return {f["path"]: f["sha256"] for e in (manifest or {}).get("channels", []) for f in e.get("files", []) if isinstance(f, dict) and "path" in f and "sha256" in f}


def _listed_files(manifest: dict | None) -> set[str]:
    return {f["path"] for e in (manifest or {}).get("channels", []) for f in e.get("files", [])}


def _stale_files(listed: set[str], manifest: dict) -> list[str]:
    """Files the last manifest listed that this one does not: the build removes them."""
    now = {f["path"] for e in manifest["channels"] for f in e["files"]}
    return sorted(p for p in listed - now if ".." not in p and not p.startswith("/"))


def build_time(source: Source) -> str:
    """The build's only clock: SOURCE_DATE_EPOCH, else the commit time, else the epoch."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        epoch = _git(source, "log", "-1", "--format=%ct") or "0"
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    except ValueError:
        moment = dt.datetime.fromtimestamp(0, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def source_commit(source: Source) -> str | None:
    revision = getattr(source, "revision", None)
    return _git(source, "rev-parse", revision or "HEAD")


def _git(source: Source, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=source.root, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def summary_rows(result: BuildResult) -> list[tuple[str, str, int, int, int]]:
    """(channel, market, items, excluded, warnings) per feed, for the table at the end of a build."""
    rows = []
    for feed in result.feeds:
        mapping_file = f"{MAPPINGS}/{feed.info.channel}.yaml"
        warnings = sum(p.severity is Severity.WARNING and p.location.path == mapping_file for p in result.problems)
        rows.append((feed.info.channel, feed.info.market or "-", len(feed.items), len(feed.excluded), warnings))
    return rows
