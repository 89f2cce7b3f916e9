"""`pim import`: exit 0 when every row came in, 1 when rows had problems, 2 when it cannot run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pim.cli import app
from tests.importers.conftest import Shop

EXPORT = "Handle,Title,Variant SKU,Variant Price\ncap,Cap,CAP-1,15\nhat,Hat,HAT-1,cheap\n"


def pim(*args: str):
    return CliRunner().invoke(app, list(args))


def test_import_then_validate_and_build(shop: Shop):
    path = shop.export("Handle,Title,Variant SKU,Variant Price\ncap,Cap,CAP-1,15\n")
    done = pim("import", "shopify", str(path), "--project", str(shop.project))
    assert done.exit_code == 0, done.output
    assert "created       catalog/products/cap.yaml" in done.output
    assert pim("validate", "--project", str(shop.project)).exit_code == 0
    assert pim("build", "--project", str(shop.project), "--channel", "shopify").exit_code == 0


def test_a_bad_row_exits_1_and_says_where(shop: Shop):
    done = pim("import", "shopify", str(shop.export(EXPORT)), "--project", str(shop.project), "--format", "json")
    assert done.exit_code == 1
    report = json.loads(done.output)
    assert [(p["code"], p["line"], p["column"]) for p in report["problems"]] == [("PIM805", 3, 4)]
    assert report["products"] == 1 and report["written"] is True


def test_a_dry_run_lists_the_files_and_writes_nothing(shop: Shop):
    done = pim("import", "shopify", str(shop.export(EXPORT)), "--project", str(shop.project), "--dry-run")
    assert "would create  catalog/products/cap.yaml" in done.output
    assert shop.files() == {}


def test_a_missing_export_exits_2(shop: Shop):
    done = pim("import", "shopify", str(shop.root / "missing.csv"), "--project", str(shop.project))
    assert done.exit_code == 2


def test_an_unknown_market_exits_2(shop: Shop):
    path = shop.export(EXPORT)
    pim("import", "shopify", str(path), "--project", str(shop.project))
    assert pim("import", "shopify", str(path), "--project", str(shop.project), "--market", "FR").exit_code == 2
