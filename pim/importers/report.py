"""What an import did (or, on a dry run, would do): the files, the counts, and the problems of the rows."""

from __future__ import annotations

import json

from pim.importers.write import ImportResult
from pim.report import problem_dict, render_problems, summary

IMPORT_FORMATS = ("human", "json", "github")


def render_import(result: ImportResult, fmt: str, *, dry_run: bool, diff: bool = False) -> str:
    if fmt == "json":
        return json.dumps({
            "files": [{"path": path, "change": change} for path, change in result.changes],
            "products": result.products, "variants": result.variants, "written": result.written,
            "problems": [problem_dict(p) for p in result.problems], "summary": summary(result.problems),
        }, indent=2, ensure_ascii=False) + "\n"  # fmt: skip
    if fmt == "github":
        return render_problems(result.problems, "github")
    verb = {"create": "would create" if dry_run else "created", "update": "would update" if dry_run else "updated"}
    lines = [f"{verb[change]:<12}  {path}" for path, change in result.changes]
    if diff:
        lines += [result.diffs[path].rstrip("\n") for path, change in result.changes if change == "update"]
    if result.blocked or not result.products:
        lines.append("Nothing was written.")
    elif not result.changes:
        lines.append(f"{result.products} product(s), {result.variants} variant(s): the catalog already says the same, nothing to change.")
    else:
        done = "would be imported" if dry_run else "imported"
        lines.append(f"{result.products} product(s), {result.variants} variant(s) {done}; {len(result.changes)} file(s) {'to change' if dry_run else 'changed'}.")
    problems = render_problems(result.problems, "human") if result.problems else ""
    return "\n".join(lines) + "\n" + ("\n" + problems if problems else "")
