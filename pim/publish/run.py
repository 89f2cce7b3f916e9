"""`pim publish`: send the built, reviewed feeds to each configured destination. Reads top to bottom in `publish`."""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable, Mapping

from pim.problems import Location, Problem, Severity
from pim.publish import amazon_feeds, google_merchant, meta_catalog, upload
from pim.publish.config import CONFIG_FILE, PublishConfig, destination_location, load_config
from pim.publish.delta import check_drop
from pim.publish.feeds import FeedError, Manifest, read_manifest
from pim.publish.http import DeliveryError, Redactor, Transport
from pim.publish.outcome import DELIVERED, DRY_RUN, FAILED, REFUSED, UNCHANGED, Context, Outcome
from pim.publish.state import StateError, load_state

FEEDS = "feeds"
PREVIEW = 5  # ids or files shown by --dry-run

# kind -> the module that plans (no network) and sends; `settle` finishes work an earlier run left pending
KINDS: dict[str, ModuleType] = {
    "upload": upload,
    "google-merchant": google_merchant,
    "meta-catalog": meta_catalog,
    "amazon-feeds": amazon_feeds,
}


@dataclass
class PublishResult:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # problems that stopped the whole run
    dry_run: bool = False
    commit: str | None = None

    @property
    def cannot_run(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def delivered(self) -> bool:
        return not self.cannot_run and all(o.status in (DELIVERED, UNCHANGED, DRY_RUN) for o in self.outcomes)


@dataclass(frozen=True)
class Clock:
    """The waits and clocks of a run, injected so tests can make retries instant without patching time."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random


def publish(root: Path, *, destinations: list[str] | None = None, dry_run: bool = False, force: bool = False, reason: str | None = None, env: Mapping[str, str] | None = None, clock: Clock = Clock()) -> PublishResult:
    """Publish each destination in publish.yaml from feeds/ and feeds/manifest.json; never rebuilds."""
    env = os.environ if env is None else env
    result = PublishResult(dry_run=dry_run)
    config, result.problems, source_map = load_config(root)
    if config is None:
        return result
    if force and not (reason or "").strip():
        result.problems.append(Problem("PIM710", "--force needs --reason \"...\": say why the drop guard may be overridden, for the record", Location(CONFIG_FILE)))
        return result
    names = [d.name for d in config.destinations]
    for unknown in sorted(set(destinations or []) - set(names)):
        result.problems.append(Problem("PIM717", f"no destination {unknown} in {CONFIG_FILE}: the destinations are {', '.join(names)}", Location(CONFIG_FILE)))
    if result.problems:
        return result
    try:
        manifest = read_manifest(root / FEEDS)
    except FeedError as exc:
        result.problems.append(Problem(exc.code, str(exc), Location(f"{FEEDS}/manifest.json")))
        return result
    result.commit = manifest.source_commit
    for index, destination in enumerate(config.destinations):
        if destinations and destination.name not in destinations:
            continue
        where = destination_location(CONFIG_FILE, source_map, index)
        result.outcomes.append(publish_destination(root, config, destination, manifest, where, dry_run=dry_run, force_reason=reason if force else None, env=env, clock=clock))
    return result


def publish_destination(root: Path, config: PublishConfig, dest, manifest: Manifest, where: Location, *, dry_run: bool, force_reason: str | None, env: Mapping[str, str], clock: Clock) -> Outcome:
    outcome = Outcome(dest.name, dest.kind)
    kind = KINDS[dest.kind]
    if dest.channel not in manifest.channels:
        outcome.problem("PIM704", f"destination {dest.name} takes channel {dest.channel}, which the manifest does not list (built: {', '.join(sorted(manifest.channels))})", where)
        outcome.status = FAILED
        return outcome
    token = env.get(dest.token_env) if dest.token_env else None
    redact = Redactor()
    redact.add(token)
    if dest.token_env and not token and not dry_run:
        outcome.problem("PIM707", f"the environment variable {dest.token_env} is not set: destination {dest.name} needs its access token there", where)
        outcome.status = FAILED
        return outcome
    try:
        state = load_state(root / config.state, dest.name, dest.kind)
    except StateError as exc:
        outcome.problem("PIM714", str(exc), where)
        outcome.status = FAILED
        return outcome
    transport = Transport(config.retry_for(dest), redact, sleep=clock.sleep, clock=clock.monotonic, jitter=clock.jitter)
    ctx = Context(root / FEEDS, manifest, state, outcome, transport, token, where)
    transport.start()
    try:
        if state.pending and not dry_run:
            kind.settle(dest, ctx)  # an earlier run's batches first, so their items are not sent again
        plan = kind.plan(dest, ctx)
        outcome.unchanged = plan.delta.unchanged
        refusal = check_drop(plan.delta, dest.max_drop, items_now=plan.items_now)
        if refusal is not None:
            if force_reason is None:
                outcome.problem(refusal.code, f"{refusal.message}. Nothing was sent; if this is intended, run again with --force --reason \"...\"", where)
                outcome.removed = list(refusal.removed)
                outcome.status = REFUSED
                return outcome
            outcome.problem("PIM710", f"drop guard overridden with --force, reason: {force_reason}. {refusal.message}", where, warning=True)
        if dry_run:
            _describe(outcome, plan, state.pending)
            return outcome
        kind.send(dest, plan, ctx)
        if outcome.failed:
            outcome.status = FAILED
        else:
            outcome.status = DELIVERED if outcome.sent or outcome.deleted else UNCHANGED
            state.commit, state.build_time = manifest.source_commit, manifest.build_time
            state.forced = force_reason if refusal is not None else None
            state.save()
    except FeedError as exc:
        outcome.problem(exc.code, str(exc), where)
        outcome.status = FAILED
    except DeliveryError as exc:
        code = "PIM716" if state.pending else ("PIM712" if exc.status and not exc.retryable else "PIM711")
        waiting = " The service has the last batch; the next run checks it before sending anything." if state.pending else ""
        outcome.problem(code, redact(f"{exc}.{waiting}"), where)
        outcome.status = FAILED
    finally:
        if not dry_run:
            outcome.requests, outcome.retries = transport.requests_sent, transport.retries
        transport.close()
    return outcome


def _describe(outcome: Outcome, plan, pending: list) -> None:
    outcome.status = DRY_RUN
    if outcome.kind == "upload":
        outcome.would_send = len(plan.payloads)
        outcome.unchanged = plan.files - len(plan.payloads)
        outcome.preview = [path for path, _, _ in plan.payloads[:PREVIEW]]
        outcome.would_delete = len(plan.delta.removed)
    else:
        outcome.would_send = len(plan.delta.changed)
        outcome.would_delete = len(plan.delta.removed)
        outcome.preview = list(plan.delta.changed)[:PREVIEW] + [f"delete {i}" for i in plan.delta.removed[:PREVIEW]]
    outcome.bytes = plan.bytes
    outcome.requests = plan.requests
    if pending:
        outcome.problem("PIM716", f"{sum(len(p['items']) for p in pending)} items of an earlier run await the service's confirmation; a real run checks them first", Location(CONFIG_FILE), warning=True)
