"""Neutral rows into planned products: rows grouped by handle, every value parsed, every bad cell reported.

A bad value is left out and reported where it stands (row and column); a row that cannot become a
variant (no handle, no price, a duplicate) is skipped with the reason. Nothing here knows the catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pim.gtin import GTIN_LENGTHS, gtin_problem
from pim.importers.rows import MAX_OPTIONS, SourceRow
from pim.problems import Location, Problem, Severity

# A handle becomes a file name (catalog/products/<handle>.yaml): no separators, no leading dot.
HANDLE = re.compile(r"^\w[\w.-]*$")
NO_OPTIONS = ("Title", "Default Title")  # how Shopify writes a product without options
VARIANT_FIELDS = ("option1_value", "option2_value", "option3_value", "sku", "price", "barcode", "inventory_qty")
STATUSES = ("active", "draft", "archived")
CONDITIONS = ("new", "refurbished", "used")


@dataclass
class PlannedImage:
    src: str
    alt: str
    position: int | None
    row: SourceRow


@dataclass
class PlannedVariant:
    row: SourceRow
    sku: str
    options: tuple[str, ...]  # values, in option order
    price: Decimal
    compare_at: Decimal | None = None
    gtin: str | None = None
    barcode: str | None = None  # a code that is not a GTIN (internal, ISBN with dashes ...)
    mpn: str | None = None
    grams: Decimal | None = None
    stock: int = 0
    image: str | None = None


@dataclass
class PlannedProduct:
    handle: str
    row: SourceRow  # the product's first row
    title: str
    status: str
    option_names: tuple[str, ...] = ()
    description: str = ""
    vendor: str = ""
    type: str = ""
    tags: list[str] = field(default_factory=list)
    seo_title: str = ""
    seo_description: str = ""
    condition: str = ""
    images: list[PlannedImage] = field(default_factory=list)
    variants: list[PlannedVariant] = field(default_factory=list)
    variant_rows: int = 0  # rows that tried to be a variant, imported or skipped

    @property
    def complete(self) -> bool:
        """Every variant row was imported, so a variant the catalog has and the export lacks is gone from the shop."""
        return self.variant_rows == len(self.variants)

    def ordered_images(self) -> list[PlannedImage]:
        """By position, unpositioned ones after in file order; an image listed twice counts once."""
        seen: set[str] = set()
        ordered = []
        for image in sorted(self.images, key=lambda i: (i.position is None, i.position or 0, i.row.line)):
            if image.src not in seen:
                seen.add(image.src)
                ordered.append(image)
        return ordered


def plan_products(rows: list[SourceRow]) -> tuple[list[PlannedProduct], list[Problem]]:
    """Products in the order their handles first appear, and the problems of their rows."""
    problems: list[Problem] = []
    products: dict[str, PlannedProduct] = {}
    skus: set[str] = set()
    gtins: set[str] = set()
    for row in rows:
        handle = row.get("handle")
        if not handle:
            problems.append(_error("PIM803", row, "handle", "the row has no handle, so it belongs to no product: skipped (fill the handle column)"))
            continue
        if not HANDLE.match(handle):
            problems.append(_error("PIM804", row, "handle", f"handle {handle!r} cannot be a product id (letters, digits, '-', '_' and '.' only): row skipped"))
            continue
        product = products.get(handle)
        if product is None:
            product = products[handle] = _start_product(handle, row, problems)
        if row.get("image_src"):
            product.images.append(PlannedImage(row.get("image_src"), row.get("image_alt"), _position(row, problems), row))
        if any(row.get(name) for name in VARIANT_FIELDS):
            product.variant_rows += 1
            variant = _variant(product, row, problems, skus, gtins)
            if variant is not None:
                product.variants.append(variant)
    planned = []
    for product in products.values():
        if product.variants:
            if not product.row.get("title"):
                problems.append(_warning("PIM820", product.row, "title", f"product {product.handle} has no title on its first row: its handle is used as the name"))
            planned.append(product)
        elif not product.variant_rows:  # when its rows were skipped, each already says why
            problems.append(_error("PIM819", product.row, "handle", f"product {product.handle} has no row that could be imported as a variant: skipped"))
    _derive_skus(planned, skus, problems)
    return planned, problems


def _start_product(handle: str, row: SourceRow, problems: list[Problem]) -> PlannedProduct:
    title = row.get("title")
    names = tuple(row.get(f"option{n}_name") for n in range(1, MAX_OPTIONS + 1))
    names = names[: max((i + 1 for i, name in enumerate(names) if name), default=0)]
    if names[:1] == (NO_OPTIONS[0],) and row.get("option1_value") in ("", NO_OPTIONS[1]):
        names = ()
    return PlannedProduct(
        handle=handle, row=row, title=title or handle, status=_status(row, problems), option_names=names,
        description=row.get("description"), vendor=row.get("vendor"), type=row.get("type"),
        tags=list(dict.fromkeys(tag.strip() for tag in row.get("tags").split(",") if tag.strip())),
        seo_title=row.get("seo_title"), seo_description=row.get("seo_description"), condition=_condition(row, problems),
    )  # fmt: skip


def _status(row: SourceRow, problems: list[Problem]) -> str:
    published = row.get("published").lower()
    fallback = "draft" if published == "false" else "active"
    status = row.get("status").lower()
    if status and status not in STATUSES:
        problems.append(_error("PIM815", row, "status", f"status {row.get('status')!r} is not active, draft or archived: {fallback} is used (from Published)"))
        return fallback
    return status or fallback


def _condition(row: SourceRow, problems: list[Problem]) -> str:
    condition = row.get("condition").lower()
    if condition and condition not in CONDITIONS:
        problems.append(_error("PIM815", row, "condition", f"condition {row.get('condition')!r} is not new, refurbished or used: left out"))
        return ""
    return condition


def _variant(product: PlannedProduct, row: SourceRow, problems: list[Problem], skus: set[str], gtins: set[str]) -> PlannedVariant | None:
    options = tuple(row.get(f"option{n}_value") for n in range(1, len(product.option_names) + 1))
    for n in range(len(product.option_names) + 1, MAX_OPTIONS + 1):
        if row.get(f"option{n}_value") and not (n == 1 and row.get("option1_value") == NO_OPTIONS[1]):
            problems.append(_error("PIM814", row, f"option{n}_value", f"a value for option {n}, which product {product.handle} does not name (Option{n} Name on its first row): value left out"))
    if missing := [n for n, value in enumerate(options, 1) if not value]:
        name = product.option_names[missing[0] - 1]
        problems.append(_error("PIM813", row, f"option{missing[0]}_value", f"the variant has no value for option {name!r}: row skipped"))
        return None
    if any(v.options == options for v in product.variants):
        problems.append(_error("PIM812", row, "option1_value", f"product {product.handle} already has a variant {' / '.join(options) or 'without options'}: row skipped"))
        return None
    price = _money(row, "price")
    if price is None:
        what = f"price {row.get('price')!r} is not an amount like 19.99" if row.get("price") else "the variant has no price"
        problems.append(_error("PIM805", row, "price", f"{what}: row skipped"))
        return None
    sku = row.get("sku")
    if sku and sku in skus:
        problems.append(_error("PIM811", row, "sku", f"SKU {sku} is already used by an earlier row: row skipped (give each variant its own SKU)"))
        return None
    skus.add(sku)
    variant = PlannedVariant(row, sku, options, price, mpn=row.get("mpn") or None, image=row.get("variant_image") or None)
    variant.compare_at = _compare_at(row, price, problems)
    _barcode(variant, row, problems, gtins)
    variant.stock = _stock(row, problems)
    variant.grams = _grams(row, problems)
    policy = row.get("inventory_policy").lower()
    if policy in ("continue", "true"):
        problems.append(_warning("PIM818", row, "inventory_policy", "selling when out of stock is not imported (pim writes deny): set availability: backorder with available_from on the variant if it should"))
    return variant


def _money(row: SourceRow, name: str) -> Decimal | None:
    text = row.get(name)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def _compare_at(row: SourceRow, price: Decimal, problems: list[Problem]) -> Decimal | None:
    if not row.get("compare_at_price"):
        return None
    compare = _money(row, "compare_at_price")
    if compare is None:
        problems.append(_error("PIM806", row, "compare_at_price", f"compare-at price {row.get('compare_at_price')!r} is not an amount like 19.99: left out"))
    elif compare <= price:
        # Shopify shows no sale then either; the catalog's rule is that a sale is below the price (PIM224).
        problems.append(_warning("PIM806", row, "compare_at_price", f"compare-at price {compare} is not above the price {price}, so nothing is on sale: left out"))
        return None
    return compare


def _barcode(variant: PlannedVariant, row: SourceRow, problems: list[Problem], gtins: set[str]) -> None:
    code = row.get("barcode")
    if not code:
        return
    if not (code.isascii() and code.isdigit() and len(code) in GTIN_LENGTHS):
        variant.barcode = code  # not shaped like a GTIN: kept as the shop's own barcode
        return
    if problem := gtin_problem(code):
        problems.append(_error("PIM807", row, "barcode", f"{problem}: left out"))
    elif code in gtins:
        problems.append(_error("PIM807", row, "barcode", f"GTIN {code} is already used by an earlier row: left out"))
    else:
        gtins.add(code)
        variant.gtin = code


def _stock(row: SourceRow, problems: list[Problem]) -> int:
    text = row.get("inventory_qty")
    if not text:
        return 0
    if not re.fullmatch(r"-?\d+", text) or int(text) < 0:
        problems.append(_error("PIM808", row, "inventory_qty", f"inventory {text!r} is not a whole number of 0 or more: left out (stock 0)"))
        return 0
    return int(text)


def _grams(row: SourceRow, problems: list[Problem]) -> Decimal | None:
    text = row.get("grams")
    if not text:
        return None
    try:
        grams = Decimal(text)
    except InvalidOperation:
        grams = Decimal(-1)
    if not grams.is_finite() or grams < 0:
        problems.append(_error("PIM809", row, "grams", f"weight {text!r} is not a number of grams: left out"))
        return None
    return grams or None  # Shopify writes 0 for "no weight given"


def _position(row: SourceRow, problems: list[Problem]) -> int | None:
    text = row.get("image_position")
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        problems.append(_error("PIM810", row, "image_position", f"image position {text!r} is not a whole number from 1: the image keeps its place in the file"))
        return None
    return int(text)


def _derive_skus(products: list[PlannedProduct], skus: set[str], problems: list[Problem]) -> None:
    """A variant without a SKU gets one from its handle and option values, stable across imports."""
    derived = []
    for product in products:
        for variant in product.variants:
            if variant.sku:
                continue
            base = "-".join([product.handle, *(option_slug(value) for value in variant.options)])
            sku, n = base, 2
            while sku in skus:
                sku, n = f"{base}-{n}", n + 1
            skus.add(sku)
            variant.sku = sku
            derived.append(_warning("PIM817", variant.row, "sku", f"the variant has no SKU: {sku} is used, and the Shopify feed carries it (give the variant a SKU in the shop to keep your own)"))
    if derived and len(derived) == sum(len(p.variants) for p in products) > 1:
        # An export without any SKU: one warning says it, rather than one per row.
        first = derived[0].location
        derived = [Problem("PIM817", f"no variant has a SKU: each gets its handle and option values as SKU (e.g. {products[0].variants[0].sku}), and the Shopify feed carries it", Location(first.path, 1, first.column), Severity.WARNING)]
    problems.extend(derived)


def option_slug(value: str) -> str:
    return re.sub(r"[^\w]+", "-", value.lower()).strip("-") or "option"


def _error(code: str, row: SourceRow, name: str, message: str) -> Problem:
    return Problem(code, message, row.at(name))


def _warning(code: str, row: SourceRow, name: str, message: str) -> Problem:
    return Problem(code, message, row.at(name), Severity.WARNING)
