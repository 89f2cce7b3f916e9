"""The layout is the project's typst file: a designer's change shows, a broken template stops the build plainly."""

from __future__ import annotations

from tests.print.conftest import flat, pdf_pages

TEMPLATE = "mappings/print/catalog.typ"


def test_a_designer_changes_the_layout_without_python(tiny_print, tmp_path):
    tiny_print.replace(TEMPLATE, 'catalog: "Catalog", contents: "Contents"', 'catalog: "Lookbook", contents: "In this issue"')
    done = tiny_print.pim("build", "--channel", "catalog-pdf", "--out", str(tmp_path / "feeds"))
    assert done.returncode == 0, done.stdout + done.stderr
    text = flat("\n".join(pdf_pages((tmp_path / "feeds/catalog-pdf/US.pdf").read_bytes())))
    assert "Lookbook" in text and "In this issue" in text


def test_a_template_that_does_not_compile_stops_the_build_naming_the_template(tiny_print, tmp_path):
    tiny_print.write(TEMPLATE, tiny_print.read(TEMPLATE) + "\n#let broken = (\n")
    done = tiny_print.pim("build", "--out", str(tmp_path / "feeds"))
    assert done.returncode == 2
    assert TEMPLATE in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "feeds/catalog-pdf").exists()


def test_a_template_that_imports_a_typst_package_is_refused_before_any_download(tiny_print, tmp_path):
    tiny_print.write(TEMPLATE, '#import "@preview/tablex:0.0.8": tablex\n' + tiny_print.read(TEMPLATE))
    done = tiny_print.pim("build", "--channel", "catalog-pdf", "--out", str(tmp_path / "feeds"))
    assert done.returncode == 2
    assert "imports a typst package" in done.stdout + done.stderr


def test_a_missing_template_stops_the_build_naming_the_option(tiny_print, tmp_path):
    tiny_print.remove(TEMPLATE)
    done = tiny_print.pim("build", "--channel", "catalog-pdf", "--out", str(tmp_path / "feeds"))
    assert done.returncode == 2
    assert "options.template" in done.stdout + done.stderr
