"""Tiny inline exports written into a temporary project, imported, validated and built back."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pim.build import build
from pim.importers.write import ImportOptions, ImportResult, import_shopify
from pim.problems import Problem, Severity
from pim.project import validate_catalog
from pim.sources import WorkingTree

SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLES = SHARED / "data" / "shopify"


class Shop:
    """A project folder and an export file beside it."""

    def __init__(self, root: Path):
        self.root = root
        self.project = root / "project"
        root.mkdir(parents=True, exist_ok=True)

    def export(self, text: str, name: str = "export.csv") -> Path:
        path = self.root / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def import_shopify(self, text: str, **options) -> ImportResult:
        return import_shopify(self.project, self.export(text), ImportOptions(**options))

    def validate(self) -> list[Problem]:
        return validate_catalog(WorkingTree(self.project)).problems

    def build_shopify(self) -> str:
        result = build(WorkingTree(self.project), channels=["shopify"], time="2026-01-01T00:00:00Z")
        assert [p for p in result.problems if p.severity is Severity.ERROR] == []
        return (self.project / "feeds/shopify/US.csv").read_text(encoding="utf-8")

    def product(self, handle: str) -> str:
        return (self.project / f"catalog/products/{handle}.yaml").read_text(encoding="utf-8")

    def files(self) -> dict[str, bytes]:
        if not self.project.exists():
            return {}
        files = {p.relative_to(self.project).as_posix(): p.read_bytes() for p in sorted(self.project.rglob("*")) if p.is_file()}
        return {path: data for path, data in files.items() if not path.startswith(".pim/")}  # the build's parse cache


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return Shop(tmp_path)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def codes(problems: list[Problem]) -> list[tuple[str, int, int]]:
    """(code, row line, column) of every problem, the way a person finds the cell."""
    return [(p.code, p.location.line, p.location.column) for p in problems]
