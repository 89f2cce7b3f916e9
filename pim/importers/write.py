"""`pim import`: a table file into catalog files, planned in full, validated, then written all at once.

`import_shopify` and `import_csv` read the file; `import_rows` does the rest. Nothing is written when
the planned catalog would not validate, or on a dry run; otherwise every file is staged (written and
synced in a folder beside the catalog) before any is moved into place.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from pim.importers.csv_mapping import read_mapped_csv
from pim.importers.files import ATTRIBUTES, CATEGORIES, FAMILIES, PRODUCTS, SETTINGS, SHOPIFY_MAPPING, PlannedFiles, merge_product, new_errors, read_document
from pim.importers.plan import plan_products
from pim.importers.rows import Rows
from pim.importers.shopify import read_shopify
from pim.importers.skeleton import settings_document, shopify_mapping
from pim.importers.vocabulary import Vocabulary, product_record
from pim.output import FeedOutput
from pim.problems import Location, Problem, has_errors
from pim.sources import ToolError
from pim.yamlfile import ParseFailure


@dataclass(frozen=True)
class ImportOptions:
    market: str | None = None  # default: the project's first market, or US in a new project
    locale: str = "en-US"  # for a new project; an existing one reads its market's locale and currency
    currency: str = "USD"
    shop_name: str = "Shop"
    shop_url: str = "https://shop.example.com"
    dry_run: bool = False


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)  # (path, "create" | "update")
    diffs: dict[str, str] = field(default_factory=dict)  # path -> unified diff, for updates
    products: int = 0
    variants: int = 0
    written: bool = False
    blocked: bool = False  # the planned files would not validate, so nothing was written


def import_shopify(project: Path, export: Path, options: ImportOptions = ImportOptions()) -> ImportResult:
    _require_file(export)
    return import_rows(project, read_shopify(export, str(export)), options)


def import_csv(project: Path, table: Path, mapping: Path, options: ImportOptions = ImportOptions()) -> ImportResult:
    _require_file(table)
    _require_file(mapping)
    return import_rows(project, read_mapped_csv(table, str(table), mapping, str(mapping)), options)


def import_rows(project: Path, rows: Rows, options: ImportOptions) -> ImportResult:
    root = Path(project)
    if root.exists() and not root.is_dir():
        raise ToolError(f"{root} is not a folder: pass the project folder with --project")
    result = ImportResult(problems=list(rows.problems))
    products, problems = plan_products(rows.rows)
    result.problems += problems
    if not products:  # nothing to import: not even a new project's settings are written
        return result
    files = PlannedFiles(root)
    vocabulary = _vocabulary(root, files, options)
    originals = copy.deepcopy((vocabulary.attributes, vocabulary.categories, vocabulary.families))
    for product in products:
        relpath = f"{PRODUCTS}/{product.handle}.yaml"
        existing = read_document(root, relpath)
        if isinstance(existing, ParseFailure) or (existing is not None and not isinstance(existing, dict)):
            result.problems.append(Problem("PIM823", f"{relpath} cannot be read, so product {product.handle} cannot be updated: fix the file (pim validate) and import again; product skipped", product.row.at("handle")))
            continue
        record = product_record(product, vocabulary)
        files.put(relpath, merge_product(existing, record, complete=product.complete) if existing else record, existing)
        result.products += 1
        result.variants += len(record["variants"])
    attributes, categories, families = originals
    if _existing(root, SHOPIFY_MAPPING) is None:
        files.put(SHOPIFY_MAPPING, shopify_mapping(vocabulary.market, vocabulary.codes, rows.shopify_header))
    files.put(ATTRIBUTES, vocabulary.attributes, attributes if (root / ATTRIBUTES).is_file() else None)
    files.put(CATEGORIES, vocabulary.categories, categories if (root / CATEGORIES).is_file() else None)
    for code in sorted(vocabulary.changed_families):
        files.put(f"{FAMILIES}/{code}.yaml", vocabulary.families[code], families.get(code))
    if errors := new_errors(root, files):
        result.problems += errors
        label = products[0].row.path
        result.problems.append(Problem("PIM823", f"the imported catalog would have {len(errors)} error(s), listed with their catalog file: nothing was written", Location(label, 1, 1)))
        result.blocked = True
        return result
    result.changes = files.changes()
    result.diffs = {path: _diff(path, files.before[path], files.after[path]) for path, change in result.changes if change == "update"}
    if not options.dry_run and files.after:
        write_files(root, files.after)
        result.written = True
    return result


def _vocabulary(root: Path, files: PlannedFiles, options: ImportOptions) -> Vocabulary:
    """The project's settings, attributes, categories and families; a new project gets settings."""
    settings = _existing(root, SETTINGS)
    if settings is None:
        market = options.market or "US"
        settings = settings_document(market, options.locale, options.currency, options.shop_name, options.shop_url)
        files.put(SETTINGS, settings)
    markets = settings.get("markets") if isinstance(settings.get("markets"), dict) else {}
    market = options.market or next(iter(markets), None)
    if market not in markets or not isinstance(markets[market], dict):
        raise ToolError(f"market {market} is not in {SETTINGS}: pass one of {', '.join(markets) or '(none)'} with --market")
    families = {}
    for path in sorted((root / FAMILIES).glob("*.yaml")) if (root / FAMILIES).is_dir() else []:
        if (family := _existing(root, f"{FAMILIES}/{path.name}")) is not None:
            families[path.stem] = family
    return Vocabulary(
        market=market,
        locale=markets[market].get("locale", options.locale),
        currency=markets[market].get("currency", options.currency),
        attributes=_existing(root, ATTRIBUTES) or {},
        families=families,
        categories=_existing(root, CATEGORIES) or {},
    )


def _existing(root: Path, relpath: str) -> dict | None:
    document = read_document(root, relpath)
    if document is not None and not isinstance(document, dict):
        raise ToolError(f"{relpath} cannot be read: run pim validate, fix it, and import again")
    return document


def write_files(root: Path, texts: dict[str, str]) -> None:
    """Stage every file (written and synced), then move each into place: a failure while staging leaves the project as it was."""
    staged = FeedOutput(root)
    try:
        for relpath in sorted(texts):
            with staged.open(relpath) as stream:
                stream.write(texts[relpath].encode("utf-8"))
    except BaseException:
        staged.discard()
        raise
    staged.commit()


def _diff(path: str, before: str | None, after: str) -> str:
    return "".join(difflib.unified_diff((before or "").splitlines(True), after.splitlines(True), f"a/{path}", f"b/{path}"))


def _require_file(path: Path) -> None:
    if not Path(path).is_file():
        raise ToolError(f"{path} is not a file: pass the export to import")


def exit_code(result: ImportResult) -> int:
    return 1 if has_errors(result.problems) else 0
