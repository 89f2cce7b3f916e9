"""Completeness: for each product, channel and locale, the share of required values that are filled."""

from __future__ import annotations

from dataclasses import dataclass

from pim.catalog import Catalog
from pim.localize import own_locales
from pim.model import Product, Status


@dataclass(frozen=True, slots=True)
class Completeness:
    product_id: str
    channel: str
    locale: str
    required: int
    missing: tuple[str, ...]

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return (self.required - len(self.missing)) * 100 // self.required


def compute_completeness(catalog: Catalog, *, include_drafts: bool = True) -> list[Completeness]:
    """Computed from the records each time it is asked, so it is never stale."""
    channels = sorted(catalog.channels) or ["all"]
    rows: list[Completeness] = []
    for product in catalog.products:
        if product.status is Status.ARCHIVED or (product.status is Status.DRAFT and not include_drafts):
            continue
        family = catalog.families.get(product.family)
        if family is None:
            continue
        for channel in channels:
            required = list(dict.fromkeys([*family.required.get("all", []), *family.required.get(channel, [])]))
            for locale in catalog.settings.locales:
                missing = tuple(name for name in required if not _filled(catalog, product, name, locale))
                rows.append(Completeness(product.id, channel, locale, len(required), missing))
    return rows


def _filled(catalog: Catalog, product: Product, name: str, locale: str) -> bool:
    if name in ("name", "description"):
        return locale in own_locales(getattr(product, name), catalog.content)
    if name == "images":
        return bool(product.images)
    if name == "categories":
        return bool(product.categories)
    if name == "brand":
        return bool(product.brand)
    if name == "gtin":
        return all(variant.gtin for variant in product.variants)
    definition = catalog.attributes.get(name)
    if definition is not None and name in (catalog.families[product.family].variant_axes):
        return all(name in variant.axis_values for variant in product.variants)
    value = product.attributes.get(name)
    if value is None or value == "" or value == []:
        return False
    if definition is not None and definition.localizable:
        return locale in own_locales(value, catalog.content)
    return True


def render_completeness(rows: list[Completeness], *, only_incomplete: bool = False) -> str:
    shown = [r for r in rows if r.missing or not only_incomplete]
    if not shown:
        return "Every product is complete for every channel and locale.\n"
    width = max(len("product"), *(len(r.product_id) for r in shown))
    cwidth = max(len("channel"), *(len(r.channel) for r in shown))
    lines = [f"{'product':<{width}}  {'channel':<{cwidth}}  locale  {'%':>4}  missing"]
    for r in shown:
        lines.append(f"{r.product_id:<{width}}  {r.channel:<{cwidth}}  {r.locale:<6}  {r.percent:>3}%  {', '.join(r.missing) or '-'}")
    total = len(rows)
    complete = sum(not r.missing for r in rows)
    lines.append(f"\n{complete} of {total} product x channel x locale rows complete")
    return "\n".join(lines) + "\n"
