"""Planned products as catalog records: the attributes, options, families and categories they need.

Codes come from the names in the export (option "Size" -> attribute `size`, value "Large" -> option
`large`), reusing what the project already defines: an attribute of that code and a fitting type, an
option whose label is the same text, the family an earlier import made for the same axes, a top-level
category with the same key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pim.importers.plan import PlannedProduct, PlannedVariant, option_slug
from pim.model import Variant
from pim.yamledit import literal_block

# What the import stores besides the product fields; each is defined (attribute_definition) when first used.
SEO_TITLE, SEO_DESCRIPTION, TAGS, WEIGHT, BARCODE = "seo_title", "seo_description", "tags", "weight", "barcode"
VARIANT_FIELDS = frozenset(Variant.model_fields)


def attribute_definition(code: str, locale: str) -> dict:
    labels = {TAGS: "Tags", SEO_TITLE: "SEO title", SEO_DESCRIPTION: "SEO description", WEIGHT: "Weight", BARCODE: "Barcode"}
    kind = {TAGS: {"type": "multi_enum", "options": {}}, WEIGHT: {"type": "measure", "units": ["g"], "min": 0}, BARCODE: {"type": "text"}}
    return {**kind.get(code, {"type": "text", "localizable": True}), "label": {locale: labels[code]}}


@dataclass
class Vocabulary:
    """The project's attributes, families and categories as plain documents, grown by the import."""

    market: str
    locale: str
    currency: str
    attributes: dict[str, Any]
    families: dict[str, dict]  # code -> document
    categories: dict[str, Any]
    changed_families: set[str] = field(default_factory=set)
    codes: dict[str, str] = field(default_factory=dict)  # import attribute name -> the code used

    def attribute(self, name: str, wanted: dict, code: str | None = None) -> str:
        """The code for one of the import's attributes: the existing one if it fits, else a new one."""
        if name in self.codes:
            return self.codes[name]
        code = code or name
        while code in self.attributes and not _fits(self.attributes[code], wanted):
            code = f"{code}_import"
        self.attributes.setdefault(code, wanted)
        self.codes[name] = code
        return code

    def axis(self, option_name: str) -> str:
        code = re.sub(r"[^\w]+", "_", option_name.lower()).strip("_") or "option"
        if code in VARIANT_FIELDS:  # a variant writes its axis values beside sku, price ...: "Price" cannot be one
            code = f"{code}_option"
        return self.attribute(f"axis:{code}", {"type": "enum", "label": {self.locale: option_name}, "options": {}}, code)

    def option(self, attribute: str, value: str) -> str:
        """The option code for a value, adding the option when the attribute has none with that label."""
        options = self.attributes[attribute].setdefault("options", {})
        if options is None:
            options = self.attributes[attribute]["options"] = {}
        for code, label in options.items():
            if code == value or (isinstance(label, dict) and label.get(self.locale) == value):
                return code
        code, base, n = option_slug(value), option_slug(value), 2
        while code in options:
            code, n = f"{base}-{n}", n + 1
        options[code] = {self.locale: value}
        return code

    def family(self, axes: tuple[str, ...], option_names: tuple[str, ...]) -> str:
        """The family named after the axes (`color-size`, or `simple`): the one an earlier import made, or a new one.

        A hand-made family with the same axes is not taken over: its required fields were written for other products."""
        base = "-".join(a.replace("_", "-") for a in axes) or "simple"
        code, n = base, 2
        while code in self.families and tuple((self.families[code] or {}).get("variant_axes") or ()) != axes:
            code, n = f"{base}-{n}", n + 1
        if code not in self.families:
            label = " / ".join(option_names) if option_names else "Without options"
            self.families[code] = {"label": {self.locale: label}, "attributes": [], "variant_axes": list(axes)}
            self.changed_families.add(code)
        return code

    def allow(self, family: str, codes: list[str]) -> None:
        """Add attributes a product of the family sets to the family's list (PIM209 otherwise)."""
        listed = list(self.families[family].get("attributes") or [])
        if missing := [code for code in dict.fromkeys(codes) if code not in listed]:
            self.families[family]["attributes"] = listed + missing
            self.changed_families.add(family)

    def category(self, type_name: str) -> str:
        key = option_slug(type_name)
        self.categories.setdefault(key, {"label": {self.locale: type_name}})
        return key


def _fits(existing: Any, wanted: dict) -> bool:
    if not isinstance(existing, dict) or existing.get("type") != wanted["type"]:
        return False
    if wanted["type"] == "measure":
        return "g" in (existing.get("units") or [])
    return bool(existing.get("localizable")) == bool(wanted.get("localizable"))


def product_record(product: PlannedProduct, vocabulary: Vocabulary) -> dict:
    """The product file's content, keys in the order docs/catalog-format.md shows them."""
    loc, cur = vocabulary.locale, vocabulary.currency
    axes = tuple(vocabulary.axis(name) for name in product.option_names)
    record: dict[str, Any] = {"id": product.handle, "family": vocabulary.family(axes, product.option_names), "status": product.status}
    if product.vendor:
        record["brand"] = product.vendor
    if product.condition and product.condition != "new":
        record["condition"] = product.condition
    if product.type:
        record["categories"] = [vocabulary.category(product.type)]
    record["name"] = {loc: product.title}
    if product.description:
        record["description"] = {loc: literal_block(product.description)}
    attributes: dict[str, Any] = {}
    if product.tags:
        code = vocabulary.attribute(TAGS, attribute_definition(TAGS, loc))
        attributes[code] = [vocabulary.option(code, tag) for tag in product.tags]
    for name, text in ((SEO_TITLE, product.seo_title), (SEO_DESCRIPTION, product.seo_description)):
        if text:
            attributes[vocabulary.attribute(name, attribute_definition(name, loc))] = {loc: text}
    weights = {_weight(v) for v in product.variants}
    if len(weights) == 1 and None not in weights:  # one weight for every variant: said once, on the product
        attributes[vocabulary.attribute(WEIGHT, attribute_definition(WEIGHT, loc))] = weights.pop()
    if attributes:
        record["attributes"] = attributes
    # The product's sale also applies to a variant with its own price (pim.checks), so the product carries a
    # sale only when every variant has it; otherwise each variant on sale carries its own.
    same = len({(v.price, v.compare_at) for v in product.variants}) == 1
    first = product.variants[0]
    base = first if same else PlannedVariant(first.row, first.sku, (), first.compare_at or first.price)
    record.update(_prices(base, cur))
    if images := product.ordered_images():
        record["images"] = [{"src": i.src, **({"alt": {loc: i.alt}} if i.alt else {})} for i in images]
    shared_weight = WEIGHT in vocabulary.codes and vocabulary.codes[WEIGHT] in attributes
    record["variants"] = [_variant_record(v, axes, base, shared_weight, vocabulary) for v in product.variants]
    used = [*attributes, *(code for v in record["variants"] for code in v.get("attributes", {}))]
    vocabulary.allow(record["family"], used)
    return record


def _variant_record(variant: PlannedVariant, axes: tuple[str, ...], base: PlannedVariant, shared_weight: bool, vocabulary: Vocabulary) -> dict:
    record: dict[str, Any] = {"sku": variant.sku}
    if variant.gtin:
        record["gtin"] = variant.gtin
    if variant.mpn:
        record["mpn"] = variant.mpn
    for axis, value in zip(axes, variant.options):
        record[axis] = vocabulary.option(axis, value)
    record["stock"] = variant.stock
    if (variant.price, variant.compare_at) != (base.price, base.compare_at):
        record.update(_prices(variant, vocabulary.currency))  # a variant's own price carries its own sale
    if variant.image:
        record["images"] = [{"src": variant.image}]
    attributes = {}
    if not shared_weight and (weight := _weight(variant)):
        attributes[vocabulary.attribute(WEIGHT, attribute_definition(WEIGHT, vocabulary.locale))] = weight
    if variant.barcode:
        attributes[vocabulary.attribute(BARCODE, attribute_definition(BARCODE, vocabulary.locale))] = variant.barcode
    if attributes:
        record["attributes"] = attributes
    return record


def _prices(variant: PlannedVariant, currency: str) -> dict:
    # Shopify's compare-at price is the regular price and its price the sale price (see mappings/shopify.yaml).
    if variant.compare_at is None:
        return {"price": {currency: _amount(variant.price)}}
    return {"price": {currency: _amount(variant.compare_at)}, "sale": {"price": {currency: _amount(variant.price)}}}


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _weight(variant: PlannedVariant) -> str | None:
    return None if variant.grams is None else f"{variant.grams.normalize():f} g"
