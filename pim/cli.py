"""The `pim` command line: parses options, calls one library function, renders, exits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from pim.problems import has_errors
from pim.report import FORMATS, render_problems
from pim.sources import ToolError
from pim.workers import collect_rarely

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Catalog-as-code: validate a YAML catalog and build every channel's feed.")


@app.callback()
def _process() -> None:
    collect_rarely()  # pim is one short process per command: tune it once, where the process starts

ProjectOption = typer.Option(Path("."), "--project", "-p", help="The project folder (holding catalog/, mappings/, feeds/).")
FormatOption = typer.Option("human", "--format", "-f", help="human, json or github (workflow annotations).")


def _fail(message: str) -> None:
    typer.echo(f"pim: {message}", err=True)
    raise typer.Exit(2)


def _check_format(fmt: str, allowed=FORMATS) -> None:
    if fmt not in allowed:
        _fail(f"unknown format {fmt!r}: use one of {', '.join(allowed)}")


def _progress_bar():
    """A one-line progress bar on stderr while feeds render, only when a person is watching."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, name: str) -> None:
        filled = done * 30 // max(total, 1)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {name:<24}{end}")
        sys.stderr.flush()

    return show


@app.command()
def validate(
    files: Optional[list[Path]] = typer.Argument(None, help="Report only the problems in these files (pre-commit passes the changed ones); the whole catalog is still checked."),
    project: Path = ProjectOption,
    fmt: str = FormatOption,
) -> None:
    """Check the catalog: every problem, with file:line:column, a code and what to change. Exit 1 on errors."""
    from pim.named_files import problems_in, project_paths
    from pim.project import open_project, validate_catalog

    _check_format(fmt)
    try:
        result = validate_catalog(open_project(project))
    except ToolError as exc:
        _fail(str(exc))
    problems = problems_in(result.problems, project_paths(project, files)) if files else result.problems
    sys.stdout.write(render_problems(problems, fmt))
    raise typer.Exit(1 if has_errors(problems) else 0)


@app.command()
def completeness(
    project: Path = ProjectOption,
    channel: Optional[str] = typer.Option(None, help="Only this channel."),
    locale: Optional[str] = typer.Option(None, help="Only this locale."),
    incomplete: bool = typer.Option(False, "--incomplete", help="Only rows that miss something."),
) -> None:
    """Completeness per product, channel and locale: the share of required values filled, and what is missing."""
    from pim.completeness import compute_completeness, render_completeness
    from pim.project import open_project, validate_catalog

    try:
        result = validate_catalog(open_project(project))
    except ToolError as exc:
        _fail(str(exc))
    if result.catalog is None:
        sys.stdout.write(render_problems(result.problems, "human"))
        raise typer.Exit(1)
    rows = [r for r in compute_completeness(result.catalog) if (channel is None or r.channel == channel) and (locale is None or r.locale == locale)]
    sys.stdout.write(render_completeness(rows, only_incomplete=incomplete))


@app.command()
def schema(out: Path = typer.Option(Path("catalog/schemas"), "--out", "-o", help="Folder to write the JSON Schemas into (the demo files point at catalog/schemas).")) -> None:
    """Write JSON Schema for every catalog file kind, so editors offer completion and hover help."""
    from pim.output import write_atomically
    from pim.schema import catalog_schemas

    for name, data in catalog_schemas().items():
        write_atomically(out / name, data)
        typer.echo(f"wrote {out / name}")


@app.command()
def build(
    project: Path = ProjectOption,
    channel: Optional[list[str]] = typer.Option(None, "--channel", "-c", help="Build only this channel (repeatable)."),
    market: Optional[list[str]] = typer.Option(None, "--market", "-m", help="Build only this market (repeatable)."),
    strict: bool = typer.Option(False, "--strict", help="Fail the build (exit 1, nothing written) when any item is excluded."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the feeds here instead of <project>/feeds."),
    check: bool = typer.Option(False, "--check", help="Build in memory and compare with the committed feeds/; exit 1 if anything differs. Writes nothing."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes to render and write with (default: every core, for catalogs of 1,000 products or more)."),
    shard: Optional[str] = typer.Option(None, "--shard", help="I/N: render only shard I of N (products by a stable hash of their id) into a part file in --out; join the parts with --merge."),
    merge: Optional[Path] = typer.Option(None, "--merge", help="Write the feeds from the part files that --shard wrote into this folder."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Render the shards on a Dask cluster: its scheduler address, or local:N for N local workers (pip install 'pim[dask]')."),
    fmt: str = FormatOption,
) -> None:
    """Validate the catalog and write every channel's feeds into feeds/, with a manifest. Nothing is written on errors."""
    from pim.build import build as run_build
    from pim.build_report import render_build
    from pim.project import open_project

    _check_format(fmt)
    if shard is not None:
        _build_shard(project, shard, channel, market, out, fmt)
    parts = None
    try:
        if merge is not None:
            from pim.shards import read_part_folder

            parts = read_part_folder(merge)
        elif dask is not None:
            from pim.cluster import render_on_dask

            parts = render_on_dask(open_project(project), dask, channels=channel, markets=market)
    except ToolError as exc:
        _fail(str(exc))
    if check:
        from pim.diff import check_committed_feeds

        try:
            stale = check_committed_feeds(open_project(project))
        except ToolError as exc:
            _fail(str(exc))
        sys.stdout.write("".join(f"{line}\n" for line in stale) or "feeds/ is up to date.\n")
        raise typer.Exit(1 if stale else 0)
    try:
        result = run_build(open_project(project), channels=channel, markets=market, strict=strict, out=out, progress=_progress_bar(), jobs=jobs, parts=parts)
    except ToolError as exc:
        _fail(str(exc))
    sys.stdout.write(render_build(result, fmt, strict=strict))
    failed = has_errors(result.problems) or (strict and result.exclusions > 0)
    raise typer.Exit(1 if failed else 0)


def _build_shard(project: Path, shard: str, channel, market, out: Optional[Path], fmt: str) -> None:
    from pim.build import build_shard
    from pim.project import open_project
    from pim.shards import part_file_name, write_part_file

    number, _, count = shard.partition("/")
    if not (number.isdigit() and count.isdigit() and 0 <= int(number) < int(count)):
        _fail(f"--shard takes I/N with 0 <= I < N, e.g. 0/4, not {shard!r}")
    if out is None:
        _fail("--shard needs --out: the folder the part files of every shard go to")
    try:
        problems, parts = build_shard(open_project(project), int(number), int(count), channels=channel, markets=market)
    except ToolError as exc:
        _fail(str(exc))
    sys.stdout.write(render_problems(problems, fmt) if problems else "")
    if parts is None:
        raise typer.Exit(1)
    write_part_file(out / part_file_name(int(number), int(count)), int(number), int(count), parts)
    typer.echo(f"Wrote shard {number} of {count} ({sum(len(p.items) for p in parts)} items) into {out}/.")
    raise typer.Exit(1 if has_errors(problems) else 0)


@app.command("diff")
def diff_command(
    old: str = typer.Argument("HEAD", help="The revision to compare from (a commit, branch or tag)."),
    new: Optional[str] = typer.Argument(None, help="The revision to compare to; the working tree when left out."),
    project: Path = ProjectOption,
    channel: Optional[list[str]] = typer.Option(None, "--channel", "-c", help="Only this channel (repeatable)."),
    market: Optional[list[str]] = typer.Option(None, "--market", "-m", help="Only this market (repeatable)."),
    field: Optional[list[str]] = typer.Option(None, "--field", help="Only changes to this field of changed items (repeatable)."),
    fmt: str = typer.Option("human", "--format", "-f", help="human, markdown (a pull request comment) or json."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour the human output; by default only on a terminal."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when any feed or problem changes."),
) -> None:
    """What a change does to every channel's feed: items added, removed, changed field by field, excluded. Nothing is written."""
    import os

    from pim.diff import diff_sources, only_fields, open_side
    from pim.diff_report import DIFF_FORMATS, render_diff

    _check_format(fmt, DIFF_FORMATS)
    try:
        before, after = open_side(project, old), open_side(project, new)
        result = diff_sources(before, after, channels=channel, markets=market)
    except ToolError as exc:
        _fail(str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot compare")
    if field:
        result = only_fields(result, field)
    if color is None:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    sys.stdout.write(render_diff(result, fmt, old=before.label, new=after.label, color=color))
    raise typer.Exit(1 if exit_code and not result.is_empty else 0)


@app.command()
def init(
    folder: Path = typer.Argument(..., help="The folder for the new catalog repository (created if needed)."),
    force: bool = typer.Option(False, "--force", help="Replace files of the same names that are already there."),
) -> None:
    """Start a catalog repository: settings, a family, a product, a mapping per channel, CI workflows, editor schemas."""
    from pim.project_init import init_project

    try:
        written = init_project(folder, force=force)
    except ToolError as exc:
        _fail(str(exc))
    typer.echo(f"Wrote {len(written)} files into {folder}. Next:")
    typer.echo(f"  cd {folder} && git init && pim validate && pim build")


@app.command("fmt")
def fmt_command(
    files: Optional[list[Path]] = typer.Argument(None, help="Only these catalog files (pre-commit passes the changed ones); every catalog file by default."),
    project: Path = ProjectOption,
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when a file is not in canonical form."),
    show_diff: bool = typer.Option(False, "--diff", help="With --check: show what would change, as a unified diff."),
    fmt: str = FormatOption,
) -> None:
    """Rewrite catalog files into the canonical form (key order, identifier quoting, indentation), comments kept."""
    from pim.fmt import format_catalog, unified_diff
    from pim.named_files import project_paths
    from pim.project import open_project

    _check_format(fmt)
    try:
        open_project(project)
        result = format_catalog(project, project_paths(project, files) if files else None, write=not check)
    except ToolError as exc:
        _fail(str(exc))
    if check or result.problems:
        problems = result.check_problems() if check else result.problems
        if show_diff:
            sys.stdout.write("".join(unified_diff(f) for f in result.changed))
        sys.stdout.write(render_problems(problems, fmt) if problems or fmt != "human" else f"{len(result.files)} files already in canonical form.\n")
        raise typer.Exit(1 if problems else 0)
    for formatted in result.changed:
        typer.echo(f"formatted {formatted.relpath}")
    typer.echo(f"{len(result.changed)} formatted, {len(result.files) - len(result.changed)} unchanged.")


@app.command()
def blame(
    product: str = typer.Argument(..., help="The product id, e.g. TJ-100."),
    fields: Optional[list[str]] = typer.Argument(None, help="Only these values: a path or its start (name, name.fr-FR, price, variants[TJ-100-BLK-S]) or a variant field (stock)."),
    project: Path = ProjectOption,
    fmt: str = typer.Option("human", "--format", "-f", help="human or json."),
) -> None:
    """For each value of a product (per locale and per variant): the commit, author and date that last changed it."""
    from pim.blame import BLAME_FORMATS, blame_product, render_blame

    _check_format(fmt, BLAME_FORMATS)
    try:
        result = blame_product(project, product, fields)
    except ToolError as exc:
        _fail(str(exc))
    sys.stdout.write(render_blame(result, fmt))


@app.command()
def publish(
    project: Path = ProjectOption,
    destination: Optional[list[str]] = typer.Option(None, "--destination", "-d", help="Only this destination from publish.yaml (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be sent (counts, first items, bytes); send nothing."),
    force: bool = typer.Option(False, "--force", help="Publish even when the drop guard refuses (needs --reason)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the drop guard may be overridden; recorded in the report and state."),
    fmt: str = typer.Option("human", "--format", "-f", help="human or json."),
) -> None:
    """Send the built feeds/ to the destinations in publish.yaml: only changes, with retries and a drop guard. Exit 1 when anything was not delivered."""
    from pim.publish.report import PUBLISH_FORMATS, render_publish
    from pim.publish.run import publish as run_publish

    _check_format(fmt, PUBLISH_FORMATS)
    result = run_publish(project, destinations=destination, dry_run=dry_run, force=force, reason=reason)
    sys.stdout.write(render_publish(result, fmt))
    raise typer.Exit(2 if result.cannot_run else 0 if result.delivered else 1)


import_app = typer.Typer(no_args_is_help=True, help="Turn a product export into catalog files (one product per file; existing products are updated).")
app.add_typer(import_app, name="import")


def _import_options(market: Optional[str], locale: str, currency: str, shop_name: str, shop_url: str, dry_run: bool):
    from pim.importers.write import ImportOptions

    return ImportOptions(market=market, locale=locale, currency=currency, shop_name=shop_name, shop_url=shop_url, dry_run=dry_run)


ImportMarket = typer.Option(None, "--market", "-m", help="The market whose locale and currency the export is in (default: the project's first, or US).")
ImportLocale = typer.Option("en-US", "--locale", help="For a new project: the locale of the export's texts.")
ImportCurrency = typer.Option("USD", "--currency", help="For a new project: the currency of the export's prices.")
ImportShopName = typer.Option("Shop", "--shop-name", help="For a new project: the shop's name in settings.yaml.")
ImportShopUrl = typer.Option("https://shop.example.com", "--shop-url", help="For a new project: the shop's URL in settings.yaml.")
ImportDryRun = typer.Option(False, "--dry-run", help="Show which files would change, with a diff of each update; write nothing.")


def _finish_import(run, fmt: str, dry_run: bool) -> None:
    from pim.importers.report import IMPORT_FORMATS, render_import
    from pim.importers.write import exit_code

    _check_format(fmt, IMPORT_FORMATS)
    try:
        result = run()
    except ToolError as exc:
        _fail(str(exc))
    sys.stdout.write(render_import(result, fmt, dry_run=dry_run, diff=dry_run))
    raise typer.Exit(exit_code(result))


@import_app.command("shopify")
def import_shopify_command(
    export: Path = typer.Argument(..., help="A Shopify product export (either header generation)."),
    project: Path = ProjectOption,
    market: Optional[str] = ImportMarket,
    locale: str = ImportLocale,
    currency: str = ImportCurrency,
    shop_name: str = ImportShopName,
    shop_url: str = ImportShopUrl,
    dry_run: bool = ImportDryRun,
    fmt: str = FormatOption,
) -> None:
    """Import a Shopify product CSV: variants, options, prices, images, tags, SEO. Exit 1 when rows had problems."""
    from pim.importers.write import import_shopify

    options = _import_options(market, locale, currency, shop_name, shop_url, dry_run)
    _finish_import(lambda: import_shopify(project, export, options), fmt, dry_run)


@import_app.command("csv")
def import_csv_command(
    table: Path = typer.Argument(..., help="A CSV export from any system."),
    mapping: Path = typer.Option(..., "--mapping", help="The column mapping: import field -> column header (see docs/import.md)."),
    project: Path = ProjectOption,
    market: Optional[str] = ImportMarket,
    locale: str = ImportLocale,
    currency: str = ImportCurrency,
    shop_name: str = ImportShopName,
    shop_url: str = ImportShopUrl,
    dry_run: bool = ImportDryRun,
    fmt: str = FormatOption,
) -> None:
    """Import any spreadsheet export through a column mapping. Exit 1 when rows had problems."""
    from pim.importers.write import import_csv

    options = _import_options(market, locale, currency, shop_name, shop_url, dry_run)
    _finish_import(lambda: import_csv(project, table, mapping, options), fmt, dry_run)


@app.command()
def report(
    project: Path = ProjectOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write report/ into this folder instead of <project>/feeds."),
) -> None:
    """Write a static HTML report into feeds/report/: readiness per channel and market, completeness, exclusions and where channels disagree. Exit 1 when the build has errors."""
    from pim.project import open_project
    from pim.report_html import write_report

    try:
        result = write_report(open_project(project), out=out)
    except ToolError as exc:
        _fail(str(exc))
    if result.problems:
        sys.stdout.write(render_problems(result.problems, "human"))
    pages = len(result.written)
    typer.echo(f"Wrote {result.index} ({pages} page{'s' * (pages != 1)}).")
    raise typer.Exit(1 if has_errors(result.problems) else 0)
