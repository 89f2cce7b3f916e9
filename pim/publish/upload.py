"""Whole feed files by HTTP PUT or POST: a web shop's import endpoint, or hosting for the feed URL that
Google, Meta, TikTok or Pinterest fetch on a schedule.

A file goes only when its bytes differ from the last ones delivered. Each request carries an
`Idempotency-Key` (the file's sha256): PUT replaces by nature; for POST, a resend after a lost answer
is harmless only if the endpoint replaces the feed (hosting does) or honours the key.
"""

from __future__ import annotations

from urllib.parse import quote

from pim.publish.config import UploadDestination
from pim.publish.delta import compute_delta
from pim.publish.feeds import ITEM_READERS, FeedError, content_hash, read_items, read_vouched
from pim.publish.outcome import Context, Plan

CONTENT_TYPES = {".xml": "application/xml", ".csv": "text/csv; charset=utf-8", ".tsv": "text/tab-separated-values; charset=utf-8", ".json": "application/json", ".txt": "text/plain; charset=utf-8"}


def feed_paths(dest: UploadDestination, ctx: Context) -> list[str]:
    return list(dest.files) if dest.files else sorted(ctx.manifest.files_of(dest.channel))


def plan(dest: UploadDestination, ctx: Context) -> Plan:
    paths = feed_paths(dest, ctx)
    if len(paths) > 1 and "{path}" not in dest.endpoint:
        raise FeedError("PIM702", f"{len(paths)} files go to destination {dest.name}: put {{path}} in its endpoint so each file has its own URL, or list one file under files")
    fmt = ctx.manifest.channels.get(dest.channel, {}).get("format", "")
    items: dict[str, tuple[str, None]] = {}
    changed = []
    for path in paths:
        data = read_vouched(ctx.feeds, ctx.manifest, dest.channel, path)
        sha = ctx.manifest.files_of(dest.channel)[path]["sha256"]
        # The drop guard counts items where the format can be read, and files (one headless product each) where not.
        if fmt in ITEM_READERS:
            items.update({f"{path}#{item}": (content_hash(fields), None) for item, fields in read_items(data, fmt, path).items()})
        else:
            items[path] = (sha, None)
        if ctx.state.files.get(path) != sha:
            changed.append((path, data, sha))
    delta = compute_delta(items, ctx.state.items)
    return Plan(delta, len(items), sum(len(d) for _, d, _ in changed), len(changed), changed, files=len(paths))


def send(dest: UploadDestination, plan: Plan, ctx: Context) -> None:
    paths = set(feed_paths(dest, ctx))
    ctx.outcome.unchanged = len(paths) - len(plan.payloads)
    for path, data, sha in plan.payloads:
        url = dest.endpoint.replace("{path}", quote(path)) if "{path}" in dest.endpoint else dest.endpoint
        suffix = path[path.rfind(".") :] if "." in path else ""
        headers = {"Content-Type": dest.content_type or CONTENT_TYPES.get(suffix, "application/octet-stream"), "Idempotency-Key": sha}
        if ctx.token:
            headers[dest.auth_header] = f"{dest.auth_scheme} {ctx.token}".strip()
        ctx.transport.request(dest.method, url, headers=headers, data=data)
        ctx.outcome.bytes += len(data)
        ctx.outcome.sent += 1
        ctx.state.files[path] = sha
        _record_items(ctx, path, plan)
        ctx.state.save()
    for gone in sorted(set(ctx.state.files) - paths):  # a file no longer published: forget it and its items
        del ctx.state.files[gone]
        _record_items(ctx, gone, plan)


def _record_items(ctx: Context, path: str, plan: Plan) -> None:
    """The items the service now holds from this file: exactly the file's, replacing what it held before."""
    for key in [k for k in ctx.state.items if k == path or k.startswith(f"{path}#")]:
        del ctx.state.items[key]
    ctx.state.items.update({k: v for k, v in plan.delta.hashes.items() if k == path or k.startswith(f"{path}#")})
