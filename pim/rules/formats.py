"""Value formats several channels share: price strings, ISO 8601 dates and ranges, web addresses.

Each `*_problem` returns None or the rest of a sentence that starts with the field name.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlsplit

# Extended ISO 8601 only (dashes and colons), as the channels' examples are written ([S7], [S12]);
# the offset may be `+01:00` or `+0100` (Google's own example is `2026-01-15T09:00+0100`).
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_DATE_HINT = "write it like 2026-01-15 or 2026-01-15T09:00+01:00"


def parse_price(pattern: re.Pattern[str], value: str, default_currency: str | None = None) -> tuple[Decimal, str | None] | None:
    """(amount, currency) from a price string, or None when the string does not fit the pattern."""
    match = pattern.match(value.strip())
    if match is None:
        return None
    try:
        amount = Decimal(match.group("amount"))
    except InvalidOperation:
        return None
    currency = match.groupdict().get("currency") or default_currency
    return amount, currency


def parse_date(value: str) -> datetime | None:
    if not _ISO.match(value):
        return None
    try:
        if "T" not in value:
            return datetime.combine(date.fromisoformat(value), datetime.min.time())
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def date_problem(value: str, channel: str) -> str | None:
    if parse_date(value.strip()) is None:
        return f'"{value}" is not a date {channel} can read: {_DATE_HINT}'
    return None


def date_range_problem(value: str, channel: str) -> str | None:
    """A range is `start/end` ([S12], (M) for Google's sale_price_effective_date)."""
    parts = value.strip().split("/")
    if len(parts) != 2:
        return f'"{value}" is not a date range: write the start and end dates joined by "/", like 2026-01-01/2026-01-31'
    start, end = parse_date(parts[0]), parse_date(parts[1])
    if start is None or end is None:
        return f'"{value}" holds a date {channel} cannot read: {_DATE_HINT}, on both sides of the "/"'
    comparable = (start.tzinfo is None) == (end.tzinfo is None)
    if comparable and end <= start:
        return f'"{value}" ends before it starts: put the earlier date first'
    return None


@lru_cache(maxsize=1 << 16)  # a product's image addresses are checked in every feed and for every variant
def url_problem(value: str, limit: int | None, channel: str) -> tuple[str, str] | None:
    """("length" | "format", rest of the sentence), or None for an acceptable web address.

    Channels want absolute http(s) addresses in ASCII (RFC 3986) ([S60] quoting Google's link rules).
    """
    if limit is not None and len(value) > limit:
        return "length", f"is {len(value)} characters; {channel} allows {limit}: use a shorter address"
    if not value.isascii():
        return "format", f'"{value}" contains characters outside ASCII: percent-encode them (é becomes %C3%A9)'
    if re.search(r"\s", value):
        return "format", f'"{value}" contains spaces: replace each space with %20'
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "format", f'"{value}" is not a full web address: write it with https:// and the domain'
    return None
