"""GTIN checks (GTIN-8, -12, -13, -14): the one place that imports python-stdnum.

The catalog validator and the channel rules both ask here, so a GTIN means the same thing everywhere.
The rule is GS1 mod-10 (channels.md §9): weights 3, 1, 3, 1, ... from the right, and left-padding
with zeros to 14 digits does not change validity.
"""

from __future__ import annotations

from functools import lru_cache

from stdnum import ean

GTIN_LENGTHS = (8, 12, 13, 14)
_DIGITS = frozenset("0123456789")


def compact_gtin(value: str) -> str:
    """Drop the spaces and dashes people type between digit groups (Google ignores them, [S9c])."""
    return ean.compact(str(value))


def check_digit(body: str) -> str:
    """The GS1 check digit for a GTIN without its last digit."""
    return ean.calc_check_digit(body)


def to_gtin14(value: str) -> str:
    """The 14-digit form of a valid GTIN (zeros on the left): one form to compare and look up prefixes."""
    return str(value).zfill(14)


@lru_cache(maxsize=1 << 16)  # each feed checks the same GTINs again: a catalog's worth is remembered
def gtin_problem(value: str) -> str | None:
    """None for a valid GTIN, otherwise one sentence saying what is wrong and what to change.

    Strict: only ASCII digits, no separators (compact first if a channel allows them).
    """
    text = str(value)
    if not text or not set(text) <= _DIGITS:
        return (
            f'GTIN "{text}" contains characters other than digits: '
            "use only the 8, 12, 13 or 14 digits printed under the barcode"
        )
    if len(text) not in GTIN_LENGTHS:
        return (
            f'GTIN "{text}" has {len(text)} digits but a GTIN has 8, 12, 13 or 14: '
            "copy the full number from the barcode"
        )
    expected = check_digit(text[:-1])
    if text[-1] != expected:
        return (
            f'GTIN "{text}" has a wrong check digit (the last digit should be {expected}): '
            "check the number against the barcode"
        )
    if set(text) == {"0"}:
        # Passes mod-10 but is only ever a placeholder, never an assigned number.
        return f'GTIN "{text}" is all zeros: remove it or use the real number from the barcode'
    return None


def is_valid_gtin(value: str) -> bool:
    return gtin_problem(value) is None
