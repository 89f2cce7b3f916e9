"""A publish as people and machines read it: one row per destination, then every item not delivered."""

from __future__ import annotations

import json

from pim.publish.outcome import DRY_RUN
from pim.publish.run import PublishResult
from pim.report import problem_dict, render_problems

PUBLISH_FORMATS = ("human", "json")


def render_publish(result: PublishResult, fmt: str) -> str:
    return _json(result) if fmt == "json" else _human(result)


def _human(result: PublishResult) -> str:
    if result.cannot_run:
        return render_problems(result.problems, "human")
    lines = []
    if result.dry_run:
        lines.append("Dry run: nothing was sent.\n")
        for o in result.outcomes:
            if o.status == DRY_RUN:
                first = f" (first: {', '.join(o.preview)})" if o.preview else ""
                deleted = f"{o.would_delete} items gone from them" if o.kind == "upload" else f"delete {o.would_delete}"
                lines.append(f"{o.destination}: would send {o.would_send} {o.unit}, {deleted}, {o.unchanged} unchanged; {o.bytes:,} bytes in {o.requests} request{'s' * (o.requests != 1)}{first}")
            else:
                lines.append(f"{o.destination}: {o.status}")
    else:
        header = ("destination", "kind", "status", "sent", "deleted", "unchanged", "failed", "bytes", "requests", "retries")
        rows = [header] + [(o.destination, o.kind, o.status, str(o.sent), str(o.deleted), str(o.unchanged), str(len(o.failed)), f"{o.bytes:,}", str(o.requests), str(o.retries)) for o in result.outcomes]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for row in rows:
            lines.append("  ".join(cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    problems = [p for o in result.outcomes for p in o.problems]
    if problems:
        lines += ["", render_problems(problems, "human").rstrip()]
    lines += ["", _verdict(result)]
    return "\n".join(lines) + "\n"


def _verdict(result: PublishResult) -> str:
    if result.dry_run:
        return "Nothing was sent (--dry-run)." if result.delivered else "A real run would not deliver everything: see the problems above."
    missing = [o.destination for o in result.outcomes if o.status not in ("delivered", "unchanged")]
    if missing:
        return f"Not delivered: {', '.join(missing)}."
    return f"Delivered to {len(result.outcomes)} destination{'s' * (len(result.outcomes) != 1)}."


def _json(result: PublishResult) -> str:
    body = {
        "delivered": result.delivered,
        "dry_run": result.dry_run,
        "commit": result.commit,
        "destinations": [
            {
                "name": o.destination,
                "kind": o.kind,
                "status": o.status,
                "unit": o.unit,
                "sent": o.sent,
                "deleted": o.deleted,
                "unchanged": o.unchanged,
                "bytes": o.bytes,
                "requests": o.requests,
                "retries": o.retries,
                "would_send": o.would_send,
                "would_delete": o.would_delete,
                "preview": o.preview,
                "would_remove": o.removed,
                "failed": [{"item": f.item, "file": f.file, "message": f.message} for f in o.failed],
                "problems": [problem_dict(p) for p in o.problems],
            }
            for o in result.outcomes
        ],
        "problems": [problem_dict(p) for p in result.problems],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
