"""Problems: what is wrong, where, and what to change. Every stage returns them as values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place a person can open: a file path (relative to the project), 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __reduce__(self):  # a frozen dataclass's own unpickling sets each field through a Python call
        return (Location, (self.path, self.line, self.column))

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    location: Location
    severity: Severity = Severity.ERROR
    # Where else the problem comes from, e.g. the mapping line that produced a channel field.
    related: tuple[Location, ...] = field(default=())

    def __reduce__(self):
        return (Problem, (self.code, self.message, self.location, self.severity, self.related))

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.code, self.message)

    def to_plain(self) -> tuple:
        """Plain data for a cache entry (marshal, which runs no code when read); `from_plain` reverses it."""
        where = self.location
        return (self.code, self.message, (where.path, where.line, where.column), self.severity.value, tuple((r.path, r.line, r.column) for r in self.related))

    @staticmethod
    def from_plain(entry: tuple) -> "Problem":
        code, message, where, severity, related = entry
        return Problem(code, message, Location(*where), Severity(severity), tuple(Location(*r) for r in related))


# Stable codes. A code never changes meaning; retired codes are not reused.
CODES: dict[str, str] = {
    # Files and YAML
    "PIM001": "the file is not valid YAML",
    "PIM002": "the file is empty",
    "PIM003": "the file is not text (binary or not UTF-8)",
    "PIM004": "the document is not a mapping",
    "PIM005": "YAML anchors, aliases and custom tags are not allowed",
    "PIM006": "the file is too large",
    "PIM007": "a required catalog file or folder is missing",
    "PIM008": "a key written twice in one mapping",
    # Shape of a record
    "PIM101": "unknown key",
    "PIM102": "wrong type",
    "PIM103": "missing required value",
    "PIM104": "value out of range or breaking a constraint",
    "PIM105": "an identifier must be a quoted string",
    "PIM106": "the file name does not match the product id",
    "PIM107": "invalid price amount",
    "PIM108": "invalid date",
    # References
    "PIM201": "unknown family",
    "PIM202": "unknown attribute",
    "PIM203": "unknown enum option",
    "PIM204": "unknown category",
    "PIM205": "unknown content block",
    "PIM206": "unknown locale",
    "PIM207": "unknown currency",
    "PIM208": "unknown channel",
    "PIM209": "attribute not in the product's family",
    "PIM210": "unknown Google product category id",
    "PIM211": "image file not found",
    "PIM212": "locale fallback chain loops",
    # Catalog-wide rules
    "PIM220": "duplicate product id",
    "PIM221": "duplicate SKU",
    "PIM222": "duplicate GTIN",
    "PIM223": "invalid GTIN check digit or length",
    "PIM224": "sale price not below the price",
    "PIM225": "variant missing an axis value",
    "PIM226": "two variants with the same axis values",
    "PIM227": "a price is missing for a currency",
    "PIM228": "preorder or backorder without a date",
    # Channel rules, per item (the item is left out of that channel's feed)
    "PIM301": "a field the channel requires is missing",
    "PIM302": "text longer than the channel allows",
    "PIM303": "a value the channel does not accept",
    "PIM304": "a value in the wrong format for the channel",
    "PIM305": "a GTIN the channel rejects",
    "PIM306": "no product identifier (GTIN, MPN or brand) for the channel",
    "PIM307": "an apparel attribute the channel requires is missing",
    "PIM308": "preorder or backorder without an availability date",
    "PIM309": "an image URL the channel rejects",
    "PIM310": "a variant without a group id",
    "PIM311": "a sale price not below the price",
    "PIM312": "more values than the channel allows",
    "PIM313": "two items with the same id",
    # Mappings
    "PIM401": "invalid mapping",
    "PIM402": "a mapping expression does not compile",
    "PIM403": "a mapping expression reaches outside the sandbox",
    "PIM404": "a mapping expression failed on an item",
    "PIM405": "unknown channel kind or format",
    "PIM406": "a mapping extends an unknown or looping mapping",
    "PIM407": "unknown market",
    # Feed consistency across channels
    "PIM501": "channels disagree about a product",
    # Print (the item stays: the page shows a placeholder)
    "PIM601": "an image the print catalog cannot place (missing, remote or unreadable)",
    # Publishing (pim publish)
    "PIM701": "publish.yaml is missing",
    "PIM702": "invalid publish configuration",
    "PIM703": "a destination URL that is not https",
    "PIM704": "a destination names a channel or file the manifest does not list, or that does not fit it",
    "PIM705": "feeds/manifest.json is missing or unreadable",
    "PIM706": "a feed file is missing or differs from the manifest",
    "PIM707": "a credential environment variable is not set",
    "PIM708": "the feed would remove more items than max_drop allows",
    "PIM709": "the feed is empty",
    "PIM710": "the drop guard overridden (--force --reason), or --force without a reason",
    "PIM711": "a request failed after its retries or the time budget ran out",
    "PIM712": "the service refused a request",
    "PIM713": "the service rejected an item",
    "PIM714": "a publish state file cannot be read",
    "PIM715": "a feed file cannot be read as items",
    "PIM716": "a batch is still being processed by the service",
    "PIM717": "unknown destination",
    # Importing exports (pim import): located at the row and column of the imported file
    "PIM801": "the file to import cannot be read as UTF-8 CSV",
    "PIM802": "not a Shopify product export (no Handle or URL handle column)",
    "PIM803": "a row without a handle (skipped)",
    "PIM804": "a handle that cannot be a product id (row skipped)",
    "PIM805": "a variant without a valid price (row skipped)",
    "PIM806": "an invalid compare-at price, or one not above the price (left out)",
    "PIM807": "an invalid or repeated GTIN barcode (left out)",
    "PIM808": "an invalid inventory quantity (left out)",
    "PIM809": "an invalid weight (left out)",
    "PIM810": "an invalid image position (file order kept)",
    "PIM811": "a SKU used by an earlier row (row skipped)",
    "PIM812": "a variant with the same option values as an earlier one (row skipped)",
    "PIM813": "a variant without a value for one of its product's options (row skipped)",
    "PIM814": "an option value for an option the product does not name (left out)",
    "PIM815": "an unknown status or condition (left out)",
    "PIM816": "a column with values that pim does not import",
    "PIM817": "a variant without a SKU (one derived from handle and options)",
    "PIM818": "selling when out of stock is not imported",
    "PIM819": "a product without any importable variant row (skipped)",
    "PIM820": "a product without a title (its handle is the name)",
    "PIM821": "invalid column mapping",
    "PIM823": "the import cannot be applied to the catalog (nothing written for it)",
    # Catalog repositories (pim fmt)
    "PIM901": "a catalog file not in canonical form (pim fmt --check)",
    "PIM902": "pim fmt would change a file's meaning and left it as it is",
}

# Codes a channel rule reports without leaving the item out: the build still writes it, and says why.
WARNING_CODES: frozenset[str] = frozenset({"PIM601"})


def has_errors(problems: list[Problem] | tuple[Problem, ...]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
