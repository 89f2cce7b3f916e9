"""Print tests: the demo's PDF catalogs planned once, and a tiny project with the demo's print mapping."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from pim.build import BuildResult, build
from pim.sources import WorkingTree
from tests.channels.demo import ROOT, copy_demo
from tests.core.conftest import TinyProject, write_tiny_project

TIME = "2026-01-01T00:00:00Z"  # the golden feeds' build time: every sale in the demo is still to come


def plan(root: Path, *channels: str) -> BuildResult:
    """The build of `root` in memory (nothing written), at TIME."""
    return build(WorkingTree(root), channels=list(channels), write=False, time=TIME)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text with every run of white space as one space: a long name may wrap in the layout."""
    return " ".join(text.split())


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def tiny_print(tmp_path: Path) -> TinyProject:
    """The tiny catalog (one active jacket with an SVG, one draft sweater) with the demo's PDF mapping and layout."""
    project = write_tiny_project(tmp_path / "project")
    shutil.copy(ROOT / "mappings/catalog-pdf.yaml", project.root / "mappings/catalog-pdf.yaml")
    shutil.copytree(ROOT / "mappings/print", project.root / "mappings/print")
    return project
