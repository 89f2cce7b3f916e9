"""Problems as people and machines read them: human text grouped by file, JSON, GitHub annotations."""

from __future__ import annotations

import json
from itertools import groupby
from typing import Iterable

from pim.problems import Problem, Severity

FORMATS = ("human", "json", "github")


def render_problems(problems: Iterable[Problem], fmt: str) -> str:
    problems = sorted(problems, key=Problem.sort_key)
    return {"human": _human, "json": _json, "github": _github}[fmt](problems)


def _human(problems: list[Problem]) -> str:
    if not problems:
        return "No problems found.\n"
    lines: list[str] = []
    for path, group in groupby(problems, key=lambda p: p.location.path):
        lines.append(path)
        for p in group:
            where = f"{p.location.line}:{p.location.column}" if p.location.line else "-"
            lines.append(f"  {where:>8}  {p.severity.value:<7}  {p.code}  {p.message}")
            lines.extend(f"  {'':>8}  {'':<7}  {'':6}  see {related}" for related in p.related)
        lines.append("")
    lines.append(summary(problems))
    return "\n".join(lines) + "\n"


def summary(problems: list[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    files = len({p.location.path for p in problems})
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in {files} file{'s' * (files != 1)}"


def problem_dict(p: Problem) -> dict:
    return {
        "path": p.location.path,
        "line": p.location.line,
        "column": p.location.column,
        "severity": p.severity.value,
        "code": p.code,
        "message": p.message,
        "related": [str(r) for r in p.related],
    }


def _json(problems: list[Problem]) -> str:
    return json.dumps({"problems": [problem_dict(p) for p in problems], "summary": summary(problems)}, indent=2, ensure_ascii=False) + "\n"


def _escape_property(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github(problems: list[Problem]) -> str:
    # https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    lines = []
    for p in problems:
        kind = "error" if p.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(p.location.path)}"]
        if p.location.line:
            props += [f"line={p.location.line}", f"col={p.location.column}"]
        props.append(f"title={p.code}")
        lines.append(f"::{kind} {','.join(props)}::{_escape_data(p.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
