"""`pim report`: a static HTML report of one in-memory build, written like feeds (atomic, same bytes)."""

from __future__ import annotations

import re
from pathlib import Path

from pim.report_html import write_report
from pim.sources import WorkingTree

from .conftest import BUILD_TIME

SHOPIFY_PRICE = "Variant Price: (item.sale.price if item.sale and item.sale.active else item.price) | amount"


def report(project, out: Path) -> str:
    write_report(WorkingTree(project.root), out=out, time=BUILD_TIME)
    return (out / "report/index.html").read_text(encoding="utf-8")


def test_the_report_has_an_index_and_a_page_per_product(one_voice, tmp_path):
    result = write_report(WorkingTree(one_voice.root), out=tmp_path, time=BUILD_TIME)

    assert result.written == ["report/index.html", "report/products/TJ-100.html", "report/products/WS-200.html"]
    assert result.problems == []
    page = (tmp_path / "report/products/TJ-100.html").read_text(encoding="utf-8")
    assert page.count("<h3 id=\"sku-") == 3  # the facts of each SKU, side by side per feed
    assert all(feed in page for feed in ("google/US", "meta/FR", "shopify/US", "headless/FR"))


def test_same_build_same_bytes(one_voice, tmp_path):
    first = report(one_voice, tmp_path / "a")
    second = report(one_voice, tmp_path / "b")
    assert first == second
    assert BUILD_TIME in first  # the build's time, never the clock


def test_the_report_needs_no_network_and_no_file_besides_itself(one_voice, tmp_path):
    html = report(one_voice, tmp_path)

    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", html)
    assert "<svg" in html and "<style>" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and not [h for h in hrefs if h.startswith(("http:", "https:", "//"))]


def test_the_content_is_in_the_html_without_javascript(one_voice, tmp_path):
    html = report(one_voice, tmp_path)
    overview = html[html.index('id="overview-table"'): html.index("</table>", html.index('id="overview-table"'))]

    cells = re.findall(r'class="num ready first" data-channel="([^"]+)" data-market="([^"]+)">(\d+)<', overview)

    assert cells == [("google", "US", "3"), ("google", "FR", "3"), ("headless", "US", "1"), ("headless", "FR", "1"),
                     ("meta", "US", "3"), ("meta", "FR", "3"), ("shopify", "US", "3")]


def test_a_disagreement_is_listed_and_marked_on_the_product_page(one_voice, tmp_path):
    one_voice.replace("mappings/shopify.yaml", SHOPIFY_PRICE, "Variant Price: item.price.amount + 10")

    feeds = one_voice.root / "feeds"  # where `pim report` writes: links to project files are relative to it
    result = write_report(WorkingTree(one_voice.root), out=feeds, time=BUILD_TIME)
    html = (feeds / "report/index.html").read_text(encoding="utf-8")
    page = (feeds / "report/products/TJ-100.html").read_text(encoding="utf-8")

    assert {p.code for p in result.problems} == {"PIM501"}
    assert html.count("<code>139.00 USD</code> in shopify/US") == 3
    assert 'href="../../mappings/shopify.yaml"><code>mappings/shopify.yaml:' in html
    assert page.count('<td class="value differs">139.00 USD</td>') == 3


def test_exclusions_are_grouped_by_reason_with_the_catalog_line(one_voice, tmp_path):
    one_voice.replace("catalog/products/TJ-100.yaml", "name: {en-US: Trail Jacket,", "name: {en-US: " + "Long " * 32 + "Trail Jacket,")

    html = report(one_voice, one_voice.root / "feeds")

    section = html[html.index('id="exclusions"'): html.index('id="consistency"')]
    assert '<h3 id="excluded-PIM302"><code>PIM302</code> text longer than the channel allows (3)</h3>' in section
    line = one_voice.at("catalog/products/TJ-100.yaml", "name:").line
    assert f'<a href="../../catalog/products/TJ-100.yaml"><code>catalog/products/TJ-100.yaml:{line}</code></a>' in section


def test_text_from_the_catalog_is_escaped(one_voice, tmp_path):
    one_voice.replace("catalog/products/TJ-100.yaml", "brand: Tiny", 'brand: "<script>alert(1)</script>"')

    html = (tmp_path / "report/products/TJ-100.html")
    report(one_voice, tmp_path)

    text = html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_a_product_that_is_gone_loses_its_page(one_voice, tmp_path):
    report(one_voice, tmp_path)
    one_voice.remove("catalog/products/WS-200.yaml")

    report(one_voice, tmp_path)

    assert sorted(p.name for p in (tmp_path / "report/products").iterdir()) == ["TJ-100.html"]


def test_pim_report_exits_1_on_build_errors_and_still_writes_the_report(one_voice, tmp_path):
    clean = one_voice.pim("report", "--out", str(tmp_path / "clean"))
    one_voice.replace("mappings/shopify.yaml", SHOPIFY_PRICE, "Variant Price: item.price.amount + 10")
    broken = one_voice.pim("report", "--out", str(tmp_path / "broken"))

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert broken.returncode == 1 and "PIM501" in broken.stdout
    assert (tmp_path / "broken/report/index.html").is_file()


def test_pim_report_outside_a_project_is_a_tool_error(tmp_path):
    from tests.core.conftest import run_pim

    done = run_pim("report", "--project", tmp_path)

    assert done.returncode == 2 and "no catalog/ folder" in done.stderr and "Traceback" not in done.stderr
