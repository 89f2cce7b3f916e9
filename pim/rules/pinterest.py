"""Pinterest catalog rules (kind `pinterest`): channels.md §3.2, limits from Pinterest's OpenAPI [S24]."""

from __future__ import annotations

import re
from typing import Iterable

from pim.feed import FeedInfo, Item
from pim.rules import ChannelRules, Violation, present, unique_ids

# "24.99 USD", "24.99USD" or "24.99" (which Pinterest reads as USD) [S24].
PRICE = re.compile(r"^(?P<amount>\d+\.\d{2})(?: ?(?P<currency>[A-Z]{3}))?$")


def _variant_group(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # item_group_id is needed for variants [S25] (3P).
    if item.group_id and not present(item, "item_group_id"):
        yield Violation(
            "item_group_id",
            "PIM310",
            f'the item is a variant of "{item.group_id}" but has no item_group_id: '
            "map item_group_id to the product id so Pinterest groups the variants",
        )


RULES = ChannelRules(
    channel="Pinterest",
    required=("id", "title", "description", "link", "image_link", "price", "availability"),  # [S25] (3P)
    id_length={"id": 127, "item_group_id": 127},  # [S24]
    max_length={
        "title": 500,  # [S24]
        "description": 10000,  # [S24]
        "product_type": 1000,  # [S24]
        **{f"custom_label_{n}": 511 for n in range(5)},  # [S24]
    },
    enums={
        "availability": frozenset({"in stock", "out of stock", "preorder"}),  # [S24]
        "condition": frozenset({"new", "used", "refurbished"}),  # [S24]
        "gender": frozenset({"male", "female", "unisex"}),  # [S24]
        "age_group": frozenset({"newborn", "infant", "toddler", "kids", "adult"}),  # [S24]
        "size_type": frozenset({"regular", "petite", "plus", "big_and_tall", "maternity"}),  # [S24]
    },
    enums_ignore_case=frozenset({"availability"}),  # "case-insensitive" [S24]
    prices=("price", "sale_price"),
    price_format=PRICE,
    price_example="24.99 USD",
    default_currency="USD",
    sale_price=("sale_price", "price"),  # sale price must be below price [S24]
    links={"link": 511},  # [S24]
    image_links={"image_link": 2000, "additional_image_link": 2000},  # [S24]
    max_values={"additional_image_link": 10},  # [S24]
    separators={"additional_image_link": ","},  # one comma-separated column in CSV/TSV
    gtins=("gtin",),
    extra=(_variant_group,),
    feed_checks=(unique_ids("id"),),
)
