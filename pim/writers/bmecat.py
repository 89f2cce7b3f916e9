"""BMEcat 2005 catalog (`T_NEW_CATALOG`): one file per market, one PRODUCT per item, valid against the 2005 XSD.

File: `<channel>/<market>.xml` (e.g. `bmecat/DE.xml`; `all` when the channel has no markets). Namespace
`http://www.bmecat.org/bmecat/2005fd`, as the published bmecat_2005.xsd declares it. One element per line,
indented by two spaces; UTF-8, LF line ends. Elements follow the XSD's sequences.

HEADER/CATALOG from the feed: `LANGUAGE default="true"` is `options["language"]` (ISO 639-2, e.g. `deu`),
else derived from `FeedInfo.locale` (`en` -> `eng`, `fr` -> `fra`, `de` -> `deu`, `es` -> `spa`, `it` -> `ita`,
`nl` -> `nld`; another language needs the option); `CATALOG_ID` (1-20 chars), `CATALOG_VERSION` (`1.0`
pattern `n.n`) and `CATALOG_NAME` (optional) from `options["catalog_id"]`, `options["catalog_version"]`,
`options["catalog_name"]`; `DATETIME type="generation_date"` (DATE, TIME, TIMEZONE) from
`FeedInfo.build_time`; `CURRENCY` from `FeedInfo.currency`. HEADER/SUPPLIER/SUPPLIER_NAME (1-50 chars) from
`options["supplier_name"]`.

Item-field contract (for mapping authors); the XSD's length limits are the mapping's to respect:

- `supplier_pid` -> SUPPLIER_PID (1-32 chars), default `Item.id`.
- `description_short` (required) -> DESCRIPTION_SHORT, cut to its 150-character limit;
  `description_long` -> DESCRIPTION_LONG (HTML is written as text, escaped).
- `gtin` -> `INTERNATIONAL_PID type="gtin"`; `manufacturer_pid` -> MANUFACTURER_PID;
  `manufacturer_name` -> MANUFACTURER_NAME (1-50 chars); `keywords` (list) -> one KEYWORD each (1-50 chars).
- `features`: list of `{name, value, unit?}` -> PRODUCT_FEATURES/FEATURE with FNAME, one FVALUE per value
  (`value` may be a list), FUNIT; a feature without a value is left out. FNAME/FVALUE are 1-60 chars.
- `order_unit` -> ORDER_UNIT (UN/ECE Rec 20 code), default `C62` (piece). `content_unit` -> CONTENT_UNIT and,
  only with it, `units_per_order_unit` -> NO_CU_PER_OU (a pack `PK` of 6 pieces: `content_unit: C62`, 6).
- `price_amount` -> `PRODUCT_PRICE price_type="<options["price_type"], default net_list>"` with PRICE_AMOUNT,
  PRICE_CURRENCY (`FeedInfo.currency`) and TAX (`tax` field, else `options["tax"]`, a fraction like `0.19`;
  left out when neither is set). Without `price_amount` the price is `price_type="on_request"`.
- `images`: list of `{source, purpose?, type?}` (or plain source strings) -> MIME_INFO/MIME with MIME_TYPE,
  MIME_SOURCE (1-255 chars) and MIME_PURPOSE (`purpose`, default `normal`). MIME_TYPE is `type` if given,
  else derived from the file extension among the types BMEcat 2005 accepts (`.jpg`/`.jpeg` -> `image/jpeg`,
  `.gif`, `.pdf`, `.htm(l)`, `.txt`, `.xml`); for others (PNG, WebP, ...) it is left out, because the 2005
  schema's pattern rejects `image/png` and MIME_TYPE is optional.
- Values are spelled as in `pim.writers.table.render` (Decimal -> plain decimal text). Empty fields (None,
  "", []) are left out. Other item fields are not read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import BinaryIO, Sequence

from pim.feed import Feed, FeedInfo, Item, Value
from pim.output import FeedOutput
from pim.writers.table import feed_stem
from pim.writers.values import is_empty, prune
from pim.writers.xml import XmlStream, xml_document

NS = "http://www.bmecat.org/bmecat/2005fd"
LANGUAGES = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "nl": "nld"}
# The 2005 schema's MIME_TYPE pattern names these types only (anything else must be a token without "/").
MIME_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "pdf": "application/pdf",
              "htm": "text/html", "html": "text/html", "txt": "text/plain", "xml": "application/xml"}
SHORT_DESCRIPTION_LIMIT = 150


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}.xml") as stream:
            _write_catalog(feed, stream)


def _write_catalog(feed: Feed, stream: BinaryIO) -> None:
    with xml_document(stream) as xml:
        with xml.element(_tag("BMECAT"), {"version": "2005"}, nsmap={None: NS}):
            _write_header(xml, feed.info)
            with xml.element(_tag("T_NEW_CATALOG")):
                for item in feed.items:
                    _write_product(xml, item, feed.info)


def _write_header(xml: XmlStream, info: FeedInfo) -> None:
    options = info.options
    with xml.element(_tag("HEADER")):
        with xml.element(_tag("CATALOG")):
            xml.leaf(_tag("LANGUAGE"), language(info), {"default": "true"})
            xml.leaf(_tag("CATALOG_ID"), options.get("catalog_id"), required=True)
            xml.leaf(_tag("CATALOG_VERSION"), options.get("catalog_version"), required=True)
            xml.leaf(_tag("CATALOG_NAME"), options.get("catalog_name"))
            _write_generation_date(xml, info.build_time)
            xml.leaf(_tag("CURRENCY"), info.currency)
        with xml.element(_tag("SUPPLIER")):
            xml.leaf(_tag("SUPPLIER_NAME"), options.get("supplier_name"), required=True)


def language(info: FeedInfo) -> str:
    """The catalog language as ISO 639-2 (BMEcat's code list): the option, else from the locale."""
    if info.options.get("language"):
        return info.options["language"]
    code = (info.locale or "").replace("_", "-").split("-")[0].lower()
    if code not in LANGUAGES:
        raise ValueError(f"{info.channel}: no ISO 639-2 code known for locale {info.locale!r}; set options.language")
    return LANGUAGES[code]


def _write_generation_date(xml: XmlStream, build_time: str) -> None:
    moment = datetime.fromisoformat(build_time)
    with xml.element(_tag("DATETIME"), {"type": "generation_date"}):
        xml.leaf(_tag("DATE"), moment.date().isoformat())
        xml.leaf(_tag("TIME"), moment.strftime("%H:%M:%S"))
        offset = moment.utcoffset()
        if offset is not None:
            xml.leaf(_tag("TIMEZONE"), _timezone(offset))


def _timezone(offset: timedelta) -> str:
    if not offset:
        return "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _write_product(xml: XmlStream, item: Item, info: FeedInfo) -> None:
    fields = {name: prune(value) for name, value in item.fields.items()}
    short = fields.get("description_short")
    if is_empty(short):
        raise ValueError(f"item {item.id}: BMEcat needs description_short")
    with xml.element(_tag("PRODUCT"), {"mode": "new"}):
        xml.leaf(_tag("SUPPLIER_PID"), fields.get("supplier_pid") or item.id)
        with xml.element(_tag("PRODUCT_DETAILS")):
            xml.leaf(_tag("DESCRIPTION_SHORT"), str(short)[:SHORT_DESCRIPTION_LIMIT])
            xml.leaf(_tag("DESCRIPTION_LONG"), fields.get("description_long"))
            xml.leaf(_tag("INTERNATIONAL_PID"), fields.get("gtin"), {"type": "gtin"})
            xml.leaf(_tag("MANUFACTURER_PID"), fields.get("manufacturer_pid"))
            xml.leaf(_tag("MANUFACTURER_NAME"), fields.get("manufacturer_name"))
            for keyword in fields.get("keywords") or ():
                xml.leaf(_tag("KEYWORD"), keyword)
        _write_features(xml, fields.get("features") or ())
        with xml.element(_tag("PRODUCT_ORDER_DETAILS")):
            xml.leaf(_tag("ORDER_UNIT"), fields.get("order_unit") or "C62")
            if not is_empty(fields.get("content_unit")):  # the XSD allows NO_CU_PER_OU only after CONTENT_UNIT
                xml.leaf(_tag("CONTENT_UNIT"), fields["content_unit"])
                xml.leaf(_tag("NO_CU_PER_OU"), fields.get("units_per_order_unit"))
        _write_price(xml, fields, info)
        _write_images(xml, fields.get("images") or ())


def _write_features(xml: XmlStream, features: Sequence[dict]) -> None:
    features = [feature for feature in features if not is_empty(feature.get("value"))]
    if not features:
        return
    with xml.element(_tag("PRODUCT_FEATURES")):
        for feature in features:
            values = feature["value"] if isinstance(feature["value"], list) else [feature["value"]]
            with xml.element(_tag("FEATURE")):
                xml.leaf(_tag("FNAME"), feature.get("name"), required=True)
                for value in values:
                    xml.leaf(_tag("FVALUE"), value)
                xml.leaf(_tag("FUNIT"), feature.get("unit"))


def _write_price(xml: XmlStream, fields: dict[str, Value], info: FeedInfo) -> None:
    amount = fields.get("price_amount")
    price_type = info.options.get("price_type", "net_list") if not is_empty(amount) else "on_request"
    tax = fields.get("tax", info.options.get("tax"))
    with xml.element(_tag("PRODUCT_PRICE_DETAILS")):
        with xml.element(_tag("PRODUCT_PRICE"), {"price_type": price_type}):
            xml.leaf(_tag("PRICE_AMOUNT"), amount)
            xml.leaf(_tag("PRICE_CURRENCY"), info.currency)
            xml.leaf(_tag("TAX"), tax)


def _write_images(xml: XmlStream, images: Sequence[Value]) -> None:
    images = [image if isinstance(image, dict) else {"source": image} for image in images]
    images = [image for image in images if not is_empty(image.get("source"))]
    if not images:
        return
    with xml.element(_tag("MIME_INFO")):
        for image in images:
            source = str(image["source"])
            with xml.element(_tag("MIME")):
                xml.leaf(_tag("MIME_TYPE"), image.get("type") or mime_type(source))
                xml.leaf(_tag("MIME_SOURCE"), source)
                xml.leaf(_tag("MIME_PURPOSE"), image.get("purpose") or "normal")


def mime_type(source: str) -> str | None:
    """The MIME type BMEcat 2005 accepts for a file, from its extension (query and fragment ignored)."""
    path = source.split("?", 1)[0].split("#", 1)[0]
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return MIME_TYPES.get(extension)


@cache  # a handful of names, looked up many times per product
def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"
