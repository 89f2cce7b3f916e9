"""A pim project folder: catalog/, mappings/, feeds/. Validation of the whole catalog in one call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pim.catalog import CATALOG, Catalog, Locator, load_catalog
from pim.checks import check_catalog, check_product
from pim.problems import Problem
from pim.sources import Source, ToolError, WorkingTree

MAPPINGS = "mappings"
FEEDS = "feeds"


@dataclass
class Validated:
    catalog: Catalog | None
    problems: list[Problem]
    locator: Locator
    source: Source


def open_project(root: Path) -> WorkingTree:
    root = Path(root)
    if not (root / CATALOG).is_dir():
        raise ToolError(f"no {CATALOG}/ folder in {root.resolve()}: run pim in a catalog project (or pass --project)")
    return WorkingTree(root)


def channel_names(source: Source) -> frozenset[str]:
    return frozenset(path.rsplit("/", 1)[-1].removesuffix(".yaml") for path in source.list(MAPPINGS))


def validate_catalog(source: Source, *, untyped: bool = False) -> Validated:
    """Load and check the catalog: all problems, sorted by location. With `untyped`, the products come
    back as `UntypedProduct`s, typed again one at a time when read (`Loaded.untyped`: what a build
    wants, which reads each product once)."""
    loaded = load_catalog(source, channel_names(source), check_product)
    problems = list(loaded.problems)
    if loaded.catalog is not None:
        problems += check_catalog(loaded.catalog, loaded.locator, source)
        loaded.remember(problems)
    catalog = loaded.untyped() if untyped else loaded.catalog
    return Validated(catalog, sorted(problems, key=Problem.sort_key), loaded.locator, source)
