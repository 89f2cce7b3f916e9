"""Web output rules: `headless` (JSON for a storefront) and `jsonld` (schema.org Product markup), §6.

Items are products with a `variants` list; each variant dict has `price` and `currency`. A fault
in a variant names its path, e.g. `variants[2].price`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable

from pim.feed import FeedInfo, Item, Value
from pim.rules import ChannelRules, Violation, is_blank, text

CURRENCY = re.compile(r"^[A-Z]{3}$")  # ISO 4217


def _amount(value: Value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(text(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def variant_prices(channel: str, positive: bool) -> Callable[[Item, FeedInfo], Iterable[Violation]]:
    """A check of every variant's price and currency; `positive` means an offer with a price above 0
    is required (merchant listings), otherwise a product without variants passes."""

    def check(item: Item, info: FeedInfo) -> Iterable[Violation]:
        variants = item.fields.get("variants")
        if is_blank(variants) and not positive:
            return
        if is_blank(variants):
            yield Violation(
                "variants", "PIM301", f"the product has no variants with a price, and {channel} needs an offer: give it a price"
            )
            return
        for index, variant in enumerate(variants if isinstance(variants, (list, tuple)) else ()):
            yield from _variant(channel, positive, f"variants[{index}]", variant if isinstance(variant, dict) else {}, info)

    return check


def _variant(channel: str, positive: bool, path: str, variant: dict, info: FeedInfo) -> Iterable[Violation]:
    price, currency = variant.get("price"), variant.get("currency")
    if is_blank(price):
        yield Violation(f"{path}.price", "PIM301", f"{path} has no price and {channel} needs one: give the variant a price")
    else:
        amount = _amount(price)
        if amount is None:
            yield Violation(f"{path}.price", "PIM304", f'{path}.price "{price}" is not a number: write it like 24.90')
        elif amount < 0 or (positive and amount == 0):
            least = "above 0" if positive else "0 or more"
            yield Violation(f"{path}.price", "PIM303", f"{path}.price is {amount} but {channel} needs a price {least}: set the real price")
    if is_blank(currency):
        yield Violation(
            f"{path}.currency", "PIM301", f"{path} has no currency and {channel} needs one: give the price's currency code, like EUR"
        )
    elif not CURRENCY.match(text(currency)):
        yield Violation(
            f"{path}.currency", "PIM304", f'{path}.currency "{currency}" is not a currency code: use three capitals, like EUR'
        )
    elif info.currency and text(currency) != info.currency:
        yield Violation(
            f"{path}.currency",
            "PIM303",
            f"{path} is priced in {currency} but this feed sells in {info.currency}: map the {info.currency} price",
        )


# Our own storefront JSON: no published rules and free field names (pim.writers.headless_json), so
# only the variant prices are checked, when there are variants.
HEADLESS_RULES = ChannelRules(
    channel="the headless storefront",
    extra=(variant_prices("the headless storefront", positive=False),),
)

# Google merchant listing: Product.name, Product.image and an Offer with price > 0 and
# priceCurrency [S50] (M), [S50d] (3P).
JSONLD_RULES = ChannelRules(
    channel="Google rich results",
    required=("name", "image"),
    image_links={"image": None},
    extra=(variant_prices("Google rich results", positive=True),),
)
