"""Amazon SP-API listings rules (kind `amazon`): one JSON_LISTINGS_FEED message per item, channels.md §4.

Item fields as `pim.writers.amazon_json` reads them: `operation` (default UPDATE), `product_type`,
`requirements`, `attributes` (attribute name -> list of value objects, as the Product Type
Definition wants them) and `patches`. The item id is the seller SKU. Violations inside attributes
name a path such as `attributes.item_name`.
"""

from __future__ import annotations

import re
from typing import Iterable

from pim.feed import FeedInfo, Item
from pim.gtin import gtin_problem
from pim.rules import ChannelRules, Violation, is_blank, text, unique_ids

SKU_LIMIT = 40  # (M): Amazon's seller SKU limit; the feed schema only says minLength 1 [S31]
ITEM_NAME_LIMIT = 200  # (M): Amazon's title policy; the saved example PTD allows far more (66,654)
PRODUCT_TYPE = re.compile(r"^[A-Z0-9_]+$")  # e.g. LUGGAGE, PRODUCT [S31]
# Localized attributes are selected by marketplace and language (V, example PTD `selectors`).
LOCALIZED = ("item_name", "product_description", "bullet_point")
GTIN_TYPES = ("ean", "gtin", "upc")  # minsan_code is an Italian pharmacy code, not a GTIN
_NEEDS_ATTRIBUTES = ("UPDATE", "PARTIAL_UPDATE")  # attributes minProperties 1 [S31]


def _operation(item: Item) -> str:
    return text(item.fields.get("operation") or "UPDATE")


def _sku(item: Item, info: FeedInfo) -> Iterable[Violation]:
    if not item.id.strip():
        yield Violation("sku", "PIM301", "the item has no SKU and Amazon requires one: give the variant a SKU")
    elif len(item.id) > SKU_LIMIT:
        yield Violation(
            "sku",
            "PIM302",
            f'SKU "{item.id}" is {len(item.id)} characters; Amazon allows {SKU_LIMIT}: use a shorter SKU',
        )


def _product_type(item: Item, info: FeedInfo) -> Iterable[Violation]:
    product_type = item.fields.get("product_type")
    operation = _operation(item)
    if operation == "DELETE":
        return
    if is_blank(product_type):
        yield Violation(
            "product_type",
            "PIM301",
            f"product_type is missing and Amazon requires it for {operation}: map the Amazon product type, e.g. LUGGAGE",
        )
    elif not PRODUCT_TYPE.match(text(product_type)):
        yield Violation(
            "product_type",
            "PIM304",
            f'product_type "{product_type}" is not an Amazon product type name: '
            "use capital letters, digits and underscores only, e.g. LUGGAGE",
        )
    if operation == "PATCH" and is_blank(item.fields.get("patches")):
        yield Violation("patches", "PIM301", "patches are missing and Amazon needs at least one for PATCH: map the changes")


def _attributes(item: Item, info: FeedInfo) -> Iterable[Violation]:
    attributes = item.fields.get("attributes")
    if isinstance(attributes, dict):
        # The writer drops empty attributes rather than send a blank that would clear the value.
        attributes = {name: values for name, values in attributes.items() if not is_blank(values)}
    if is_blank(attributes):
        if _operation(item) in _NEEDS_ATTRIBUTES:
            yield Violation(
                "attributes",
                "PIM301",
                f"attributes are missing and Amazon needs at least one for {_operation(item)}: map the listing attributes",
            )
        return
    if not isinstance(attributes, dict):
        yield Violation("attributes", "PIM304", "attributes is not a set of named attributes: map it as a mapping of attribute names")
        return
    for name, values in attributes.items():
        path = f"attributes.{name}"
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, dict) for v in values):
            yield Violation(
                path,
                "PIM304",
                f"{path} is not a list of value objects: write it as a list like [{{value: ...}}]",
            )
            continue
        yield from _attribute_values(path, name, values)


def _attribute_values(path: str, name: str, values: list | tuple) -> Iterable[Violation]:
    for value in values:
        if name in LOCALIZED:
            missing = [key for key in ("language_tag", "marketplace_id") if is_blank(value.get(key))]
            if missing:
                yield Violation(
                    path,
                    "PIM301",
                    f"{path} has a value without {' and '.join(missing)}: add them, e.g. language_tag en_US "
                    "and the marketplace id",
                )
        if name == "item_name" and len(text(value.get("value", ""))) > ITEM_NAME_LIMIT:
            size = len(text(value.get("value", "")))
            yield Violation(path, "PIM302", f"{path} is {size} characters; Amazon allows {ITEM_NAME_LIMIT}: shorten the title")
        if name == "externally_assigned_product_identifier" and text(value.get("type", "")).lower() in GTIN_TYPES:
            problem = gtin_problem(text(value.get("value", "")))
            if problem:
                yield Violation(path, "PIM305", problem)


RULES = ChannelRules(
    channel="Amazon",
    enums={
        "operation": frozenset({"UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"}),  # [S31]
        "requirements": frozenset({"LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"}),  # [S31]
    },
    extra=(_sku, _product_type, _attributes),
    feed_checks=(unique_ids("sku"),),
)
