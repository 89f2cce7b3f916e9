"""The project's files as the import sees them: read, merged with the imported records, rendered, checked.

An existing product is updated in place: the fields the export carries replace the old ones (per
locale and per currency for text and prices, per SKU for variants), everything else in the file is
kept. Whatever the import plans is validated with the real loader before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pim.catalog import CATALOG
from pim.fmt import format_file
from pim.problems import Problem, Severity
from pim.project import MAPPINGS, validate_catalog
from pim.sources import WorkingTree
from pim.yamledit import dump_document, dump_edited, load_for_edit
from pim.yamlfile import ParseFailure, decode, parse

SETTINGS, ATTRIBUTES, CATEGORIES = f"{CATALOG}/settings.yaml", f"{CATALOG}/attributes.yaml", f"{CATALOG}/categories.yaml"
FAMILIES, PRODUCTS = f"{CATALOG}/families", f"{CATALOG}/products"
SHOPIFY_MAPPING = f"{MAPPINGS}/shopify.yaml"

# Keys the export states in full: when it leaves one out, the old value goes too (an ended sale, a removed image).
PRODUCT_OWNED = frozenset({"sale", "images"})
VARIANT_OWNED = frozenset({"price", "sale", "gtin", "images"})
# A compare-at price has no dates: an imported sale replaces the old one whole, so no old end date stays behind.
REPLACED = frozenset({"sale"})


def read_document(root: Path, relpath: str) -> Any | ParseFailure | None:
    """The plain data of a project file; None when it does not exist."""
    try:
        data = (root / relpath).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    text = decode(data)
    return parse(text) if isinstance(text, str) else text


def merge_product(existing: dict, imported: dict, *, complete: bool = True) -> dict:
    """`complete`: the export gave every variant of the product (no row of it was skipped)."""
    merged = dict(existing)
    for key, value in imported.items():
        if key == "variants":
            merged[key] = _merge_variants(existing.get(key), value, complete)
        elif key == "images":
            merged[key] = _merge_by(existing.get(key), value, "src")
        elif key in REPLACED:
            merged[key] = value
        else:
            merged[key] = merge_values(existing.get(key), value)
    for key in PRODUCT_OWNED - imported.keys():
        merged.pop(key, None)
    return merged


def merge_values(old: Any, new: Any) -> Any:
    """Mappings merge key by key (an fr-FR name or a EUR price survives an en-US, USD import); the rest is replaced."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for key, value in new.items():
            out[key] = merge_values(old.get(key), value)
        return out
    return new


def _merge_variants(old: Any, new: list[dict], complete: bool) -> list[dict]:
    # A complete export lists every variant of the product: a SKU it no longer has is gone from the shop.
    # When one of the product's rows was skipped, its variant may be one of those, so none is dropped.
    by_sku = {v.get("sku"): v for v in old or [] if isinstance(v, dict)}
    merged = []
    for variant in new:
        current = merge_values(by_sku.pop(variant["sku"], {}), {k: v for k, v in variant.items() if k not in REPLACED})
        current.update((k, v) for k, v in variant.items() if k in REPLACED)
        for key in VARIANT_OWNED - variant.keys():
            current.pop(key, None)
        merged.append(current)
    return merged if complete else merged + list(by_sku.values())


def _merge_by(old: Any, new: list[dict], key: str) -> list[dict]:
    by_key = {item.get(key): item for item in old or [] if isinstance(item, dict)}
    return [merge_values(by_key.get(item[key], {}), item) for item in new]


@dataclass
class PlannedFiles:
    """Every file the import would write, as text, beside what is on disk now."""

    root: Path
    after: dict[str, str] = field(default_factory=dict)
    before: dict[str, str | None] = field(default_factory=dict)

    def put(self, relpath: str, document: Any, original: Any = None) -> None:
        """Plan a file, unless its data is what the file already holds (so its formatting stays)."""
        if original is not None and document == original:
            return
        path = self.root / relpath
        before = self.before[relpath] = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
        text = _edited(before, document) if before is not None else None
        if text is None:
            text = dump_document(document)
            if parse(text) != document:  # what we write must read back as what we planned
                raise RuntimeError(f"{relpath}: the written YAML does not read back as the planned record")
        # In the form `pim fmt` writes, so that an import never leaves `pim fmt --check` failing.
        formatted = format_file(relpath, text.encode("utf-8"), [])
        self.after[relpath] = formatted.after if formatted is not None else text

    def changes(self) -> list[tuple[str, str]]:
        return [(relpath, "update" if self.before[relpath] is not None else "create") for relpath in sorted(self.after)]


def _edited(before: str, document: Any) -> str | None:
    """The file rewritten in place (its comments and layout kept), or None when that cannot be done faithfully."""
    try:
        tree = load_for_edit(before)
    except ValueError:
        return None
    if not isinstance(tree, dict) or not isinstance(document, dict):
        return None
    _apply(tree, document)
    text = dump_edited(tree)
    return text if parse(text) == document else None  # anything the edit could not keep faithfully: write afresh


def _apply(tree: dict, document: dict) -> None:
    """Make the round-trip tree hold `document`: kept keys keep their place, comments and quoting; new keys go last."""
    for key in [k for k in tree if k not in document]:
        del tree[key]
    for key, value in document.items():
        current = tree.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _apply(current, value)
        elif not _same(current, value):
            tree[key] = value


def _same(current: Any, value: Any) -> bool:
    """Equal, and of the same kind: 1 == True == 1.0 in Python, but not in a catalog file."""
    return current == value and isinstance(current, bool) == isinstance(value, bool) and isinstance(current, float) == isinstance(value, float)


@dataclass
class PlannedTree(WorkingTree):
    """The working tree as it would be after the import: what `validate_catalog` reads before we write."""

    planned: dict[str, bytes] = field(default_factory=dict)
    # Validating planned files must not write: the parse cache would create .pim/ in the project,
    # even on a dry run into a folder that does not exist yet.
    keeps_parse_cache: bool = False

    def read(self, relpath: str) -> bytes | None:
        return self.planned[relpath] if relpath in self.planned else super().read(relpath)

    def list(self, folder: str, suffix: str = ".yaml") -> list[str]:
        prefix = folder.rstrip("/") + "/"
        mine = {p for p in self.planned if p.startswith(prefix) and "/" not in p[len(prefix):] and p.endswith(suffix)}
        return sorted(set(super().list(folder, suffix)) | mine)

    def exists(self, relpath: str) -> bool:
        prefix = relpath.rstrip("/") + "/"
        return relpath in self.planned or any(p.startswith(prefix) for p in self.planned) or super().exists(relpath)


def new_errors(root: Path, files: PlannedFiles) -> list[Problem]:
    """Errors the planned files would bring into the catalog (those already there are not the import's)."""
    planned = PlannedTree(root, planned={path: text.encode("utf-8") for path, text in files.after.items()})
    after = validate_catalog(planned).problems
    before = validate_catalog(replace(WorkingTree(root), keeps_parse_cache=False)).problems if (root / SETTINGS).is_file() else []
    known = {(p.code, p.location.path, p.message) for p in before}
    return [p for p in after if p.severity is Severity.ERROR and (p.code, p.location.path, p.message) not in known]
