"""`pim init`: a new catalog repository that validates and builds as created, with CI and editor set up.

The files come from pim/project_template/ (package data). A path part written `dot-x` there becomes
`.x` here: files whose names start with a dot are easy to lose in packaging, so the template holds
none. The JSON Schemas are generated at init time, so they always match the pim that wrote them.
"""

from __future__ import annotations

import os
from pathlib import Path

from pim.catalog import CATALOG
from pim.output import write_atomically
from pim.schema import catalog_schemas
from pim.sources import ToolError

TEMPLATE = "project_template"
SCHEMAS = f"{CATALOG}/schemas"


def project_files() -> dict[str, bytes]:
    """Project-relative path -> content of every file `pim init` writes, sorted by path."""
    # Beside this module rather than importlib.resources: an editable install can make `pim` a
    # namespace package, which resources.files() cannot walk.
    files = dict(_walk(Path(__file__).with_name(TEMPLATE), ""))
    files.update({f"{SCHEMAS}/{name}": data for name, data in catalog_schemas().items()})
    return dict(sorted(files.items()))


def _walk(folder: Path, prefix: str):
    for entry in folder.iterdir():
        name = "." + entry.name[len("dot-"):] if entry.name.startswith("dot-") else entry.name
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _walk(entry, f"{prefix}{name}/")
        else:
            yield f"{prefix}{name}", entry.read_bytes()


def init_project(target: Path, *, force: bool = False) -> list[str]:
    """Write a new catalog project into `target` (created if needed); the paths written.

    A folder that already holds other files (a fresh `git init`, a README) is fine; a file that pim
    would replace is not, unless `force` is set, because replacing someone's catalog loses work."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ToolError(f"{target} is a file: name a folder for the new catalog project")
    files = project_files()
    existing = sorted(path for path in files if (target / path).exists())
    if existing and not force:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise ToolError(f"{target} already has {shown}: choose a new folder, or pass --force to replace them")
    mode = _file_mode()
    for path, data in files.items():
        write_atomically(target / path, data)
        os.chmod(target / path, mode)  # a temporary file is private; a project file is as the umask says
    return list(files)


def _file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
