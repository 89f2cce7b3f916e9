"""TikTok Ads catalog rules (kind `tiktok`): channels.md §3.1, a GMC-style feed keyed by sku_id."""

from __future__ import annotations

import unicodedata
from typing import Iterable

from pim.feed import FeedInfo, Item
from pim.rules import ChannelRules, Violation, present, text, unique_ids

# Code points that draw as emoji. Deliberately narrow: ©, ® and ™ also have emoji forms but are
# ordinary text in product names, so they stay allowed.
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),  # mahjong and cards to symbols and pictographs extended-A (incl. flags, faces)
    (0x2600, 0x27BF),  # miscellaneous symbols and dingbats (sun, heart, check marks)
    (0x231A, 0x231B), (0x23E9, 0x23F3), (0x23F8, 0x23FA),  # watch, hourglass, media buttons
    (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),  # arrows, squares, star, circle
    (0xFE0F, 0xFE0F),  # the selector that turns a character into its emoji form
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
)


def is_emoji(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _EMOJI_RANGES)


def _title_characters(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # "No emoji, control characters or promotional text" [S20]; promotional wording is not checked.
    if not present(item, "title"):
        return
    title = text(item.fields["title"])
    if any(unicodedata.category(c) == "Cc" for c in title):
        yield Violation(
            "title",
            "PIM303",
            "title contains control characters (such as line breaks or tabs), which TikTok rejects: "
            "write the title on one line",
        )
    emoji = "".join(dict.fromkeys(c for c in title if is_emoji(c) and c != "\ufe0f"))
    if emoji or "\ufe0f" in title:
        shown = f" {emoji}" if emoji else ""
        yield Violation("title", "PIM303", f"title contains emoji{shown}, which TikTok rejects: remove them from the title")


RULES = ChannelRules(
    channel="TikTok",
    # The first six are on TikTok's page [S20]; link, image_link and brand are inferred from its
    # count of 9 required fields and [S21] (3P).
    required=("sku_id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand"),
    # sku_id <= 50 is 3P only [S21]. Kept as a hard rule: it equals Google's id limit, and TikTok
    # imports GMC feeds, so no id that works on Google is lost. The other 3P limits (title 255,
    # description 5,000, 10 additional images) are not enforced until TikTok confirms them.
    id_length={"sku_id": 50},
    enums={
        "availability": frozenset({"in stock", "available for order", "preorder", "out of stock", "discontinued"}),  # [S20]
        "condition": frozenset({"new", "refurbished", "used"}),  # [S20]
    },
    prices=("price", "sale_price"),  # price string + currency [S20], written as Google writes it
    price_example="15.00 USD",
    sale_price=("sale_price", "price"),
    links={"link": None},  # no published length limit
    image_links={"image_link": None, "additional_image_link": None},
    separators={"additional_image_link": ","},
    gtins=("gtin",),  # optional, checked when present
    extra=(_title_characters,),
    # "Duplicates are ignored" [S20]: report every copy so none silently disappears.
    feed_checks=(unique_ids("sku_id"),),
)
