"""A catalog repository as a team starts one: `pim init` into a temporary folder, in its own git repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pim.cli import app
from pim.project_init import init_project

REPO = Path(__file__).resolve().parents[2]
PRODUCT = "catalog/products/TS-100.yaml"


class Repository:
    """A folder under git with a fixed identity and clock per commit, so history is the same on every run."""

    def __init__(self, root: Path):
        self.root = root

    def git(self, *args: str, author: str = "Ana Lima", date: str = "2026-01-05T10:00:00+01:00") -> str:
        email = author.lower().replace(" ", ".") + "@example.com"
        env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": date,
        }
        done = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def commit_all(self, message: str, **who: str) -> str:
        self.git("add", "-A", **who)
        self.git("commit", "-q", "-m", message, **who)
        return self.git("rev-parse", "HEAD")

    def read(self, relpath: str) -> str:
        return (self.root / relpath).read_text(encoding="utf-8")

    def write(self, relpath: str, text: str) -> None:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def replace(self, relpath: str, old: str, new: str) -> None:
        text = self.read(relpath)
        assert text.count(old) == 1, f"{old!r} is not once in {relpath}"
        self.write(relpath, text.replace(old, new))


@pytest.fixture
def shop(tmp_path: Path) -> Repository:
    """A new catalog repository made by `pim init`, committed once on main."""
    repo = Repository(tmp_path / "shop")
    init_project(repo.root)
    repo.git("init", "-q")
    repo.commit_all("Start the catalog")
    return repo


def pim(*args: str | os.PathLike, cwd: Path | None = None):
    """Run a pim command in-process (as the console script would), from `cwd`."""
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(previous)
