"""Images on printed pages come from the repository: one that cannot be placed is a located warning (PIM601)
and a placeholder on the page; the build still writes, and never reaches the network."""

from __future__ import annotations

from pathlib import Path

from pim.build import build
from pim.problems import Severity
from pim.sources import WorkingTree
from tests.core.conftest import JACKET
from tests.print.conftest import TIME, flat, pdf_pages, plan

PDF_MAPPING = "mappings/catalog-pdf.yaml"
IMAGE = "catalog/images/TJ-100-front.svg"


def build_print(project, out: Path):
    result = build(WorkingTree(project.root), channels=["catalog-pdf"], out=out, time=TIME)
    text = flat("\n".join(pdf_pages((out / "catalog-pdf/US.pdf").read_bytes()))) if result.written else ""
    return result, text


def test_a_readable_svg_is_placed_and_the_draft_product_is_not_printed(tiny_print, tmp_path):
    result, text = build_print(tiny_print, tmp_path / "feeds")
    assert result.problems == []
    assert "Trail Jacket" in text and "$129.00" in text
    assert "Image to come" not in text
    assert "Wool Sweater" not in text and "WS-200" not in text  # WS-200 is a draft


def test_an_unreadable_image_is_a_warning_at_the_product_images_and_a_placeholder(tiny_print, tmp_path):
    tiny_print.write(IMAGE, b"this is not an image\n")
    result, text = build_print(tiny_print, tmp_path / "feeds")
    assert [(p.code, p.severity) for p in result.problems] == [("PIM601", Severity.WARNING)] * 2  # US and FR
    problem = result.problems[0]
    assert problem.location == tiny_print.at(JACKET, "- src: images/TJ-100-front.svg")
    assert "not a PNG, JPEG, GIF, WebP or SVG" in problem.message and "TJ-100" in problem.message
    assert problem.related and problem.related[0].path == PDF_MAPPING
    assert "catalog-pdf/US.pdf" in result.written
    assert "Trail Jacket" in text and "Image to come" in text


def test_a_remote_image_is_never_downloaded_and_prints_as_a_placeholder(tiny_print, tmp_path):
    tiny_print.replace(JACKET, "src: images/TJ-100-front.svg", "src: https://cdn.example.com/TJ-100-front.svg")
    tiny_print.replace(PDF_MAPPING, '("catalog/" ~ product.images[0].path)', "product.images[0].path")
    result, text = build_print(tiny_print, tmp_path / "feeds")
    assert [(p.code, p.severity) for p in result.problems] == [("PIM601", Severity.WARNING)] * 2
    assert "web address" in result.problems[0].message
    assert "Image to come" in text


def test_a_mapped_path_to_a_missing_file_or_outside_the_project_is_a_warning(tiny_print, tmp_path):
    for path, says in (("'\"catalog/images/\" ~ product.id ~ \"-side.svg\"'", "is not in the project"), ("'\"../secret.png\"'", "points outside the project")):
        tiny_print.write(PDF_MAPPING, tiny_print.read(PDF_MAPPING).replace('("catalog/" ~ product.images[0].path) if product.images', path))
        problems = plan(tiny_print.root, "catalog-pdf").problems
        assert [p.code for p in problems] == ["PIM601", "PIM601"], problems  # US and FR
        assert says in problems[0].message
        tiny_print.write(PDF_MAPPING, tiny_print.read(PDF_MAPPING).replace(path, '("catalog/" ~ product.images[0].path) if product.images'))


def test_an_image_that_passes_the_sniff_but_not_the_decoder_still_prints_with_a_placeholder(tiny_print, tmp_path):
    tiny_print.write(IMAGE, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)  # a PNG signature, then nothing readable
    result, text = build_print(tiny_print, tmp_path / "feeds")
    assert "catalog-pdf/US.pdf" in result.written
    assert "Trail Jacket" in text and "Image to come" in text


def test_the_indesign_file_reports_an_image_it_cannot_place_the_same_way(tiny_print):
    tiny_print.write("mappings/print.yaml", """
        channel: indesign
        markets: [US]
        include: product.status == "active"
        fields:
          sku: variant.sku
          "@image": ("catalog/" ~ item.images[0].path) if item.images
    """)
    tiny_print.write(IMAGE, b"GIF\n")
    problems = plan(tiny_print.root, "print").problems
    assert [(p.code, p.location) for p in problems] == [("PIM601", tiny_print.at(JACKET, "- src: images/TJ-100-front.svg"))] * 3  # 3 SKUs
