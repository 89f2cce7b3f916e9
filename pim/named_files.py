"""Files named on the command line (pre-commit passes the changed ones): project paths, and the problems in them.

Cross-file rules (a duplicate SKU, an unknown family) need the whole catalog, so pim still validates
everything; naming files only narrows what is reported to the problems a commit can be blamed for.
"""

from __future__ import annotations

from pathlib import Path

from pim.problems import Problem


def project_paths(project: Path, files: list[Path]) -> list[str]:
    """Each file as a path relative to the project folder, with forward slashes; files outside it are dropped."""
    root = Path(project).resolve()
    paths = []
    for file in files:
        try:
            paths.append(Path(file).resolve().relative_to(root).as_posix())
        except ValueError:
            continue  # not in this project: nothing of it can be reported
    return sorted(set(paths))


def problems_in(problems: list[Problem], paths: list[str]) -> list[Problem]:
    """The problems located in one of `paths`, or pointing there (a mapping line behind a channel problem)."""
    wanted = set(paths)
    return [p for p in problems if p.location.path in wanted or any(r.path in wanted for r in p.related)]
