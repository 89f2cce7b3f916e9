"""The `pim` command line as a user runs it: validate (three output formats, exit codes), completeness, schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from pim.yamlfile import parse

from .conftest import JACKET, SWEATER, TinyProject, run_pim

REPO = Path(__file__).resolve().parents[2]
DEMO_CATALOG = REPO / "catalog"
SCHEMA_FILES = {"settings", "attributes", "categories", "family", "content", "product"}


def _break_tiny(tiny: TinyProject) -> None:
    """Three mistakes in two files, one with a related location (a duplicate SKU)."""
    tiny.replace(JACKET, "stock: 12", "stcok: 12")
    tiny.replace(SWEATER, '"96385074"', '"96385075"')
    tiny.replace(SWEATER, "sku: WS-200-NVY-L", "sku: TJ-100-BLK-L")


# --- pim validate -------------------------------------------------------------------------------


def test_validate_the_demo_catalog():
    done = run_pim("validate", "--project", REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "No problems found.\n"


def test_validate_defaults_to_the_current_folder(tiny: TinyProject):
    done = run_pim("validate", cwd=tiny.root)
    assert (done.returncode, done.stdout) == (0, "No problems found.\n")


def test_validate_human_report_groups_problems_by_file(tiny: TinyProject):
    _break_tiny(tiny)
    done = tiny.pim("validate")
    assert done.returncode == 1
    stcok, digit, sku = tiny.at(JACKET, "stcok"), tiny.at(SWEATER, '"96385075"'), tiny.at(SWEATER, "sku: TJ-100-BLK-L", "TJ-100")
    first = tiny.at(JACKET, "sku: TJ-100-BLK-L", "TJ-100")
    lines = done.stdout.splitlines()
    assert lines[0] == JACKET
    assert re.fullmatch(rf"\s+{stcok.line}:{stcok.column}\s+error\s+PIM101\s+unknown key `stcok`: did you mean `stock`\?", lines[1])
    assert lines[2] == ""
    assert lines[3] == SWEATER
    assert re.fullmatch(rf"\s+{digit.line}:{digit.column}\s+error\s+PIM223\s+GTIN \"96385075\" has a wrong check digit.*", lines[4])
    assert re.fullmatch(rf"\s+{sku.line}:{sku.column}\s+error\s+PIM221\s+SKU TJ-100-BLK-L is already used by .*", lines[5])
    assert lines[6].strip() == f"see {first}"
    assert lines[-1] == "3 errors, 0 warnings in 2 files"


def test_validate_json_report(tiny: TinyProject):
    _break_tiny(tiny)
    done = tiny.pim("validate", "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["summary"] == "3 errors, 0 warnings in 2 files"
    problems = report["problems"]
    assert [set(p) for p in problems] == [{"path", "line", "column", "code", "severity", "message", "related"}] * 3
    stcok = tiny.at(JACKET, "stcok")
    assert problems[0] == {
        "path": JACKET,
        "line": stcok.line,
        "column": stcok.column,
        "severity": "error",
        "code": "PIM101",
        "message": "unknown key `stcok`: did you mean `stock`?",
        "related": [],
    }
    assert [p["code"] for p in problems] == ["PIM101", "PIM223", "PIM221"]
    assert problems[2]["related"] == [str(tiny.at(JACKET, "sku: TJ-100-BLK-L", "TJ-100"))]


def test_validate_json_report_of_a_valid_catalog(tiny: TinyProject):
    done = tiny.pim("validate", "--format", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"problems": [], "summary": "0 errors, 0 warnings in 0 files"}


GITHUB_LINE = re.compile(r"::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=(PIM\d{3})::(.+)")


def test_validate_github_annotations(tiny: TinyProject):
    _break_tiny(tiny)
    done = tiny.pim("validate", "--format", "github")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    matches = [GITHUB_LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    stcok = tiny.at(JACKET, "stcok")
    assert matches[0].groups() == ("error", JACKET, str(stcok.line), str(stcok.column), "PIM101", "unknown key `stcok`: did you mean `stock`?")
    assert [m.group(5) for m in matches] == ["PIM101", "PIM223", "PIM221"]


def test_warnings_alone_exit_zero(tiny: TinyProject):
    tiny.write("catalog/settings.yaml", tiny.read("catalog/settings.yaml") + "google_taxonomy: data/taxonomy.txt\n")
    done = tiny.pim("validate", "--format", "github")
    assert done.returncode == 0
    assert done.stdout.startswith("::warning file=catalog/settings.yaml,line=")
    assert ",title=PIM007::" in done.stdout


def test_validate_exits_2_without_a_catalog_folder(tmp_path: Path):
    done = run_pim("validate", "--project", tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "no catalog/ folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_validate_exits_2_on_an_unknown_format(tiny: TinyProject):
    done = tiny.pim("validate", "--format", "xml")
    assert done.returncode == 2
    assert "unknown format 'xml': use one of human, json, github" in done.stderr


# --- pim completeness ---------------------------------------------------------------------------


def _table(stdout: str) -> tuple[list[str], list[list[str]], str]:
    """Header words, rows split into their five columns, and the closing summary line."""
    lines = stdout.splitlines()
    header = lines[0].split()
    rows = [line.split(maxsplit=4) for line in lines[1:] if line.strip() and " of " not in line]
    return header, rows, lines[-1]


def test_completeness_table(tiny: TinyProject):
    done = tiny.pim("completeness")
    assert done.returncode == 0, done.stderr
    header, rows, summary = _table(done.stdout)
    assert header == ["product", "channel", "locale", "%", "missing"]
    # The family requires name, description, images, material for every channel, gtin and gender for google.
    assert rows == [
        ["TJ-100", "google", "en-US", "100%", "-"],
        ["TJ-100", "google", "fr-FR", "100%", "-"],
        ["WS-200", "google", "en-US", "50%", "description, images, gender"],
        ["WS-200", "google", "fr-FR", "50%", "description, images, gender"],
    ]
    assert summary == "2 of 4 product x channel x locale rows complete"


def test_completeness_counts_a_locale_without_its_own_text_as_missing(tiny: TinyProject):
    tiny.replace(JACKET, "description: {en-US: A light shell for wet ridges., fr-FR: Une veste légère.}", "description: {en-US: A light shell for wet ridges.}")
    done = tiny.pim("completeness", "--incomplete", "--channel", "google")
    _, rows, _ = _table(done.stdout)
    assert ["TJ-100", "google", "fr-FR", "83%", "description"] in rows
    assert ["TJ-100", "google", "en-US", "100%", "-"] not in rows


def test_completeness_filters(tiny: TinyProject):
    done = tiny.pim("completeness", "--locale", "fr-FR", "--incomplete")
    _, rows, _ = _table(done.stdout)
    assert rows == [["WS-200", "google", "fr-FR", "50%", "description, images, gender"]]


def test_completeness_of_the_demo_catalog():
    done = run_pim("completeness", "--project", REPO, "--locale", "en-US")
    assert done.returncode == 0, done.stderr
    header, rows, summary = _table(done.stdout)
    assert header == ["product", "channel", "locale", "%", "missing"]
    assert rows and all(row[2] == "en-US" and row[3].endswith("%") for row in rows)
    assert re.fullmatch(r"\d+ of \d+ product x channel x locale rows complete", summary)


def test_completeness_columns_line_up_under_their_headings(tiny: TinyProject):
    lines = tiny.pim("completeness").stdout.splitlines()
    header, first_row = lines[0], lines[1]
    for heading, value in (("channel", "google"), ("locale", "en-US")):
        assert header.index(heading) == first_row.index(value), f"{heading}:\n{header}\n{first_row}"


# --- pim schema -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("schemas")
    done = run_pim("schema", "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"wrote {out / f'{name}.schema.json'}" for name in ("settings", "attributes", "categories", "family", "content", "product")]
    return out


def _validator(schemas: Path, name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((schemas / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_schema_writes_one_json_schema_per_file_kind(schemas: Path):
    assert {p.name for p in schemas.iterdir()} == {f"{name}.schema.json" for name in SCHEMA_FILES}


def test_a_demo_product_validates_against_the_product_schema(schemas: Path):
    product = parse((DEMO_CATALOG / "products/TJ-100.yaml").read_text(encoding="utf-8"))
    _validator(schemas, "product").validate(product)


def test_every_demo_file_validates_against_its_schema(schemas: Path):
    kinds = {
        "settings": [DEMO_CATALOG / "settings.yaml"],
        "attributes": [DEMO_CATALOG / "attributes.yaml"],
        "categories": [DEMO_CATALOG / "categories.yaml"],
        "family": sorted((DEMO_CATALOG / "families").glob("*.yaml")),
        "content": sorted((DEMO_CATALOG / "content").glob("*.yaml")),
        "product": sorted((DEMO_CATALOG / "products").glob("*.yaml")),
    }
    for kind, files in kinds.items():
        validator = _validator(schemas, kind)
        for path in files:
            errors = [e.message for e in validator.iter_errors(parse(path.read_text(encoding="utf-8")))]
            assert errors == [], f"{path.relative_to(REPO)}: {errors}"


def test_the_product_schema_rejects_a_misspelled_key(schemas: Path):
    product = parse((DEMO_CATALOG / "products/TJ-100.yaml").read_text(encoding="utf-8"))
    product["stauts"] = product.pop("status")
    messages = [e.message for e in _validator(schemas, "product").iter_errors(product)]
    assert any("'status' is a required property" in m for m in messages)
    assert any("stauts" in m for m in messages)
