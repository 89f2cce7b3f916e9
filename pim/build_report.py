"""What `pim build` prints: problems, exclusions with their reasons, and a summary table per feed."""

from __future__ import annotations

import json
from pathlib import Path

from pim.build import BuildResult, summary_rows
from pim.problems import has_errors
from pim.report import problem_dict, render_problems


def render_build(result: BuildResult, fmt: str, *, strict: bool = False) -> str:
    exclusion_problems = [p for feed in result.feeds for e in feed.excluded for p in e.problems]
    if fmt == "json":
        return json.dumps(
            {
                "problems": [problem_dict(p) for p in result.problems],
                "feeds": [
                    {"channel": c, "market": None if m == "-" else m, "items": i, "excluded": x, "warnings": w}
                    for c, m, i, x, w in summary_rows(result)
                ],
                "exclusions": [
                    {"channel": f.info.channel, "market": f.info.market, "item": e.item_id, "problems": [problem_dict(p) for p in e.problems]}
                    for f in result.feeds
                    for e in f.excluded
                ],
                "written": result.written,
            },
            indent=2,
            ensure_ascii=False,
        ) + "\n"
    if fmt == "github":
        return render_problems([*result.problems, *exclusion_problems], "github")
    lines: list[str] = []
    if result.problems:
        lines.append(render_problems(result.problems, "human").rstrip("\n"))
    if has_errors(result.problems):
        lines.append("Build stopped: fix the errors above; nothing was written.")
        return "\n".join(lines) + "\n"
    for feed in result.feeds:
        for exclusion in feed.excluded:
            for p in exclusion.problems:
                related = f" (mapping {p.related[0]})" if p.related else ""
                lines.append(f"excluded from {feed.name}: {p.location}  {p.code}  {p.message}{related}")
    rows = summary_rows(result)
    if rows:
        width = max(len(r[0]) for r in rows)
        lines.append("")
        lines.append(f"{'channel':<{width}}  market  {'items':>6}  {'excluded':>8}  {'warnings':>8}")
        for channel, market, items, excluded, warnings in rows:
            lines.append(f"{channel:<{width}}  {market:<6}  {items:>6}  {excluded:>8}  {warnings:>8}")
    if strict and result.exclusions:
        lines.append(f"\n--strict: {result.exclusions} excluded item(s); nothing was written.")
    elif result.written:
        kept = len(result.written) - len(result.changed)
        unchanged = f" ({len(result.changed)} changed; {kept} had the same bytes and were left as they were)" if kept else ""
        lines.append(f"\nWrote {len(result.written)} files into {_folder(result.written_to)}{unchanged}.")
    return "\n".join(lines) + "\n"


def _folder(path) -> str:
    """feeds/ as the user knows it: relative to where pim runs when it is below it."""
    if path is None:
        return "feeds/"
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = path
    return f"{shown.as_posix().rstrip('/')}/"
