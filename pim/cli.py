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
def schema(out: Path = typer.Option(Path("schemas"), "--out", "-o", help="Folder to write the JSON Schemas into.")) -> None:
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
    fmt: str = FormatOption,
) -> None:
    """Validate the catalog and write every channel's feeds into feeds/, with a manifest. Nothing is written on errors."""
    from pim.build import build as run_build
    from pim.build_report import render_build
    from pim.project import open_project

    _check_format(fmt)
    try:
        result = run_build(open_project(project), channels=channel, markets=market, strict=strict, out=out)
    except ToolError as exc:
        _fail(str(exc))
    sys.stdout.write(render_build(result, fmt, strict=strict))
    failed = has_errors(result.problems) or (strict and result.exclusions > 0)
    raise typer.Exit(1 if failed else 0)
