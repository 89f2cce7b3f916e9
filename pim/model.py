"""The catalog's record types: what each catalog file may hold. Field docstrings become the JSON Schema."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, RootModel, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

# --- value types ------------------------------------------------------------------------------

MONEY_PATTERN = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def _to_money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise PydanticCustomError("PIM107", "a price must be a number like \"129.00\"")
    text = repr(value) if isinstance(value, float) else str(value)
    if not MONEY_PATTERN.match(text.strip()):
        raise PydanticCustomError("PIM107", "{text} is not a price: write a positive amount with at most two decimals, like \"129.00\"", {"text": text})
    try:
        return Decimal(text.strip()).quantize(Decimal("0.01"))
    except InvalidOperation:  # pragma: no cover - the pattern above already excludes these
        raise PydanticCustomError("PIM107", "{text} is not a price", {"text": text}) from None


Money = Annotated[
    Decimal,
    PlainValidator(_to_money),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": MONEY_PATTERN.pattern}, {"type": "number", "minimum": 0}], "description": "An amount with at most two decimals, e.g. \"129.00\"."}),
]


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("PIM108", "{value!r} is not a date: write it as \"YYYY-MM-DD\", e.g. \"2026-11-20\"", {"value": value})


Date = Annotated[dt.date, PlainValidator(_to_date), WithJsonSchema({"type": "string", "format": "date"})]

CONTENT_PREFIX = "@content/"


def _to_localized(value: Any) -> dict[str, str] | str:
    if isinstance(value, str):
        if value.startswith(CONTENT_PREFIX):
            return value
        raise PydanticCustomError("PIM102", "expected text per locale, e.g. {en-US: ..., fr-FR: ...}, or a content reference \"@content/<group>/<block>\"")
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    raise PydanticCustomError("PIM102", "expected text per locale, e.g. {en-US: ..., fr-FR: ...}, with every text a string")


LocalizedText = Annotated[
    dict[str, str] | str,
    PlainValidator(_to_localized),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "object", "additionalProperties": {"type": "string"}, "propertyNames": {"pattern": "^[a-z]{2,3}(-[A-Z]{2})?$"}, "minProperties": 1},
                {"type": "string", "pattern": "^@content/"},
            ],
            "description": "Text per locale ({en-US: ..., fr-FR: ...}) or a content reference \"@content/<group>/<block>\".",
        }
    ),
]


def _to_identifier(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("PIM105", "write this identifier in quotes, exactly as printed (e.g. \"00012345678905\"): unquoted digits are read as a number and lose their leading zeros")
    raise PydanticCustomError("PIM102", "expected an identifier (a non-empty quoted string)")


Identifier = Annotated[str, PlainValidator(_to_identifier), WithJsonSchema({"type": "string", "minLength": 1})]
Prices = dict[str, Money]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


# --- settings.yaml ----------------------------------------------------------------------------


class LocaleSettings(_Record):
    fallback: str | None = None
    """The locale to use when a text has no value in this one, e.g. `en-US` for `fr-FR`."""


class Market(_Record):
    country: str = Field(pattern=r"^[A-Z]{2}$")
    """ISO 3166-1 country code, e.g. `US`."""
    locale: str
    """The locale this market reads, e.g. `en-US` (declared under `locales`)."""
    currency: str
    """The ISO 4217 currency this market pays in, e.g. `USD` (listed under `currencies`)."""


class Shop(_Record):
    name: str
    """The shop's name, as feeds show it."""
    url: str = Field(pattern=r"^https?://")
    """Base URL of the web shop; product pages are `<url>/products/<product id>`."""
    images_url: str | None = Field(default=None, pattern=r"^https?://")
    """Base URL under which repository images are published; defaults to `<url>/`."""


class Settings(_Record):
    """Locales, currencies, markets and the shop (catalog/settings.yaml)."""

    locales: dict[str, LocaleSettings] = Field(min_length=1)
    """Locales the catalog is written in, each with an optional fallback locale."""
    currencies: list[str] = Field(min_length=1)
    """ISO 4217 codes every product is priced in."""
    markets: dict[str, Market] = Field(min_length=1)
    """Markets by code: a country read in one locale and paid in one currency."""
    shop: Shop
    """The shop the catalog belongs to."""
    google_taxonomy: str | None = None
    """Path (from the project folder) of Google's taxonomy-with-ids.en-US.txt; category ids are checked against it."""


# --- attributes.yaml --------------------------------------------------------------------------


class AttributeType(str, Enum):
    TEXT = "text"
    RICH_TEXT = "rich_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MEASURE = "measure"
    BOOLEAN = "boolean"
    ENUM = "enum"
    MULTI_ENUM = "multi_enum"
    DATE = "date"
    URL = "url"
    GTIN = "gtin"
    PRICE = "price"


class AttributeDefinition(_Record):
    type: AttributeType
    """What kind of value the attribute holds."""
    label: LocalizedText | None = None
    """The attribute's name as people read it, per locale."""
    localizable: bool = False
    """Whether the value differs per locale (text and rich_text only)."""
    options: dict[str, LocalizedText] | None = None
    """For enum and multi_enum: option code -> label per locale."""
    units: list[str] | None = None
    """For measure: the units a value may use, e.g. [g, kg]."""
    min_length: int | None = Field(default=None, ge=0)
    """Shortest text allowed."""
    max_length: int | None = Field(default=None, ge=1)
    """Longest text allowed."""
    min: Decimal | None = None
    """Smallest number allowed (integer, decimal, measure)."""
    max: Decimal | None = None
    """Largest number allowed (integer, decimal, measure)."""
    pattern: str | None = None
    """A regular expression a text value must match."""


class AttributesFile(RootModel[dict[str, AttributeDefinition]]):
    """Attribute definitions by code (catalog/attributes.yaml)."""


# --- families/<code>.yaml ---------------------------------------------------------------------


class Family(_Record):
    """Which attributes a kind of product has, which are required, and how its variants differ."""

    label: LocalizedText | None = None
    """The family's name, per locale."""
    attributes: list[str] = []
    """Attribute codes a product of this family may set."""
    variant_axes: list[str] = []
    """Enum attributes that tell variants apart, e.g. [color, size]; every variant sets each."""
    required: dict[str, list[str]] = {}
    """What completeness counts: `all` for every channel, or a channel name; values are attribute codes or name, description, brand, images, categories, gtin."""


# --- categories.yaml --------------------------------------------------------------------------


class Category(_Record):
    label: LocalizedText
    """The category's name, per locale."""
    google: StrictInt | None = None
    """Google product category id (from Google's product taxonomy)."""
    children: dict[str, Category] = {}
    """Sub-categories by key; a child's id is `<parent id>/<key>`."""


class CategoriesFile(RootModel[dict[str, Category]]):
    """The category tree (catalog/categories.yaml)."""


class ContentFile(RootModel[dict[str, dict[str, str]]]):
    """Shared content blocks of one group (catalog/content/<group>.yaml): block -> text per locale."""


# --- products/<id>.yaml -----------------------------------------------------------------------


class Status(str, Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class Condition(str, Enum):
    NEW = "new"
    REFURBISHED = "refurbished"
    USED = "used"


class Availability(str, Enum):
    IN_STOCK = "in_stock"
    OUT_OF_STOCK = "out_of_stock"
    PREORDER = "preorder"
    BACKORDER = "backorder"


class Image(_Record):
    src: str = Field(min_length=1)
    """A path under catalog/ (e.g. images/TJ-100-front.svg) or an https URL."""
    alt: LocalizedText | None = None
    """Alternative text per locale."""


class Sale(_Record):
    price: Prices
    """The sale price per currency; each must be below the regular price."""
    start: Date | None = None
    """First day of the sale (YYYY-MM-DD)."""
    end: Date | None = None
    """Last day of the sale (YYYY-MM-DD)."""


class Variant(BaseModel):
    """One SKU. Besides the fields below, a variant sets each variant axis of its family (`color: black`)."""

    model_config = ConfigDict(extra="allow", frozen=True, use_attribute_docstrings=True)

    sku: Identifier
    """Stock keeping unit, unique across the catalog."""
    gtin: Identifier | None = None
    """GTIN-8, -12, -13 or -14 with a valid check digit, quoted."""
    mpn: Identifier | None = None
    """Manufacturer part number, for products without a GTIN."""
    stock: StrictInt = Field(default=0, ge=0)
    """Units available to sell."""
    availability: Availability | None = None
    """Overrides the availability derived from stock; preorder and backorder need `available_from`."""
    available_from: Date | None = None
    """When a preorder or backorder item becomes available (YYYY-MM-DD)."""
    price: Prices | None = None
    """This variant's own price per currency, instead of the product's."""
    sale: Sale | None = None
    """This variant's own sale, instead of the product's."""
    images: list[Image] | None = None
    """This variant's own images, instead of the product's."""
    attributes: dict[str, Any] | None = None
    """This variant's own attribute values, over the product's."""

    @property
    def axis_values(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Product(_Record):
    """One product model with its variants (catalog/products/<id>.yaml)."""

    id: Identifier
    """The product id; equals the file name."""
    family: str
    """The family code (a file in catalog/families/)."""
    status: Status
    """draft (not published), active, or archived (withdrawn)."""
    brand: str | None = None
    """The brand as customers know it."""
    condition: Condition = Condition.NEW
    """new, refurbished or used."""
    categories: list[str] = []
    """Category ids, e.g. apparel/jackets; the first is the primary one."""
    name: LocalizedText
    """The product name per locale."""
    description: LocalizedText | None = None
    """The product description per locale."""
    attributes: dict[str, Any] = {}
    """Attribute values by code, typed by catalog/attributes.yaml."""
    price: Prices
    """The price per currency, e.g. {USD: "129.00", EUR: "119.00"}."""
    sale: Sale | None = None
    """A sale price per currency, with optional dates."""
    images: list[Image] = []
    """Images in display order; the first is the main image."""
    variants: list[Variant] = Field(min_length=1)
    """The SKUs of this product; a product without variant axes has one."""
    channels: dict[str, dict[str, Any]] = {}
    """Per-channel overrides of product fields, e.g. {amazon: {name: {en-US: ...}}}."""


PRODUCT_FIELDS = frozenset(Product.model_fields)
