"""What a mapping sees: a product and its variants read in one market (locale, currency, overrides).

Views are plain dicts and small value classes, built once per product and market, so that the
sandboxed expressions read them quickly and can reach nothing but data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from pim.catalog import Catalog
from pim.localize import fallback_chain, localized_text
from pim.model import AttributeType, Availability, Market, Product, Sale, Variant


@dataclass(frozen=True, slots=True)
class Option:
    """An enum value: prints as its label in the market's locale; `.code` is the catalog's code."""

    code: str
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:  # the form Google, Meta and Pinterest read: "15.00 USD"
        return f"{self.amount:.2f} {self.currency}"


@dataclass(frozen=True, slots=True)
class MarketView:
    code: str
    country: str
    locale: str
    currency: str
    chain: tuple[str, ...]

    @property
    def language(self) -> str:
        return self.locale.split("-")[0]

    @property
    def language_tag(self) -> str:  # Amazon's form: en_US
        return self.locale.replace("-", "_")


def market_view(catalog: Catalog, code: str, market: Market) -> MarketView:
    return MarketView(code, market.country, market.locale, market.currency, fallback_chain(catalog.settings, market.locale))


def with_overrides(product: Product, channel: str) -> Product:
    """The product as one channel sees it: its `channels.<channel>` overrides replace product fields."""
    overrides = product.channels.get(channel)
    if not overrides:
        return product
    return product.model_copy(update=dict(overrides))


class ViewBuilder:
    """Builds the dicts a mapping reads. One per catalog; caches labels per locale."""

    def __init__(self, catalog: Catalog, build_date: dt.date | None = None):
        self.catalog = catalog
        self.build_date = build_date
        self.shop = catalog.settings.shop
        self.images_url = (self.shop.images_url or self.shop.url.rstrip("/") + "/").rstrip("/") + "/"
        # The views of the product rendered last, per market: a product renders for every channel in
        # turn, and the views do not depend on the channel (a channel's overrides make another product
        # object). Only one product's are kept, so memory does not grow with the catalog.
        self._product: Any = None
        self._kept: dict[tuple, dict] = {}

    def _memo(self, product: Product, key: tuple, make: Callable[[], dict]) -> dict:
        if product is not self._product:
            self._product, self._kept = product, {}
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = make()
        return found

    def text(self, value: Any, market: MarketView) -> str | None:
        return localized_text(value, market.chain, self.catalog.content)

    def option(self, attribute: str, code: Any, market: MarketView) -> Option | Any:
        definition = self.catalog.attributes.get(attribute)
        if definition is None or not definition.options or not isinstance(code, str):
            return code
        return Option(code, self.text(definition.options.get(code), market) or code)

    def attribute_value(self, code: str, value: Any, market: MarketView) -> Any:
        definition = self.catalog.attributes.get(code)
        if definition is None:
            return value
        if definition.type is AttributeType.ENUM:
            return self.option(code, value, market)
        if definition.type is AttributeType.MULTI_ENUM and isinstance(value, list):
            return [self.option(code, v, market) for v in value]
        if definition.type is AttributeType.PRICE and isinstance(value, dict) and market.currency in value:
            return Money(Decimal(str(value[market.currency])).quantize(Decimal("0.01")), market.currency)
        if definition.localizable or (isinstance(value, str) and value.startswith("@content/")):
            return self.text(value, market)
        return value

    def images(self, images, market: MarketView) -> list[dict]:
        return [
            {
                "url": (url := image.src if image.src.startswith(("http://", "https://")) else self.images_url + image.src),
                "src": url,
                "path": image.src,
                "alt": self.text(image.alt, market),
            }
            for image in images or []
        ]

    def money(self, prices: dict | None, market: MarketView) -> Money | None:
        if not prices or market.currency not in prices:
            return None
        return Money(prices[market.currency], market.currency)

    def sale(self, sale: Sale | None, market: MarketView) -> dict | None:
        if sale is None or market.currency not in sale.price:
            return None
        today = self.build_date
        active = today is not None and (sale.start is None or sale.start <= today) and (sale.end is None or today <= sale.end)
        return {"price": Money(sale.price[market.currency], market.currency), "start": sale.start, "end": sale.end, "active": active}

    def product(self, product: Product, market: MarketView) -> dict:
        return self._memo(product, (market,), lambda: self._product_view(product, market))

    def _product_view(self, product: Product, market: MarketView) -> dict:
        catalog = self.catalog
        categories = [self.category(cid, market) for cid in product.categories if cid in catalog.categories]
        family = catalog.families.get(product.family)
        return {
            "id": product.id,
            "family": product.family,
            "axes": list(family.variant_axes) if family else [],
            "axis_labels": [self.text(catalog.attributes[a].label, market) or a for a in (family.variant_axes if family else []) if a in catalog.attributes],
            "status": product.status.value,
            "brand": product.brand,
            "condition": product.condition.value,
            "name": self.text(product.name, market),
            "description": self.text(product.description, market),
            "url": f"{self.shop.url.rstrip('/')}/products/{product.id}",
            "category": categories[0] if categories else None,
            "categories": categories,
            "attributes": {code: self.attribute_value(code, value, market) for code, value in product.attributes.items()},
            "price": self.money(product.price, market),
            "sale": self.sale(product.sale, market),
            "images": self.images(product.images, market),
            "variant_count": len(product.variants),
        }

    def category(self, cid: str, market: MarketView) -> dict:
        entry = self.catalog.categories[cid]
        labels = [self.text(self.catalog.categories[p].label, market) or p for p in entry.parents]
        label = self.text(entry.label, market) or cid
        return {"id": cid, "label": label, "google": entry.google, "path": " > ".join([*labels, label])}

    def variant(self, product: Product, variant: Variant, market: MarketView) -> dict:
        """The variant's own values; fields it does not set are None (the mapping decides the fallback)."""
        return self._memo(product, (market, id(variant)), lambda: self._variant_view(product, variant, market))

    def _variant_view(self, product: Product, variant: Variant, market: MarketView) -> dict:
        availability = variant.availability or (Availability.IN_STOCK if variant.stock > 0 else Availability.OUT_OF_STOCK)
        view = {
            "sku": variant.sku,
            "gtin": variant.gtin,
            "mpn": variant.mpn,
            "stock": variant.stock,
            "availability": availability.value,
            "available_from": variant.available_from,
            "price": self.money(variant.price, market),
            "sale": self.sale(variant.sale, market),
            "images": self.images(variant.images, market) if variant.images else None,
            "attributes": {code: self.attribute_value(code, value, market) for code, value in (variant.attributes or {}).items()},
            "url": f"{self.shop.url.rstrip('/')}/products/{product.id}?variant={variant.sku}",
        }
        for axis, code in variant.axis_values.items():
            view[axis] = self.option(axis, code, market)
        return view

    def item(self, product_view: dict, variant_view: dict) -> dict:
        """The variant falling back to its product, field by field."""
        merged = dict(product_view)
        for key, value in variant_view.items():
            if value is not None:
                merged[key] = value
        merged["attributes"] = {**product_view["attributes"], **variant_view["attributes"]}
        if variant_view["price"] is not None:
            merged["sale"] = variant_view["sale"]  # a variant's own price carries its own sale, not the product's
        merged["id"] = variant_view["sku"]
        price = merged.get("price")
        merged["price_amount"] = f"{price.amount:.2f}" if price is not None else None
        merged["currency"] = price.currency if price is not None else None
        merged["product_id"] = product_view["id"]
        return merged
