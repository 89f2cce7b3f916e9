"""The least a project needs before an import can land in it: settings, and a Shopify mapping to build back.

Only what is missing is written; an existing settings.yaml or mapping is never touched.
"""

from __future__ import annotations

from collections.abc import Mapping

# The Shopify mapping an imported project starts with: every column the import reads is written back
# from the same place, so building the feed gives the export's products again. {name} is the code the
# import gave that attribute (`tags`, or `tags_import` when an option already took the name).
SHOPIFY_FIELDS = {
    "Handle": "product.id",
    "Title": "product.name",
    "Body (HTML)": "product.description",
    "Vendor": "product.brand",
    "Type": "product.category.label",
    "Tags": "product.attributes.{tags}",
    "Published": 'product.status == "active"',
    "Option1 Name": 'product.axis_labels[0] or "Title"',
    "Option1 Value": 'variant[product.axes[0]] if product.axes else "Default Title"',
    "Option2 Name": "product.axis_labels[1]",
    "Option2 Value": "variant[product.axes[1]] if product.axes[1]",
    "Option3 Name": "product.axis_labels[2]",
    "Option3 Value": "variant[product.axes[2]] if product.axes[2]",
    "Variant SKU": "variant.sku",
    "Variant Grams": '(item.attributes.{weight} | string).split(" ")[0] if item.attributes.{weight} else 0',
    "Variant Inventory Tracker": '"shopify"',
    "Variant Inventory Qty": "variant.stock",
    "Variant Inventory Policy": '"continue" if variant.availability in ("preorder", "backorder") else "deny"',
    "Variant Fulfillment Service": '"manual"',
    "Variant Price": "(item.sale.price if item.sale and item.sale.active else item.price) | amount",
    "Variant Compare At Price": "item.price | amount if item.sale and item.sale.active",
    "Variant Requires Shipping": "true",
    "Variant Taxable": "true",
    "Variant Barcode": "variant.gtin or item.attributes.{barcode}",
    "Variant Image": "variant.images[0].url if variant.images",
    "images": "product.images",
    "SEO Title": "product.attributes.{seo_title}",
    "SEO Description": "product.attributes.{seo_description}",
    "Google Shopping / MPN": "variant.mpn",
    "Google Shopping / Condition": "product.condition",
    "Variant Weight Unit": '"g"',
    "Status": "product.status",
}


def settings_document(market: str, locale: str, currency: str, shop_name: str, shop_url: str) -> dict:
    return {
        "locales": {locale: {}},
        "currencies": [currency],
        "markets": {market: {"country": market, "locale": locale, "currency": currency}},
        "shop": {"name": shop_name, "url": shop_url},
    }


def shopify_mapping(market: str, codes: Mapping[str, str], header: str | None = None) -> dict:
    """`codes`: import attribute name -> its code in this project; `header: current` when the export used today's names."""
    names = {name: codes.get(name, name) for name in ("tags", "weight", "barcode", "seo_title", "seo_description")}
    fields = {column: expression.format(**names) for column, expression in SHOPIFY_FIELDS.items()}
    # No `include`: an export holds draft and archived products too, and the feed gives them all back.
    mapping = {"channel": "shopify", "format": "shopify-csv", "markets": [market]}
    if header:  # the feed is written in the header generation the shop exported
        mapping["options"] = {"header": header}
    return {**mapping, "fields": fields}
