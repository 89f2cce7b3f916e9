"""BMEcat 2005 rules (kind `bmecat`): what one PRODUCT needs to validate against bmecat_2005.xsd, §7.

Fields as `pim.writers.bmecat` reads them: `supplier_pid` (default the item id), `description_short`,
`price_amount` (optional: without it the writer states the price "on request", which the XSD allows),
`gtin`.
"""

from __future__ import annotations

import re
from typing import Iterable

from pim.feed import FeedInfo, Item
from pim.rules import ChannelRules, Violation, key_of, present, text, unique_ids

# xsd:decimal, the base of dtNUMBER that PRICE_AMOUNT uses (XSD, V).
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
SUPPLIER_PID_LIMIT = 32


def _supplier_pid(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # typeSUPPLIER_PID: 1-32 characters (XSD, V). Checked here, not in max_length: an id is never truncated.
    pid = key_of(item, "supplier_pid").strip()
    if not pid:
        yield Violation("supplier_pid", "PIM301", "supplier_pid is missing and BMEcat requires it: give the variant a SKU")
    elif len(pid) > SUPPLIER_PID_LIMIT:
        yield Violation(
            "supplier_pid",
            "PIM302",
            f'supplier_pid "{pid}" is {len(pid)} characters; BMEcat allows {SUPPLIER_PID_LIMIT}: use a shorter SKU',
        )


def _price_amount(item: Item, info: FeedInfo) -> Iterable[Violation]:
    if present(item, "price_amount") and not DECIMAL.match(text(item.fields["price_amount"]).strip()):
        yield Violation(
            "price_amount",
            "PIM304",
            f'price_amount "{item.fields["price_amount"]}" is not a plain decimal number: '
            "write it with a dot and no currency, like 4.90",
        )


RULES = ChannelRules(
    channel="BMEcat",
    required=("description_short",),  # DESCRIPTION_SHORT+ (XSD, V)
    max_length={"description_short": 150},  # DESCRIPTION_SHORT, maxLength 150 (XSD, V)
    gtins=("gtin",),  # INTERNATIONAL_PID type="gtin", checked when present
    extra=(_supplier_pid, _price_amount),
    feed_checks=(unique_ids("supplier_pid"),),  # SUPPLIER_PID identifies the product
)
