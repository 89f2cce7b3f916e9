"""Rules across catalog files: references, duplicates, GTINs, prices, variants. Every problem located."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pim.attribute_values import check_value, option_message
from pim.catalog import CATALOG, Catalog, Locator
from pim.currencies import ISO_4217
from pim.gtin import gtin_problem, to_gtin14
from pim.localize import fallback_chain
from pim.model import CONTENT_PREFIX, AttributeType, Availability, Product, Variant
from pim.problems import Location, Problem, Severity
from pim.sources import Source
from pim.taxonomy import Taxonomy, TaxonomyError, load_taxonomy
from pim.validation_cache import UntypedProduct, every_line, lines, variant_ids
from pim.validation_errors import unknown_key_message

_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?$")
# Required entries that are product fields rather than attributes.
REQUIRED_FIELDS = frozenset({"name", "description", "brand", "images", "categories", "gtin"})
VARIANT_FIELDS = frozenset(Variant.model_fields)
# Fields a channel override may replace.
OVERRIDABLE = frozenset({"name", "description", "brand", "condition", "categories", "attributes", "price", "sale", "images"})


@dataclass
class _Context:
    catalog: Catalog
    locator: Locator
    source: Source
    locales: set[str]

    def at(self, relpath: str, *path: Any, key: bool = False) -> Location:
        return self.locator.at(relpath, tuple(path), key=key)


def check_catalog(catalog: Catalog, locator: Locator, source: Source) -> list[Problem]:
    """Every cross-file problem of the catalog, sorted by location."""
    ctx = _Context(catalog, locator, source, set(catalog.settings.locales))
    problems = [
        *_check_settings(ctx),
        *_check_attributes(ctx),
        *_check_categories(ctx),
        *_check_families(ctx),
        *_check_content(ctx),
        *_check_products(ctx),
    ]
    return sorted(problems, key=Problem.sort_key)


SETTINGS = f"{CATALOG}/settings.yaml"


def _check_settings(ctx: _Context) -> Iterator[Problem]:
    settings = ctx.catalog.settings
    for locale, entry in settings.locales.items():
        if not _LOCALE.match(locale):
            yield Problem("PIM206", f"{locale} is not a locale: write language-COUNTRY, e.g. fr-FR", ctx.at(SETTINGS, "locales", locale, key=True))
        if entry.fallback is not None and entry.fallback not in settings.locales:
            yield Problem("PIM206", f"{locale} falls back to {entry.fallback}, which is not declared under locales: declare it or fix the fallback", ctx.at(SETTINGS, "locales", locale, "fallback"))
        elif entry.fallback is not None and locale in fallback_chain(settings, entry.fallback):
            yield Problem("PIM212", f"the fallback chain of {locale} comes back to itself: end the chain at a locale without fallback", ctx.at(SETTINGS, "locales", locale, "fallback"))
    for index, currency in enumerate(settings.currencies):
        if currency not in ISO_4217:
            yield Problem("PIM207", f"{currency} is not an ISO 4217 currency code: use e.g. USD or EUR", ctx.at(SETTINGS, "currencies", index))
    for code, market in settings.markets.items():
        if market.locale not in settings.locales:
            yield Problem("PIM206", f"market {code} reads {market.locale}, which is not declared under locales", ctx.at(SETTINGS, "markets", code, "locale"))
        if market.currency not in settings.currencies:
            yield Problem("PIM207", f"market {code} pays in {market.currency}, which is not listed under currencies", ctx.at(SETTINGS, "markets", code, "currency"))


def _check_localized(ctx: _Context, relpath: str, value: Any, *path: Any) -> Iterator[Problem]:
    if isinstance(value, str):
        if value.startswith(CONTENT_PREFIX) and value[len(CONTENT_PREFIX):] not in ctx.catalog.content:
            yield Problem("PIM205", f"no content block {value}: add it under catalog/content/ or fix the reference", ctx.at(relpath, *path))
        return
    for locale in value or {}:
        if locale not in ctx.locales:
            yield Problem("PIM206", f"unknown locale {locale}: use one of {', '.join(sorted(ctx.locales))} or declare it in settings.yaml", ctx.at(relpath, *path, locale, key=True))


ATTRIBUTES = f"{CATALOG}/attributes.yaml"


def _check_attributes(ctx: _Context) -> Iterator[Problem]:
    for code, definition in ctx.catalog.attributes.items():
        if definition.type in (AttributeType.ENUM, AttributeType.MULTI_ENUM) and not definition.options:
            yield Problem("PIM103", f"{code} is an {definition.type.value}: list its options", ctx.at(ATTRIBUTES, code, key=True))
        if definition.type is AttributeType.MEASURE and not definition.units:
            yield Problem("PIM103", f"{code} is a measure: list its units, e.g. units: [g, kg]", ctx.at(ATTRIBUTES, code, key=True))
        if definition.localizable and definition.type not in (AttributeType.TEXT, AttributeType.RICH_TEXT):
            yield Problem("PIM104", f"{code}: only text and rich_text attributes can be localizable", ctx.at(ATTRIBUTES, code, "localizable"))
        if definition.label is not None:
            yield from _check_localized(ctx, ATTRIBUTES, definition.label, code, "label")
        for option, label in (definition.options or {}).items():
            yield from _check_localized(ctx, ATTRIBUTES, label, code, "options", option)


CATEGORIES = f"{CATALOG}/categories.yaml"


def _check_categories(ctx: _Context) -> Iterator[Problem]:
    taxonomy, problem = _load_taxonomy(ctx)
    if problem:
        yield problem
    for entry in ctx.catalog.categories.values():
        path = [part for parent in entry.parents for part in (parent.rsplit("/", 1)[-1], "children")]
        path.append(entry.id.rsplit("/", 1)[-1])
        yield from _check_localized(ctx, CATEGORIES, entry.label, *path, "label")
        if taxonomy is not None and entry.google is not None and entry.google not in taxonomy:
            yield Problem("PIM210", f"{entry.google} is not a Google product category id: look it up in Google's taxonomy-with-ids file", ctx.at(CATEGORIES, *path, "google"))


def _load_taxonomy(ctx: _Context) -> tuple[Taxonomy | None, Problem | None]:
    setting = ctx.catalog.settings.google_taxonomy
    if setting is None:
        return None, None
    path = Path(ctx.source.root) / setting
    try:
        return load_taxonomy(path), None
    except FileNotFoundError:
        return None, Problem("PIM007", f"Google's taxonomy file {setting} is not there, so category ids were not checked: download taxonomy-with-ids.en-US.txt to that path", ctx.at(SETTINGS, "google_taxonomy"), Severity.WARNING)
    except TaxonomyError as exc:
        return None, Problem("PIM007", str(exc), ctx.at(SETTINGS, "google_taxonomy"))


def _check_families(ctx: _Context) -> Iterator[Problem]:
    attributes = ctx.catalog.attributes
    for code, family in sorted(ctx.catalog.families.items()):
        relpath = f"{CATALOG}/families/{code}.yaml"
        if family.label is not None:
            yield from _check_localized(ctx, relpath, family.label, "label")
        for index, name in enumerate(family.attributes):
            if name not in attributes:
                yield Problem("PIM202", unknown_key_message(name, sorted(attributes)).replace("unknown key", "unknown attribute"), ctx.at(relpath, "attributes", index))
        for index, axis in enumerate(family.variant_axes):
            if axis not in attributes:
                yield Problem("PIM202", f"variant axis {axis} is not an attribute: define it in attributes.yaml", ctx.at(relpath, "variant_axes", index))
            elif attributes[axis].type is not AttributeType.ENUM:
                yield Problem("PIM104", f"variant axis {axis} must be an enum attribute, so every variant picks one of its options", ctx.at(relpath, "variant_axes", index))
        for channel, names in family.required.items():
            if channel != "all" and channel not in ctx.catalog.channels:
                known = ", ".join(["all", *sorted(ctx.catalog.channels)])
                yield Problem("PIM208", f"unknown channel {channel}: use one of {known}", ctx.at(relpath, "required", channel, key=True))
            for index, name in enumerate(names):
                if name not in REQUIRED_FIELDS and name not in attributes:
                    yield Problem("PIM202", f"{name} is neither a product field ({', '.join(sorted(REQUIRED_FIELDS))}) nor an attribute", ctx.at(relpath, "required", channel, index))


def _check_content(ctx: _Context) -> Iterator[Problem]:
    for block, text in sorted(ctx.catalog.content.items()):
        group, name = block.split("/", 1)
        yield from _check_localized(ctx, f"{CATALOG}/content/{group}.yaml", text, name)


def _check_products(ctx: _Context) -> Iterator[Problem]:
    if ctx.catalog.found_across is not None:  # no product file changed: nothing to check again
        yield from ctx.catalog.found_across
        return
    skus: list[str | tuple[str, ...]] = []  # one `joined` text per product: 100,000 products hold 500,000 SKUs
    gtins: list[str | tuple[str, ...]] = []
    for product in ctx.catalog.products:
        if not isinstance(product, UntypedProduct):  # an untyped product is unchanged: its problems came with it
            yield from _check_product(ctx, product, ctx.catalog.product_files[product.id])
        product_skus, product_gtins = variant_ids(product)
        skus.append(product_skus)
        gtins.append(product_gtins)
    every_sku = every_line(skus)
    # 036000291452 and 0036000291452 are one GTIN: compare the 14-digit form (to_gtin14).
    every_gtin = [gtin.zfill(14) for gtin in every_line(gtins) if gtin]
    if len(set(every_sku)) < len(every_sku) or len(set(every_gtin)) < len(every_gtin):  # rare: only then find where
        yield from _check_duplicates(ctx)


def _check_duplicates(ctx: _Context) -> Iterator[Problem]:
    skus: dict[str, tuple[str, int]] = {}
    gtins: dict[str, tuple[str, int]] = {}
    for product in ctx.catalog.products:
        relpath = ctx.catalog.product_files[product.id]
        variant_skus, variant_gtins = map(lines, variant_ids(product))
        for index, (sku, gtin) in enumerate(zip(variant_skus, variant_gtins)):
            yield from _check_unique(ctx, "PIM221", "SKU", sku, skus, relpath, index, "sku")
            if gtin:
                yield from _check_unique(ctx, "PIM222", "GTIN", gtin, gtins, relpath, index, "gtin", key=to_gtin14(gtin))


def _check_unique(ctx, code, what, value, seen, relpath, index, field, key=None) -> Iterator[Problem]:
    key = value if key is None else key
    if key in seen:
        other, other_index = seen[key]
        where = ctx.at(other, "variants", other_index, field)
        yield Problem(code, f"{what} {value} is already used by {other}:{where.line}: give each variant its own {what}", ctx.at(relpath, "variants", index, field), related=(where,))
    else:
        seen[key] = (relpath, index)


def check_product(catalog: Catalog, locator: Locator, product: Product, relpath: str) -> Iterator[Problem]:
    """One product's checks against the catalog's other files, not against other products: what the
    validation cache keeps with its file (pim.catalog.load_catalog runs them as each file loads)."""
    return _check_product(_Context(catalog, locator, locator.source, set(catalog.settings.locales)), product, relpath)


def _check_product(ctx: _Context, product: Product, relpath: str) -> Iterator[Problem]:
    catalog = ctx.catalog
    stem = relpath.rsplit("/", 1)[-1].removesuffix(".yaml")
    if stem != product.id:
        yield Problem("PIM106", f"the file is named {stem}.yaml but holds product {product.id}: rename the file to {product.id}.yaml or fix the id", ctx.at(relpath, "id"))
    family = catalog.families.get(product.family)
    if family is None:
        yield Problem("PIM201", unknown_key_message(product.family, sorted(catalog.families)).replace("unknown key", "unknown family"), ctx.at(relpath, "family"))
    for index, category in enumerate(product.categories):
        if category not in catalog.categories:
            yield Problem("PIM204", unknown_key_message(category, sorted(catalog.categories)).replace("unknown key", "unknown category"), ctx.at(relpath, "categories", index))
    yield from _check_localized(ctx, relpath, product.name, "name")
    yield from _check_localized(ctx, relpath, product.description, "description")
    yield from _check_attribute_values(ctx, product.attributes, family, relpath, ("attributes",))
    yield from _check_prices(ctx, product.price, product.sale, relpath, (), required=True)
    yield from _check_images(ctx, product.images, relpath, ("images",))
    yield from _check_variants(ctx, product, family, relpath)
    yield from _check_channel_overrides(ctx, product, relpath)


def _check_attribute_values(ctx, values: dict, family, relpath, path) -> Iterator[Problem]:
    attributes = ctx.catalog.attributes
    allowed = set(family.attributes) | set(family.variant_axes) if family else set(attributes)
    for code, value in values.items():
        definition = attributes.get(code)
        if definition is None:
            yield Problem("PIM202", unknown_key_message(code, sorted(allowed)).replace("unknown key", "unknown attribute"), ctx.at(relpath, *path, code, key=True))
            continue
        if code not in allowed:
            yield Problem("PIM209", f"{code} is not an attribute of family {family and product_family_name(family)}: add it to the family or remove it here", ctx.at(relpath, *path, code, key=True))
        for problem_code, message, below in check_value(code, definition, value, ctx.locales, ctx.catalog.content, gtin_problem):
            yield Problem(problem_code, message, ctx.at(relpath, *path, code, *below))


def product_family_name(family) -> str:
    label = family.label
    return label.get("en-US", next(iter(label.values()))) if isinstance(label, dict) else "?"


def _check_prices(ctx, price, sale, relpath, path, *, required: bool) -> Iterator[Problem]:
    currencies = ctx.catalog.settings.currencies
    for currency in price or {}:
        if currency not in currencies:
            yield Problem("PIM207", f"{currency} is not a currency of this catalog: use one of {', '.join(currencies)}", ctx.at(relpath, *path, "price", currency, key=True))
    if required:
        for currency in currencies:
            if currency not in price:
                yield Problem("PIM227", f"no {currency} price: add price.{currency}", ctx.at(relpath, *path, "price"))
    if sale is not None:
        yield from _check_sale(ctx, price, sale, relpath, path)


def _check_sale(ctx, regular_prices, sale, relpath, path) -> Iterator[Problem]:
    """The sale at `path` against the regular price it discounts (the variant's own, or its product's)."""
    currencies = ctx.catalog.settings.currencies
    for currency, amount in sale.price.items():
        regular = (regular_prices or {}).get(currency)
        if currency not in currencies:
            yield Problem("PIM207", f"{currency} is not a currency of this catalog", ctx.at(relpath, *path, "sale", "price", currency, key=True))
        elif regular is not None and amount >= regular:
            yield Problem("PIM224", f"the {currency} sale price {amount} is not below the price {regular}: lower the sale price or remove it", ctx.at(relpath, *path, "sale", "price", currency))
    if sale.start and sale.end and sale.end < sale.start:
        yield Problem("PIM108", f"the sale ends ({sale.end}) before it starts ({sale.start}): swap or fix the dates", ctx.at(relpath, *path, "sale", "end"))


def _check_images(ctx, images, relpath, path) -> Iterator[Problem]:
    for index, image in enumerate(images or []):
        if image.alt is not None:
            yield from _check_localized(ctx, relpath, image.alt, *path, index, "alt")
        if image.src.startswith(("http://", "https://")):
            continue
        if image.src.startswith("/") or ".." in image.src.split("/"):
            yield Problem("PIM211", f"image {image.src} points outside the catalog folder: keep images under catalog/ and write the path from there", ctx.at(relpath, *path, index, "src"))
            continue
        if not ctx.source.exists(f"{CATALOG}/{image.src}"):
            yield Problem("PIM211", f"image {image.src} is not in the catalog folder: add catalog/{image.src} or fix the path", ctx.at(relpath, *path, index, "src"))


def _check_variants(ctx: _Context, product: Product, family, relpath: str) -> Iterator[Problem]:
    axes = family.variant_axes if family else []
    seen: dict[tuple, int] = {}
    for index, variant in enumerate(product.variants):
        at = ("variants", index)
        # With an unknown family the axes are unknown too: its own problem says so, once.
        for key, value in variant.axis_values.items() if family else ():
            if key not in axes:
                yield Problem("PIM101", unknown_key_message(key, sorted(VARIANT_FIELDS | set(axes))), ctx.at(relpath, *at, key, key=True))
            elif not isinstance(value, str) or value not in (ctx.catalog.attributes[key].options or {}):
                yield Problem("PIM203", option_message(key, str(value), ctx.catalog.attributes[key].options or {}), ctx.at(relpath, *at, key))
        missing = [axis for axis in axes if axis not in variant.axis_values]
        for axis in missing:
            yield Problem("PIM225", f"variant {variant.sku} has no {axis}: every variant of family {product.family} sets {', '.join(axes)}", ctx.at(relpath, *at, "sku"))
        combination = tuple(variant.axis_values.get(axis) for axis in axes)
        if axes and not missing:
            if combination in seen:
                other = product.variants[seen[combination]].sku
                yield Problem("PIM226", f"variant {variant.sku} has the same {'/'.join(axes)} as {other} ({', '.join(map(str, combination))}): change one of them", ctx.at(relpath, *at, "sku"))
            else:
                seen[combination] = index
        if variant.gtin is not None and (problem := gtin_problem(variant.gtin)):
            yield Problem("PIM223", problem, ctx.at(relpath, *at, "gtin"))
        if variant.availability in (Availability.PREORDER, Availability.BACKORDER) and variant.available_from is None:
            yield Problem("PIM228", f"variant {variant.sku} is on {variant.availability.value}: add available_from with the date it ships", ctx.at(relpath, *at, "availability"))
        yield from _check_variant_prices(ctx, product, variant, relpath, at)
        if variant.attributes:
            yield from _check_attribute_values(ctx, variant.attributes, family, relpath, (*at, "attributes"))
        yield from _check_images(ctx, variant.images, relpath, (*at, "images"))


def _check_variant_prices(ctx: _Context, product: Product, variant: Variant, relpath: str, at: tuple) -> Iterator[Problem]:
    """A variant's own price, and its own sale against the price it sells at (its own, else the product's)."""
    yield from _check_prices(ctx, variant.price, None, relpath, at, required=False)
    if variant.sale is not None:
        yield from _check_sale(ctx, variant.price or product.price, variant.sale, relpath, at)
    elif variant.price is not None and product.sale is not None:
        # The product's sale also applies to a variant with its own price: it must discount that price too.
        for problem in _check_sale(ctx, variant.price, product.sale, relpath, ()):
            if problem.code == "PIM224":
                yield Problem("PIM224", f"variant {variant.sku}: {problem.message}", ctx.at(relpath, *at, "price"))


def _check_channel_overrides(ctx: _Context, product: Product, relpath: str) -> Iterator[Problem]:
    for channel, overrides in product.channels.items():
        if channel not in ctx.catalog.channels:
            known = ", ".join(sorted(ctx.catalog.channels)) or "none (add mappings/)"
            yield Problem("PIM208", f"unknown channel {channel}: the channels are {known}", ctx.at(relpath, "channels", channel, key=True))
        for field in overrides:
            if field not in OVERRIDABLE:
                yield Problem("PIM101", unknown_key_message(field, sorted(OVERRIDABLE)), ctx.at(relpath, "channels", channel, field, key=True))
            elif field in ("name", "description"):
                yield from _check_localized(ctx, relpath, overrides[field], "channels", channel, field)
