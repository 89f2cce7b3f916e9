"""The documentation stays true: every problem code is listed, README starts with the two commands."""

from pathlib import Path

from pim.problems import CODES

ROOT = Path(__file__).resolve().parents[1]


def test_every_problem_code_is_documented():
    page = (ROOT / "docs/problem-codes.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"`{code}`" not in page] == []


def test_readme_opens_with_the_setup_and_test_commands():
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    commands = [line for line in lines[:12] if line.startswith(("python3 -m venv", ". .venv", "python -m pytest"))]
    assert commands[0].startswith("python3 -m venv") and commands[0].endswith("pim build")
    assert "python -m pytest" in commands[1]
