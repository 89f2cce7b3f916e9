"""Shopify product CSV rules (kind `shopify`): one item per CSV row, fields named by column, channels.md §5.

Written against the legacy header set (`Handle`, `Variant SKU`, ...), which Shopify's own sample
files use; the renamed current headers are not checked here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable

from pim.feed import FeedInfo, Item
from pim.gtin import GTIN_LENGTHS, gtin_problem
from pim.rules import ChannelRules, Violation, present, text

MONEY = re.compile(r"^\d+\.\d{2}$")  # a plain number, e.g. 19.99 (§0)
_OPTION_NAME = re.compile(r"^Option(\d+) Name$")
MAX_OPTIONS = 3  # [S40]


def _handle(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # Rows of one product share the Handle [S40]; the writer falls back to the group, then product id.
    if not (present(item, "Handle") or item.group_id or item.product_id):
        yield Violation("Handle", "PIM301", "Handle is missing: map Handle to the product's URL handle")


def _sku(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # Parent rows ("product" fields before the variants) have no SKU; every other row sells something.
    if item.level != "parent" and not present(item, "Variant SKU"):
        yield Violation(
            "Variant SKU", "PIM301", "Variant SKU is missing on a variant row: give the variant a SKU in the catalog"
        )


def _money(item: Item, info: FeedInfo) -> Iterable[Violation]:
    for name in ("Variant Price", "Variant Compare At Price"):
        if present(item, name) and not MONEY.match(text(item.fields[name]).strip()):
            yield Violation(
                name,
                "PIM304",
                f'{name} "{item.fields[name]}" is not a plain amount: write the number with two decimals and '
                "no currency, like 19.99",
            )


def _compare_at(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # Compare-at is the crossed-out "was" price: Shopify shows a sale only when it is above the price.
    price, compare = (text(item.fields.get(n, "")).strip() for n in ("Variant Price", "Variant Compare At Price"))
    if MONEY.match(price) and MONEY.match(compare) and Decimal(compare) <= Decimal(price):
        yield Violation(
            "Variant Compare At Price",
            "PIM311",
            f"Variant Compare At Price {compare} is not above Variant Price {price}: "
            "raise the compare-at price to the regular price or remove it",
        )


def _barcode(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # Shopify takes any barcode (ISBN, internal codes); only numbers shaped like a GTIN are checked.
    barcode = text(item.fields.get("Variant Barcode", "")).strip()
    if barcode.isascii() and barcode.isdigit() and len(barcode) in GTIN_LENGTHS:
        problem = gtin_problem(barcode)
        if problem:
            yield Violation("Variant Barcode", "PIM305", problem)


def _options(item: Item, info: FeedInfo) -> Iterable[Violation]:
    used = sorted(
        int(match.group(1))
        for name, value in item.fields.items()
        if (match := _OPTION_NAME.match(name)) and present(item, name)
    )
    if len(used) > MAX_OPTIONS or any(n > MAX_OPTIONS for n in used):
        yield Violation(
            f"Option{used[-1]} Name",
            "PIM312",
            f"the product has {len(used)} options; Shopify allows {MAX_OPTIONS}: "
            "drop an option or combine two (e.g. size and fit)",
        )


RULES = ChannelRules(
    channel="Shopify",
    enums={
        "Variant Inventory Policy": frozenset({"deny", "continue"}),  # (V, the sample files)
        "Status": frozenset({"active", "draft", "archived"}),  # [S41] (3P)
    },
    extra=(_handle, _sku, _money, _compare_at, _barcode, _options),
)
