"""Meta (Facebook / Instagram) catalog rules (kind `meta`): channels.md §2."""

from __future__ import annotations

from typing import Iterable, Sequence

from pim.feed import FeedInfo, Item
from pim.rules import ChannelRules, Violation, key_of, present, text, unique_ids


def _identifier(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # At least one of brand, mpn or gtin [S15].
    if not any(present(item, name) for name in ("brand", "mpn", "gtin")):
        yield Violation(
            "brand",
            "PIM306",
            "the item has no brand, mpn or gtin and Meta requires one of them: "
            "give the product its brand, or its GTIN or manufacturer part number",
        )


def _variants(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # One item per SKU sharing item_group_id, and no parent row [S14].
    if item.level == "parent":
        yield Violation(
            "id",
            "PIM303",
            "the item is a parent row, which Meta does not take: "
            "send only the variants and give each the product id as item_group_id",
        )
    elif item.group_id and not present(item, "item_group_id"):
        yield Violation(
            "item_group_id",
            "PIM310",
            f'the item is a variant of "{item.group_id}" but has no item_group_id: '
            "map item_group_id to the product id so Meta shows the variants together",
        )


def ids_not_group_ids(items: Sequence[Item], info: FeedInfo) -> Iterable[tuple[str, Violation]]:
    """No item's id may equal any item_group_id in the feed ([S12], [S60])."""
    group_ids = {text(item.fields["item_group_id"]) for item in items if present(item, "item_group_id")}
    for item in items:
        if key_of(item, "id") in group_ids:
            yield item.id, Violation(
                "id",
                "PIM313",
                f'id "{key_of(item, "id")}" is also used as an item_group_id, which Meta does not allow: '
                "give the variants' group a different id from every item id",
            )


ids_not_group_ids.reads = ("id", "item_group_id")  # type: ignore[attr-defined]
ids_not_group_ids.ids = ("id",)  # type: ignore[attr-defined] - through key_of; item_group_id is read as it is

RULES = ChannelRules(
    channel="Meta",
    required=("id", "title", "description", "availability", "condition", "price", "link", "image_link"),  # [S15]
    id_length={"id": 100},  # [S12]
    max_length={
        "title": 200,  # [S13] (3P); Meta's country-override template says 100 [S12]
        "description": 9999,  # [S13] (3P); the override template says 5,000 [S12]
        "brand": 100,  # [S13] (3P)
    },
    enums={
        # [S12]; [S60] doubts anything but "in stock"/"out of stock" is honoured, but all five are accepted.
        "availability": frozenset({"in stock", "out of stock", "preorder", "available for order", "discontinued"}),
        "condition": frozenset({"new", "refurbished", "used"}),  # [S15]
        "age_group": frozenset({"adult", "all ages", "teen", "kids", "toddler", "infant", "newborn"}),  # [S14b]
    },
    prices=("price", "sale_price"),  # "9.99 USD" [S11]
    price_example="9.99 USD",
    sale_price=("sale_price", "price"),
    date_ranges=("sale_price_effective_date",),  # [S12]
    links={"link": None},  # no published length limit
    image_links={"image_link": None, "additional_image_link": None},
    max_values={"additional_image_link": 20},  # [S14b] (3P)
    separators={"additional_image_link": r"[,;|\s]+"},  # one field, `,` `;` space or `|` [S14b]
    gtins=("gtin",),
    extra=(_identifier, _variants),
    # Duplicate ids: "we ignore all instances" [S60], so every copy is left out and reported.
    feed_checks=(unique_ids("id"), ids_not_group_ids),
)
