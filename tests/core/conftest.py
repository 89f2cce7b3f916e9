"""A tiny, valid catalog project written inline, and a helper to break it one mistake at a time.

The project is the smallest catalog that still uses every part of the format
(docs/catalog-format.md): two locales with a fallback, two currencies and two markets, six attribute
types, a category tree with Google ids, one family with the variant axes [color, size], a content
group, two products with valid GTINs of different lengths, an image and a channel (`google`, known
because `mappings/google.yaml` exists).

A test takes the `tiny` fixture, changes one thing (`tiny.replace(...)`, `tiny.write(...)`), calls
`tiny.validate()` and compares the problems with the place it changed, found with `tiny.at(...)`,
so no expected line number is typed by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pim.problems import Location, Problem
from pim.project import validate_catalog
from pim.sources import WorkingTree

SETTINGS = "catalog/settings.yaml"
ATTRIBUTES = "catalog/attributes.yaml"
CATEGORIES = "catalog/categories.yaml"
FAMILY = "catalog/families/apparel.yaml"
CARE = "catalog/content/care.yaml"
JACKET = "catalog/products/TJ-100.yaml"
SWEATER = "catalog/products/WS-200.yaml"
GOOGLE = "mappings/google.yaml"

TINY_FILES: dict[str, str] = {
    SETTINGS: """
        locales:
          en-US: {}
          fr-FR: {fallback: en-US}
        currencies: [USD, EUR]
        markets:
          US: {country: US, locale: en-US, currency: USD}
          FR: {country: FR, locale: fr-FR, currency: EUR}
        shop:
          name: Tiny Outfitters
          url: https://tiny.example.com
    """,
    ATTRIBUTES: """
        color:
          type: enum
          label: {en-US: Color, fr-FR: Couleur}
          options:
            black: {en-US: Black, fr-FR: Noir}
            navy: {en-US: Navy, fr-FR: Bleu marine}
        size:
          type: enum
          options:
            S: {en-US: S, fr-FR: S}
            M: {en-US: M, fr-FR: M}
            L: {en-US: L, fr-FR: L}
        gender:
          type: enum
          options:
            female: {en-US: Women, fr-FR: Femme}
            male: {en-US: Men, fr-FR: Homme}
            unisex: {en-US: Unisex, fr-FR: Mixte}
        material:
          type: enum
          options:
            recycled-nylon: {en-US: Recycled nylon, fr-FR: Nylon recyclé}
            wool: {en-US: Merino wool, fr-FR: Laine mérinos}
        weight:
          type: measure
          units: [g, kg]
          min: 0
        care:
          type: text
          localizable: true
          label: {en-US: Care, fr-FR: Entretien}
          max_length: 200
    """,
    CATEGORIES: """
        apparel:
          label: {en-US: Apparel, fr-FR: Vêtements}
          google: 1604
          children:
            jackets:
              label: {en-US: Jackets, fr-FR: Vestes}
              google: 5598
    """,
    FAMILY: """
        label: {en-US: Apparel, fr-FR: Vêtements}
        attributes: [material, care, weight, gender]
        variant_axes: [color, size]
        required:
          all: [name, description, images, material]
          google: [gtin, gender]
    """,
    CARE: """
        machine-wash:
          en-US: Machine wash cold, hang to dry.
          fr-FR: Lavage en machine à froid, séchage à l'air libre.
    """,
    JACKET: """
        id: TJ-100
        family: apparel
        status: active
        brand: Tiny
        categories: [apparel/jackets]
        name: {en-US: Trail Jacket, fr-FR: Veste Trail}
        description: {en-US: A light shell for wet ridges., fr-FR: Une veste légère.}
        attributes:
          material: recycled-nylon
          care: "@content/care/machine-wash"
          weight: 310 g
          gender: unisex
        price: {USD: "129.00", EUR: "119.00"}
        images:
          - src: images/TJ-100-front.svg
            alt: {en-US: Front view, fr-FR: Vue de face}
        variants:
          - sku: TJ-100-BLK-M
            gtin: "00012345678905"
            color: black
            size: M
            stock: 12
          - sku: TJ-100-BLK-L
            gtin: "4006381333931"
            color: black
            size: L
            stock: 3
          - sku: TJ-100-NVY-M
            gtin: "036000291452"
            color: navy
            size: M
            stock: 0
    """,
    SWEATER: """
        id: WS-200
        family: apparel
        status: draft
        categories: [apparel]
        name: {en-US: Wool Sweater, fr-FR: Pull en laine}
        attributes:
          material: wool
        price: {USD: "89.00", EUR: 79}
        sale:
          price: {USD: "69.00", EUR: "59.90"}
          start: "2026-11-20"
          end: "2026-12-01"
        variants:
          - {sku: WS-200-NVY-S, gtin: "96385074", color: navy, size: S, stock: 4}
          - {sku: WS-200-NVY-L, gtin: "10012345678902", color: navy, size: L, stock: 9}
    """,
    GOOGLE: """
        # A stub: validation only needs the file name, which makes `google` a channel.
        channel: google-merchant
    """,
}

TINY_IMAGES: dict[str, str] = {
    "catalog/images/TJ-100-front.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
}


def yaml_text(text: str) -> str:
    """Inline YAML as written in this file: dedented, without the first blank line."""
    return textwrap.dedent(text).lstrip("\n")


def pim_command() -> str:
    """The `pim` console script of the interpreter running the tests (pim.cli has no __main__)."""
    beside = Path(sys.executable).parent / "pim"
    found = str(beside) if beside.exists() else shutil.which("pim")
    assert found, "the pim console script is not installed next to this Python"
    return found


def run_pim(*args: str | os.PathLike, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `pim ARGS...` as a user would, capturing text output."""
    return subprocess.run([pim_command(), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False)


class TinyProject:
    """A project folder on disk, with helpers to change one file and validate the whole catalog."""

    def __init__(self, root: Path):
        self.root = root

    # --- files -------------------------------------------------------------------------------

    def write(self, relpath: str, text: str | bytes) -> Path:
        """Write a file (inline YAML is dedented) and return its path."""
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(yaml_text(text), encoding="utf-8")
        return path

    def read(self, relpath: str) -> str:
        return (self.root / relpath).read_text(encoding="utf-8")

    def replace(self, relpath: str, old: str, new: str) -> None:
        """Change `old` into `new` in one file; `old` must occur exactly once, so the change is unambiguous."""
        text = self.read(relpath)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relpath}"
        (self.root / relpath).write_text(text.replace(old, new), encoding="utf-8")

    def remove(self, relpath: str) -> None:
        (self.root / relpath).unlink()

    # --- where things are ------------------------------------------------------------------------

    def at(self, relpath: str, line_text: str, focus: str | None = None) -> Location:
        """Where `focus` starts on the one line that contains `line_text` (searched from `line_text` on).

        Without `focus`, where `line_text` itself starts. Lines and columns are 1-based, as editors
        and `pim validate` count them.
        """
        lines = self.read(relpath).splitlines()
        hits = [index for index, line in enumerate(lines) if line_text in line]
        assert len(hits) == 1, f"{line_text!r} is on {len(hits)} lines of {relpath}"
        line = lines[hits[0]]
        start = line.index(line_text)
        column = line.index(focus, start) if focus is not None else start
        return Location(relpath, hits[0] + 1, column + 1)

    # --- validation ---------------------------------------------------------------------------

    def validate(self) -> list[Problem]:
        """Every problem of the catalog, as `pim validate` reports them (sorted by location)."""
        return validate_catalog(WorkingTree(self.root)).problems

    def the_problem(self) -> Problem:
        """The single problem of a catalog with one mistake (fails, listing them, if there are more or none)."""
        problems = self.validate()
        assert len(problems) == 1, "expected exactly one problem, got:\n" + "\n".join(describe(p) for p in problems)
        return problems[0]

    def pim(self, *args: str) -> subprocess.CompletedProcess:
        """Run the pim command line on this project."""
        return run_pim(*args, "--project", self.root)


def describe(problem: Problem) -> str:
    return f"{problem.location} {problem.code} {problem.message}"


def write_tiny_project(root: Path) -> TinyProject:
    project = TinyProject(root)
    for relpath, text in TINY_FILES.items():
        project.write(relpath, text)
    for relpath, text in TINY_IMAGES.items():
        project.write(relpath, text.encode())
    return project


@pytest.fixture
def tiny(tmp_path: Path) -> TinyProject:
    """A fresh copy of the tiny valid project in its own folder."""
    return write_tiny_project(tmp_path / "project")
