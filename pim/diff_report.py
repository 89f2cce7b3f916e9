"""What `pim diff` prints: a terminal listing (coloured on a terminal), a bounded Markdown comment for pull requests, JSON."""

from __future__ import annotations

import datetime as dt
import html
import json
from decimal import Decimal
from typing import Mapping

from pim.diff import ExclusionChange, FeedChange, FeedDiff, FieldChange
from pim.feed import Value
from pim.problems import Problem
from pim.report import problem_dict

DIFF_FORMATS = ("human", "markdown", "json")

# GitHub refuses comments over 65,536 characters; stay well under so a wrapper can add its own words.
MARKDOWN_LIMIT = 60_000
ROWS_PER_FEED = 50
FEWER_ROWS = 10  # when a feed's full table would not fit the comment any more
FIELDS_PER_ROW = 5
MARKDOWN_VALUE_WIDTH = 60
HUMAN_VALUE_WIDTH = 200
TOP_FIELDS = 3  # fields named in a summary line

_GREEN, _RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[32m", "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def render_diff(diff: FeedDiff, fmt: str, *, old: str, new: str, color: bool = False) -> str:
    """`old` and `new` name the two sides, e.g. "HEAD" and "working tree"."""
    if fmt == "json":
        return _json(diff, old, new)
    if fmt == "markdown":
        return _markdown(diff, old, new)
    return _human(diff, old, new, color)


def feed_summary(feed: FeedChange) -> str:
    """One line per feed: `google/US: +3 -1 ~12 (price on 10, title on 2)`, then exclusions and feed settings."""
    state = " (new feed)" if feed.feed_added else " (feed removed)" if feed.feed_removed else ""
    line = f"{feed.name}{state}: +{len(feed.added)} -{len(feed.removed)} ~{len(feed.changed)}"
    counts = feed.field_counts()
    if counts:
        named = [f"{field} on {count}" for field, count in counts[:TOP_FIELDS]]
        if len(counts) > TOP_FIELDS:
            named.append(f"{len(counts) - TOP_FIELDS} more field{'s' * (len(counts) - TOP_FIELDS != 1)}")
        line += f" ({', '.join(named)})"
    if feed.excluded:
        line += f"; {len(feed.excluded)} newly excluded"
    if feed.included:
        line += f"; {len(feed.included)} no longer excluded"
    if feed.info:
        line += f"; feed settings changed ({', '.join(c.field for c in feed.info)})"
    return line


def plain(value: Value) -> object:
    """A feed value as JSON can hold it: Decimals as strings so no digit is lost, mappings and tuples as objects and lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _shown(value: Value, width: int) -> str:
    text = "(none)" if value is None else json.dumps(plain(value), ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _reasons(change: ExclusionChange) -> str:
    return "; ".join(f"{r.code} {r.message}" for r in change.reasons)


# --- Human ----------------------------------------------------------------------------------


def _human(diff: FeedDiff, old: str, new: str, color: bool) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = [f"Comparing {old} with {new}", ""]
    for feed in diff.feeds:
        lines.append(paint(_BOLD, feed_summary(feed)))
        lines += [paint(_GREEN, f"  + {item_id}") for item_id in feed.added]
        lines += [paint(_RED, f"  - {item_id}") for item_id in feed.removed]
        lines += [paint(_RED, f"  ! excluded {e.item_id}: {_reasons(e)}") for e in feed.excluded]
        lines += [paint(_GREEN, f"  ✓ no longer excluded {e.item_id} (was: {_reasons(e)})") for e in feed.included]
        for item in feed.changed:
            lines.append(paint(_YELLOW, f"  ~ {item.item_id}"))
            lines += [f"      {_human_change(c, paint)}" for c in item.fields]
        if feed.info:
            lines.append(paint(_YELLOW, "  ~ feed settings"))
            lines += [f"      {_human_change(c, paint)}" for c in feed.info]
        lines.append("")
    lines += _human_problems("Problems introduced", diff.introduced, paint, _RED)
    lines += _human_problems("Problems fixed", diff.fixed, paint, _GREEN)
    if diff.uncompared:
        lines += [f"Not compared (one side could not build them, see the problems): {', '.join(diff.uncompared)}", ""]
    if diff.is_empty:
        lines.append(f"No changes to any feed ({len(diff.unchanged)} compared).")
    else:
        lines.append(paint(_DIM, f"{_count(len(diff.feeds), 'feed')} changed, {len(diff.unchanged)} unchanged."))
    return "\n".join(lines) + "\n"


def _human_change(change: FieldChange, paint) -> str:
    before, after = _shown(change.before, HUMAN_VALUE_WIDTH), _shown(change.after, HUMAN_VALUE_WIDTH)
    return f"{change.name}: {paint(_RED, before)} → {paint(_GREEN, after)}"


def _human_problems(title: str, problems: tuple[Problem, ...], paint, code: str) -> list[str]:
    if not problems:
        return []
    lines = [f"{title} ({len(problems)}):"]
    lines += [paint(code, f"  {p.location}  {p.severity.value}  {p.code}  {p.message}") for p in problems]
    return lines + [""]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


# --- Markdown -------------------------------------------------------------------------------


def _markdown(diff: FeedDiff, old: str, new: str) -> str:
    """Summary lines first, then one collapsed table per feed while they fit in MARKDOWN_LIMIT."""
    head = [f"### Feed changes: {_code(old)} → {_code(new)}", ""]
    if diff.is_empty:
        head.append(f"No changes to any feed ({len(diff.unchanged)} compared).")
    head += _capped([f"- {_escape(feed_summary(f))}" for f in diff.feeds], 100, "feeds")
    if diff.unchanged and not diff.is_empty:
        head += ["", f"{_count(len(diff.unchanged), 'feed')} unchanged."]
    if diff.uncompared:
        head += ["", f"Not compared (one side could not build them): {', '.join(_code(c) for c in diff.uncompared)}"]
    head += _markdown_problems("Problems introduced", diff.introduced)
    head += _markdown_problems("Problems fixed", diff.fixed)
    text = "\n".join(head) + "\n"
    left_out = 0
    reserve = 300  # room for the closing note
    for feed in diff.feeds:
        for rows in (ROWS_PER_FEED, FEWER_ROWS):
            block = _markdown_feed(feed, rows)
            if len(text) + len(block) <= MARKDOWN_LIMIT - reserve:
                text += block
                break
        else:
            left_out += 1
    if left_out:
        text += f"\n_Details of {_count(left_out, 'more feed')} left out to keep this comment short: run `pim diff` for all of them._\n"
    return text


def _markdown_feed(feed: FeedChange, max_rows: int) -> str:
    rows = [f"| {_code(i)} | added |" for i in feed.added]
    rows += [f"| {_code(i)} | removed |" for i in feed.removed]
    rows += [f"| {_code(e.item_id)} | newly excluded: {_escape(_reasons(e))} |" for e in feed.excluded]
    rows += [f"| {_code(e.item_id)} | no longer excluded (was: {_escape(_reasons(e))}) |" for e in feed.included]
    rows += [f"| {_code(i.item_id)} | {_markdown_changes(i.fields)} |" for i in feed.changed]
    if feed.info:
        rows.append(f"| _feed settings_ | {_markdown_changes(feed.info)} |")
    lines = ["<details>", f"<summary>{html.escape(feed_summary(feed))}</summary>", "", "| item | change |", "| --- | --- |"]
    lines += rows[:max_rows]
    if len(rows) > max_rows:
        lines += ["", f"… and {len(rows) - max_rows} more"]
    return "\n" + "\n".join(lines) + "\n\n</details>\n"


def _markdown_changes(changes: tuple[FieldChange, ...]) -> str:
    shown = [
        f"**{_escape(c.name)}**: {_code(_shown(c.before, MARKDOWN_VALUE_WIDTH))} → {_code(_shown(c.after, MARKDOWN_VALUE_WIDTH))}"
        for c in changes[:FIELDS_PER_ROW]
    ]
    if len(changes) > FIELDS_PER_ROW:
        shown.append(f"and {len(changes) - FIELDS_PER_ROW} more fields")
    return "<br>".join(shown)


def _markdown_problems(title: str, problems: tuple[Problem, ...]) -> list[str]:
    if not problems:
        return []
    lines = ["", f"**{title}** ({len(problems)})", ""]
    return lines + _capped([f"- {_code(str(p.location))} {p.code} {_escape(p.message)}" for p in problems], 20, "problems")


def _capped(lines: list[str], limit: int, noun: str) -> list[str]:
    return lines if len(lines) <= limit else [*lines[:limit], f"- … and {len(lines) - limit} more {noun}"]


def _escape(text: str) -> str:
    # Catalog text reaches the comment: no HTML from it, no pipes that would split a table cell, no line breaks.
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    text = text.replace("\n", " ").replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


# --- JSON -----------------------------------------------------------------------------------


def _json(diff: FeedDiff, old: str, new: str) -> str:
    document = {
        "old": old,
        "new": new,
        "changed": not diff.is_empty,
        "feeds": [_feed_json(f) for f in diff.feeds],
        "unchanged": list(diff.unchanged),
        "uncompared": list(diff.uncompared),
        "problems": {"introduced": [problem_dict(p) for p in diff.introduced], "fixed": [problem_dict(p) for p in diff.fixed]},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _feed_json(feed: FeedChange) -> dict:
    def changes(fields: tuple[FieldChange, ...]) -> list[dict]:
        return [{"field": c.field, "path": [plain(step) for step in c.path], "before": plain(c.before), "after": plain(c.after)} for c in fields]

    def exclusions(items: tuple[ExclusionChange, ...]) -> list[dict]:
        return [{"id": e.item_id, "reasons": [{"code": r.code, "message": r.message} for r in e.reasons]} for e in items]

    return {
        "channel": feed.channel,
        "market": feed.market,
        "summary": feed_summary(feed),
        "feed_added": feed.feed_added,
        "feed_removed": feed.feed_removed,
        "settings": changes(feed.info),
        "added": list(feed.added),
        "removed": list(feed.removed),
        "changed": [{"id": i.item_id, "fields": changes(i.fields)} for i in feed.changed],
        "excluded": exclusions(feed.excluded),
        "included": exclusions(feed.included),
        "field_counts": dict(feed.field_counts()),
    }
