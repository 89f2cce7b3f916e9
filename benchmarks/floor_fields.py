"""What the demo's google, meta, headless and amazon mappings compute, by hand: the floor's fields.

Plain dicts from `yaml.CSafeLoader` in, each channel's item values out, spelled as pim's mappings and
writers spell them (enum labels, "15.00 USD", fallback locales, pruned empty values). No checks: the
catalog is assumed valid (see floor.py).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import orjson
import yaml

CHANNELS = ("google", "meta", "headless", "amazon")
_TAG = re.compile(r"<[^>]+>")
_VARIANT_FIELDS = frozenset({"sku", "gtin", "mpn", "stock", "availability", "available_from", "price", "sale", "images", "attributes"})
META_COLUMNS = ("id", "title", "description", "availability", "condition", "price", "sale_price", "sale_price_effective_date", "link", "image_link", "additional_image_link", "brand", "gtin", "mpn", "item_group_id", "google_product_category", "product_type", "color", "size", "gender", "age_group", "quantity_to_sell_on_facebook")


def load(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


class Catalog:
    """Settings, attributes, categories, content, families and the four mappings' settings."""

    def __init__(self, project: Path):
        catalog = project / "catalog"
        settings = load(catalog / "settings.yaml")
        self.shop_name = settings["shop"]["name"]
        self.shop_link = settings["shop"]["url"]  # the feed's <link>, as written
        self.shop_url = self.shop_link.rstrip("/")
        self.images_url = (settings["shop"].get("images_url") or self.shop_url + "/").rstrip("/") + "/"
        self.markets = {code: Market(code, m, settings["locales"]) for code, m in settings["markets"].items()}
        self.attributes = load(catalog / "attributes.yaml")
        self.categories = {}
        self._flatten(load(catalog / "categories.yaml"), ())
        self.content = {f"{p.stem}/{block}": text for p in sorted((catalog / "content").glob("*.yaml")) for block, text in load(p).items()}
        self.axes = {p.stem: load(p).get("variant_axes") or [] for p in (catalog / "families").glob("*.yaml")}
        self.mappings = {name: load(project / "mappings" / f"{name}.yaml") for name in CHANNELS}

    def _flatten(self, tree: dict, parents: tuple) -> None:
        for key, node in tree.items():
            cid = "/".join((*parents[-1:], key)) if parents else key
            self.categories[cid] = (node["label"], node.get("google"), parents)
            self._flatten(node.get("children") or {}, (*parents, cid))

    def text(self, value, market: Market) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = self.content.get(value[9:]) if value.startswith("@content/") else {market.locale: value}
            if value is None:
                return None
        for locale in market.chain:
            if value.get(locale):
                return value[locale]
        return None

    def option(self, attribute: str, code, market: Market):
        options = (self.attributes.get(attribute) or {}).get("options")
        if not options or not isinstance(code, str):
            return code
        return self.text(options.get(code), market) or code


class Market:
    def __init__(self, code: str, market: dict, locales: dict):
        self.code, self.country, self.locale, self.currency = code, market["country"], market["locale"], market["currency"]
        chain, current = [], self.locale
        while current is not None and current not in chain:
            chain.append(current)
            current = (locales.get(current) or {}).get("fallback")
        self.chain = tuple(chain)


# ------------------------------------------------------------------ one product read in one market


def amount(value) -> str:
    text = str(value)
    return text if len(text) > 3 and text[-3] == "." else f"{Decimal(text):.2f}"


def attribute_value(c: Catalog, code: str, value, market: Market):
    """As the mapping prints it: enum labels, a price in the market's currency, localized text."""
    definition = c.attributes.get(code)
    if isinstance(value, float):
        return Decimal(repr(value))  # as pim makes a mapping's value plain: a float keeps its shortest digits
    if definition is None:
        return value
    kind = definition["type"]
    if kind == "enum":
        return c.option(code, value, market)
    if kind == "multi_enum" and isinstance(value, list):
        return [c.option(code, v, market) for v in value]
    if kind == "price" and isinstance(value, dict) and market.currency in value:
        return f"{amount(value[market.currency])} {market.currency}"
    if definition.get("localizable") or (isinstance(value, str) and value.startswith("@content/")):
        return c.text(value, market)
    return value


def images(c: Catalog, given, market: Market) -> list[tuple[str, str | None]]:
    return [(src if src.startswith(("http://", "https://")) else c.images_url + src, c.text(i.get("alt"), market)) for i in given or [] for src in (i["src"],)]


def sale(given, market: Market):
    if not given or market.currency not in given["price"]:
        return None
    return amount(given["price"][market.currency]), given.get("start"), given.get("end")


def date_range(start, end) -> str:
    first = f"{start}T00:00+0000" if start else "1970-01-01T00:00+0000"
    last = f"{end}T23:59+0000" if end else "2099-12-31T23:59+0000"
    return f"{first}/{last}"


class View:
    """The values the demo mappings read, for one product (with one channel's overrides) in one market."""

    def __init__(self, c: Catalog, product: dict, market: Market):
        self.product, self.market = product, market
        cid = next((cid for cid in product.get("categories") or [] if cid in c.categories), None)
        self.category_id = cid
        if cid is not None:
            label, self.google_category, parents = c.categories[cid]
            names = [c.text(c.categories[p][0], market) or p for p in parents]
            self.category_path = " > ".join([*names, c.text(label, market) or cid])
        else:
            self.google_category = self.category_path = None
        self.axes = c.axes.get(product["family"], [])
        self.axis_labels = [c.text(c.attributes[a].get("label"), market) or a for a in self.axes if a in c.attributes]
        self.name = c.text(product["name"], market)
        self.description = c.text(product.get("description"), market)
        self.plain_description = _TAG.sub("", self.description).strip() if self.description else None
        self.url = f"{c.shop_url}/products/{product['id']}"
        self.raw_attributes = product.get("attributes") or {}
        self.attributes = {code: attribute_value(c, code, v, market) for code, v in self.raw_attributes.items()}
        prices = product["price"]
        self.price = amount(prices[market.currency]) if market.currency in prices else None
        self.sale = sale(product.get("sale"), market)
        self.images = images(c, product.get("images"), market)
        self.variants = [VariantView(c, self, v, market) for v in product["variants"]]


class VariantView:
    """A variant falling back to its product (pim's `item`), with its axis values as labels."""

    def __init__(self, c: Catalog, p: View, v: dict, market: Market):
        self.sku, self.gtin, self.mpn, self.stock = v["sku"], v.get("gtin"), v.get("mpn"), v.get("stock", 0)
        self.availability = v.get("availability") or ("in_stock" if self.stock > 0 else "out_of_stock")
        self.available_from = v.get("available_from")
        self.url = f"{p.url}?variant={self.sku}"
        self.axes = {k: c.option(k, code, market) for k, code in v.items() if k not in _VARIANT_FIELDS}
        own = v.get("price")
        own_price = amount(own[market.currency]) if own and market.currency in own else None
        own_sale = sale(v.get("sale"), market)
        self.price = own_price or p.price
        self.sale = own_sale if own_price is not None or own_sale is not None else p.sale
        self.images = images(c, v["images"], market) if v.get("images") else p.images

    def size(self, *axes: str):
        return next((self.axes[a] for a in axes if self.axes.get(a)), None)


def for_channel(product: dict, channel: str) -> dict:
    overrides = (product.get("channels") or {}).get(channel)
    return {**product, **overrides} if overrides else product


# ------------------------------------------------------------------ the fields of each mapping


def google_item(p: View, v: VariantView) -> list[tuple[str, object]]:
    m = p.market
    title = " - ".join(x for x in (p.name, v.axes.get("color"), v.size("size", "shoe_size")) if x)
    sale_ = v.sale
    a = p.product.get("attributes") or {}
    return [
        ("id", v.sku), ("item_group_id", p.product["id"]), ("title", truncate_words(title, 150)),
        ("description", p.plain_description), ("link", v.url),
        ("image_link", v.images[0][0] if v.images else None), ("additional_image_link", [url for url, _ in v.images[1:]]),
        ("availability", v.availability),
        ("availability_date", f"{v.available_from}T00:00+0000" if v.available_from else None),
        ("price", f"{v.price} {m.currency}" if v.price else None),
        ("sale_price", f"{sale_[0]} {m.currency}" if sale_ else None),
        ("sale_price_effective_date", date_range(sale_[1], sale_[2]) if sale_ else None),
        ("brand", p.product.get("brand")), ("gtin", v.gtin), ("mpn", v.mpn),
        ("identifier_exists", "no" if not (v.gtin or v.mpn) else None),
        ("condition", p.product.get("condition", "new")), ("google_product_category", p.google_category),
        ("product_type", p.category_path), ("color", v.axes.get("color")), ("size", v.size("size", "shoe_size")),
        ("gender", a.get("gender")), ("age_group", a.get("age_group")),
        ("material", p.attributes.get("material")), ("shipping_weight", p.attributes.get("weight")),
    ]


def truncate_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > 0 else text[:limit]).rstrip(" ,;:-–")


def meta_row(p: View, v: VariantView, availability: dict) -> list:
    m, sale_, a = p.market, v.sale, p.product.get("attributes") or {}
    return [
        v.sku, p.name, p.plain_description, availability.get(v.availability, v.availability), p.product.get("condition", "new"),
        f"{v.price} {m.currency}" if v.price else None, f"{sale_[0]} {m.currency}" if sale_ else None,
        date_range(sale_[1], sale_[2]) if sale_ else None, v.url, v.images[0][0] if v.images else None,
        ",".join(url for url, _ in v.images[1:]), p.product.get("brand"), v.gtin, v.mpn, p.product["id"],
        p.google_category, p.category_path, v.axes.get("color"), v.size("size", "shoe_size"),
        a.get("gender"), a.get("age_group"), v.stock,
    ]


def headless_document(p: View) -> dict:
    m = p.market
    variants = [
        {"sku": v.sku, "gtin": v.gtin, "color": v.axes.get("color"), "size": v.axes.get("size"), "shoe_size": v.axes.get("shoe_size"),
         "volume": v.axes.get("volume"), "stock": v.stock, "availability": v.availability, "price": v.price,
         "currency": m.currency if v.price else None, "url": v.url}
        for v in p.variants
    ]
    return prune({
        "id": p.product["id"], "name": p.name, "description": p.description, "brand": p.product.get("brand"), "url": p.url,
        "category": p.category_path, "price": p.price, "currency": m.currency, "sale_price": p.sale[0] if p.sale else None,
        "image": p.images[0][0] if p.images else None, "images": [{"url": url, "alt": alt} for url, alt in p.images],
        "attributes": p.attributes, "options": p.axis_labels, "variants": variants,
    })


def amazon_messages(p: View, maps: dict) -> list[dict]:
    """The parent listing (for a product with variant axes), then one child per SKU; without messageId."""
    m = p.market
    where = {"marketplace_id": maps["marketplace"].get(m.code, m.code)}
    lang = {"language_tag": m.locale.replace("-", "_"), **where}
    product_type = maps["product_type"].get(p.category_id, p.category_id)
    theme = "/".join(str(maps["variation_theme"].get(a, a)) for a in p.axes)
    messages = []
    if p.axes:
        attributes = {"item_name": [{"value": p.name, **lang}], "brand": [{"value": p.product.get("brand"), **lang}],
                      "parentage_level": [{"value": "parent", **where}], "variation_theme": [{"name": theme}]}
        messages.append({"sku": p.product["id"], "operationType": "UPDATE", "productType": product_type, "requirements": "LISTING_PRODUCT_ONLY", "attributes": prune(attributes)})
    features = p.attributes.get("features")
    for v in p.variants:
        size = v.size("size", "shoe_size", "volume")
        attributes = {
            "item_name": [{"value": ", ".join(x for x in (p.name, v.axes.get("color"), size) if x), **lang}],
            "brand": [{"value": p.product.get("brand"), **lang}],
            "product_description": [{"value": p.plain_description, **lang}],
            "bullet_point": [{"value": ", ".join(features), **lang}] if features else None,
            "externally_assigned_product_identifier": [{"type": "ean", "value": v.gtin, **where}] if v.gtin else None,
            "supplier_declared_has_product_identifier_exemption": [{"value": True, **where}] if not v.gtin else None,
            "condition_type": [{"value": "new_new", **where}],
            "purchasable_offer": [{"currency": m.currency, **where, "our_price": [{"schedule": [{"value_with_tax": v.price}]}]}],
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": v.stock}],
            "color": [{"value": v.axes.get("color"), **lang}] if v.axes.get("color") else None,
            "size": [{"value": size, **lang}] if size else None,
            "main_product_image_locator": [{"media_location": v.images[0][0] if v.images else None, **where}],
            "parentage_level": [{"value": "child", **where}] if p.axes else None,
            "child_parent_sku_relationship": [{"child_relationship_type": "variation", "parent_sku": p.product["id"], **where}] if p.axes else None,
            "variation_theme": [{"name": theme}] if p.axes else None,
        }
        messages.append({"sku": v.sku, "operationType": "UPDATE", "productType": product_type, "requirements": "LISTING", "attributes": prune(attributes)})
    return messages


def prune(value):
    if isinstance(value, dict):
        pruned = ((k, prune(v)) for k, v in value.items())
        return {k: v for k, v in pruned if v is not None and v != "" and v != [] and v != {}}
    if isinstance(value, list):
        return [v for v in map(prune, value) if v is not None and v != "" and v != [] and v != {}]
    return value


def json_bytes(value, indent: bool = False) -> bytes:
    return orjson.dumps(value, default=lambda d: orjson.Fragment(format(d, "f")), option=orjson.OPT_INDENT_2 if indent else 0)
