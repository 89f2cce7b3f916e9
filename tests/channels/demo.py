"""The demo project copied into a temporary folder, and `pim` run as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
TAXONOMY = SHARED / "data/google/taxonomy-with-ids.en-US.txt"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z: every golden feed is built at this time
PIM = str(Path(sys.executable).parent / "pim")


def copy_demo(target: Path) -> Path:
    """The demo catalog and mappings in `target`, with the taxonomy path made absolute."""
    shutil.copytree(ROOT / "catalog", target / "catalog")
    shutil.copytree(ROOT / "mappings", target / "mappings")
    settings = target / "catalog/settings.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("../shared/data/google/taxonomy-with-ids.en-US.txt", str(TAXONOMY)), encoding="utf-8")
    return target


def run_pim(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`pim` as a user runs it, at the golden feeds' time; `env` adds or overrides variables."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    return subprocess.run([PIM, *args], cwd=cwd, env=environment, capture_output=True, text=True, check=False)


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its relative path: two builds compare as two of these."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

