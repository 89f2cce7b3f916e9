"""What a destination needs: the items that changed since its last publish, the ones removed, and the drop guard.

A feed that suddenly lost most of its items is far more often a broken build or mapping than a real
clearance, and deleting them from a channel costs the listings' history. So a publish that would
remove more than `max_drop` of what was last published, or would leave the channel empty, is refused
unless someone says `--force --reason "..."`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

SHOWN = 10  # ids named in a refusal's message; the JSON report lists them all


@dataclass(frozen=True)
class Delta:
    changed: dict[str, Any]  # id -> payload to send (new or different content), in feed order
    removed: tuple[str, ...]  # ids published before and gone from the feed, sorted
    unchanged: int
    hashes: Mapping[str, str]  # id -> content hash of every item in the feed now
    previous: int  # items last published


def compute_delta(items: Mapping[str, tuple[str, Any]], published: Mapping[str, str]) -> Delta:
    """`items`: id -> (content hash, payload), from the built feed; `published`: id -> hash from the state."""
    changed = {item_id: payload for item_id, (digest, payload) in items.items() if published.get(item_id) != digest}
    removed = tuple(sorted(set(published) - set(items)))
    return Delta(changed, removed, len(items) - len(changed), {i: d for i, (d, _) in items.items()}, len(published))


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    removed: tuple[str, ...] = field(default=())


def check_drop(delta: Delta, max_drop: float, *, items_now: int) -> Refusal | None:
    """Why this publish must not go ahead without --force, or None."""
    if items_now == 0:
        return Refusal("PIM709", f"the feed is empty: publishing it would remove all {delta.previous} items last published" if delta.previous else "the feed is empty: there is nothing to publish", delta.removed)
    if not delta.previous:
        return None
    share = len(delta.removed) / delta.previous
    if share > max_drop:
        named = ", ".join(delta.removed[:SHOWN]) + (f" and {len(delta.removed) - SHOWN} more" if len(delta.removed) > SHOWN else "")
        return Refusal(
            "PIM708",
            f"the feed would remove {len(delta.removed)} of the {delta.previous} items last published ({share:.0%}, more than max_drop {max_drop:.0%}): {named}",
            delta.removed,
        )
    return None
