"""The `pim` command line: parses options, calls one library function, renders, exits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from pim.problems import has_errors
from pim.report import FORMATS, render_problems
from pim.sources import ToolError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Catalog-as-code: validate a YAML catalog and build every channel's feed.")

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
def validate(project: Path = ProjectOption, fmt: str = FormatOption) -> None:
    """Check the catalog: every problem, with file:line:column, a code and what to change. Exit 1 on errors."""
    from pim.project import open_project, validate_catalog

    _check_format(fmt)
    try:
        result = validate_catalog(open_project(project))
    except ToolError as exc:
        _fail(str(exc))
    sys.stdout.write(render_problems(result.problems, fmt))
    raise typer.Exit(1 if has_errors(result.problems) else 0)


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
    fmt: str = FormatOption,
) -> None:
    """Validate the catalog and write every channel's feeds into feeds/, with a manifest. Nothing is written on errors."""
    from pim.build import build as run_build
    from pim.build_report import render_build
    from pim.project import open_project

    _check_format(fmt)
    if check:
        from pim.diff import check_committed_feeds

        try:
            stale = check_committed_feeds(open_project(project))
        except ToolError as exc:
            _fail(str(exc))
        sys.stdout.write("".join(f"{line}\n" for line in stale) or "feeds/ is up to date.\n")
        raise typer.Exit(1 if stale else 0)
    try:
        result = run_build(open_project(project), channels=channel, markets=market, strict=strict, out=out, progress=_progress_bar())
    except ToolError as exc:
        _fail(str(exc))
    sys.stdout.write(render_build(result, fmt, strict=strict))
    failed = has_errors(result.problems) or (strict and result.exclusions > 0)
    raise typer.Exit(1 if failed else 0)


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
