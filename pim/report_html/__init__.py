"""`pim report`: a static HTML readiness and one-voice report in feeds/report/.

Pages are rendered with jinja2 templates (autoescaped; this is jinja2's second home, apart from the
mapping sandbox in pim/expressions.py, and it never sees user expressions). Everything is inline: CSS,
the chart as SVG and a few lines of script that only sort tables, so the report opens from a file or
a CI artifact with no server, no network and, for its content, no JavaScript. Same build, same bytes:
the only time shown is the build time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from pim.build import BuildResult, build, build_time, compile_mappings
from pim.output import FeedOutput
from pim.problems import Problem
from pim.project import FEEDS, validate_catalog
from pim.report_html import views
from pim.report_html.chart import completeness_chart
from pim.sources import Source

REPORT = "report"  # the folder under feeds/


@dataclass
class ReportResult:
    index: Path
    written: list[str] = field(default_factory=list)  # relative to the output folder
    problems: list[Problem] = field(default_factory=list)  # the build's


def write_report(source: Source, *, out: Path | None = None, time: str | None = None) -> ReportResult:
    """Build in memory, then write report/index.html and one page per product into `out` (feeds/).

    Written like feeds: staged, then each file replaced atomically; pages of products that are gone are removed."""
    root = out if out is not None else Path(source.root) / FEEDS
    pages, problems = render_report(source, root / REPORT, time=time)
    output = FeedOutput(root)
    try:
        for relpath, data in pages.items():
            with output.open(f"{REPORT}/{relpath}") as handle:
                handle.write(data)
        written = sorted(output.files)
        output.commit()
    finally:
        output.discard()
    _remove_stale(root / REPORT, set(pages))
    return ReportResult(root / REPORT / "index.html", written, problems)


def render_report(source: Source, report_dir: Path, *, time: str | None = None) -> tuple[dict[str, bytes], list[Problem]]:
    """Every page of the report by path under report/ (index.html, products/<id>.html), and the build's problems."""
    time = time or build_time(source)
    result = build(source, write=False, time=time)
    return render_pages(_inputs(source, result, time), report_dir), result.problems


def _inputs(source: Source, result: BuildResult, time: str) -> views.Inputs:
    # The build keeps its catalog and mappings to itself; the report reads them again (a second parse,
    # cheap next to rendering) rather than widening BuildResult while build.py is being reworked.
    validated = validate_catalog(source)
    mappings = compile_mappings(source, validated.locator, None, []) if validated.catalog is not None else []
    return views.Inputs(Path(source.root), result, validated.catalog, mappings, time)


def render_pages(inputs: views.Inputs, report_dir: Path) -> dict[str, bytes]:
    env = Environment(loader=PackageLoader("pim.report_html", "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    products_dir = report_dir / "products"
    pages = views.product_pages(inputs, products_dir)
    found = views.disagreements(inputs)
    views.fill_product_pages(inputs, pages, found, products_dir)
    completeness = views.completeness(inputs.catalog)
    shop = inputs.catalog.settings.shop.name if inputs.catalog else "pim"
    common = {"shop": shop, "build_time": inputs.build_time, "facts": views.FACTS}
    rendered = {
        "index.html": env.get_template("index.html").render(
            **common,
            home="",
            totals=views.totals(inputs, found),
            overview=views.overview(inputs),
            completeness=completeness,
            chart=completeness_chart(completeness),
            exclusions=views.exclusions(inputs, report_dir, pages),
            disagreements=views.disagreement_rows(found, inputs, report_dir, pages),
            declared=views.declared(inputs, report_dir),
            problems=views.other_problems(inputs.build.problems, inputs.root, report_dir),
            products=list(pages.values()),
        )
    }
    for page in pages.values():
        rendered[f"products/{page.file}"] = env.get_template("product.html").render(**common, home="../", product=page)
    return {path: text.encode("utf-8") for path, text in rendered.items()}


def _remove_stale(report_dir: Path, current: set[str]) -> None:
    """Pages of products no longer in the catalog; only .html files the report itself writes."""
    for path in sorted(report_dir.glob("products/*.html")) + sorted(report_dir.glob("*.html")):
        if path.relative_to(report_dir).as_posix() not in current:
            path.unlink(missing_ok=True)
