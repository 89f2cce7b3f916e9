"""Hostile and broken files: each gives one located problem, never a traceback, never runs code.

Every case replaces one catalog file of the tiny project with bad bytes, then checks three things:
the problem (code and place) from `validate_catalog`, the `pim validate` command (exit code 1, the
same problem in its JSON output, no traceback), and `pim build` (exit code 1, nothing in feeds/).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from pim.problems import Location
from pim.yamlfile import MAX_FILE_BYTES

from .conftest import JACKET, SETTINGS, TinyProject, describe, run_pim

LOL = '"lol"'
# "Billion laughs": ten levels of nine aliases each expand to 9**10 (3.5 billion) strings.
ALIAS_BOMB = "\n".join(
    [f"lol0: &a0 [{', '.join([LOL] * 9)}]"]
    + [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
) + "\n"


@dataclass(frozen=True)
class Bad:
    """One bad file: what is written where, the code expected, and how to find the place in it."""

    content: bytes
    code: str
    line_text: str | None = None  # the place is where this text starts (see TinyProject.at)
    focus: str | None = None
    whole_file: bool = False  # problems about the whole file carry the path only (line 0)
    relpath: str = JACKET


def _text(text: str) -> bytes:
    return text.encode("utf-8")


CASES: dict[str, Bad] = {
    "malformed-yaml": Bad(_text("id: TJ-100\nfamily: apparel\n\tstatus: active\n"), "PIM001", "\tstatus"),
    "empty-file": Bad(b"", "PIM002"),
    "only-comments": Bad(_text("# TODO: write the jacket\n"), "PIM002"),
    "binary-file": Bad(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256)), "PIM003", whole_file=True),
    "not-utf8": Bad("id: TJ-100\nfamily: apparel\nname: {en-US: Caf\xe9}\n".encode("latin-1"), "PIM003", "name:"),
    "list-not-mapping": Bad(_text("- id: TJ-100\n- id: WS-200\n"), "PIM004"),
    "text-not-mapping": Bad(_text("just a sentence\n"), "PIM004"),
    "ten-megabyte-string": Bad(_text('id: TJ-100\ndescription: {en-US: "' + "x" * 10_000_000 + '"}\n'), "PIM006", whole_file=True),
    "alias-bomb": Bad(_text(ALIAS_BOMB), "PIM005", "&a0"),
    "python-object-apply": Bad(_text('id: TJ-100\nfamily: !!python/object/apply:os.system ["touch {marker}"]\n'), "PIM005", "!!python"),
    "python-object-new": Bad(_text('id: TJ-100\nfamily: !!python/object/new:os.system ["touch {marker}"]\n'), "PIM005", "!!python"),
    "python-name-key": Bad(_text("id: TJ-100\n!!python/name:os.system : x\n"), "PIM005", "!!python"),
    "local-tag": Bad(_text("id: TJ-100\nfamily: !include families/apparel.yaml\n"), "PIM005", "!include"),
    "binary-tag": Bad(_text("id: TJ-100\nfamily: !!binary dG91Y2g=\n"), "PIM005", "!!binary"),
    "settings-is-a-list": Bad(_text("- en-US\n- fr-FR\n"), "PIM004", relpath=SETTINGS),
}


def _write_case(tiny: TinyProject, case: Bad, marker: Path) -> None:
    content = case.content.replace(b"{marker}", str(marker).encode())
    tiny.write(case.relpath, content)


def _expected_location(tiny: TinyProject, case: Bad) -> Location:
    if case.whole_file:
        return Location(case.relpath)
    if case.line_text is None:
        return Location(case.relpath, 1, 1)
    raw = (tiny.root / case.relpath).read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(raw.splitlines(), start=1):
        if case.line_text in line:
            column = line.index(case.focus or case.line_text) + 1
            return Location(case.relpath, number, column)
    raise AssertionError(f"{case.line_text!r} not in {case.relpath}")


def _feeds_files(root: Path) -> list[Path]:
    feeds = root / "feeds"
    return sorted(p for p in feeds.rglob("*") if p.is_file()) if feeds.exists() else []


@pytest.mark.parametrize("name", list(CASES))
def test_bad_file_is_one_located_problem(tiny: TinyProject, tmp_path: Path, name: str):
    case = CASES[name]
    marker = tmp_path / "pwned"
    _write_case(tiny, case, marker)
    problem = tiny.the_problem()
    assert problem.code == case.code, describe(problem)
    assert problem.location == _expected_location(tiny, case)
    assert problem.message and "Traceback" not in problem.message
    assert not marker.exists()


@pytest.mark.parametrize("name", list(CASES))
def test_bad_file_fails_validate_and_build_cleanly(tiny: TinyProject, tmp_path: Path, name: str):
    case = CASES[name]
    marker = tmp_path / "pwned"
    _write_case(tiny, case, marker)
    expected = _expected_location(tiny, case)

    validate = tiny.pim("validate", "--format", "json")
    assert validate.returncode == 1, validate.stderr
    assert "Traceback" not in validate.stdout + validate.stderr
    report = json.loads(validate.stdout)
    assert [(p["code"], p["path"], p["line"], p["column"]) for p in report["problems"]] == [
        (case.code, expected.path, expected.line, expected.column)
    ]

    build = tiny.pim("build")
    assert build.returncode == 1, build.stdout + build.stderr
    assert "Traceback" not in build.stdout + build.stderr
    assert case.code in build.stdout
    assert _feeds_files(tiny.root) == []
    assert not marker.exists()


def test_the_valid_tiny_project_builds_feeds(tiny: TinyProject):
    """The baseline for the cases above: the same project, unbroken, does write into feeds/."""
    build = tiny.pim("build")
    assert build.returncode == 0, build.stdout + build.stderr
    assert "feeds/manifest.json" in [p.relative_to(tiny.root).as_posix() for p in _feeds_files(tiny.root)]


def test_the_code_execution_payload_is_live(tmp_path: Path):
    """The tag used above does run a command under an unsafe loader, so "not run" above means something."""
    marker = tmp_path / "ran"
    yaml.unsafe_load(f'x: !!python/object/apply:os.system ["touch {marker}"]')
    assert marker.exists()


def test_the_size_limit_is_checked_before_parsing(tiny: TinyProject):
    tiny.write(JACKET, b"x: " + b"y" * MAX_FILE_BYTES)
    problem = tiny.the_problem()
    assert problem.code == "PIM006"
    assert f"catalog files must stay under {MAX_FILE_BYTES:,} bytes" in problem.message


def test_crlf_line_endings_keep_lines_and_columns(tiny: TinyProject):
    tiny.replace(JACKET, "stock: 12", "stcok: 12")
    expected = tiny.at(JACKET, "stcok")
    (tiny.root / JACKET).write_bytes(tiny.read(JACKET).replace("\n", "\r\n").encode())
    problem = tiny.the_problem()
    assert (problem.code, problem.location) == ("PIM101", expected)


def test_a_utf8_byte_order_mark_is_accepted(tiny: TinyProject):
    tiny.write(JACKET, b"\xef\xbb\xbf" + (tiny.root / JACKET).read_bytes())
    assert tiny.validate() == []


def test_an_anchor_without_alias_changes_nothing(tiny: TinyProject):
    tiny.replace(JACKET, "brand: Tiny", "brand: &b Tiny")
    assert tiny.validate() == []


def test_a_key_written_twice_is_reported(tiny: TinyProject):
    """YAML readers keep the last of two equal keys; pim refuses, so a second `USD:` cannot hide the first."""
    tiny.replace(JACKET, 'price: {USD: "129.00", EUR: "119.00"}', 'price: {USD: "129.00", EUR: "119.00", USD: "1.29"}')
    problem = tiny.the_problem()
    assert problem.code == "PIM008"
    assert problem.location == tiny.at(JACKET, 'USD: "1.29"', 'USD: "1.29"')
    assert problem.message == "the key `USD` is written twice in the same mapping: keep one"


def test_a_top_level_key_written_twice_is_reported(tiny: TinyProject):
    tiny.replace(JACKET, "status: active\n", "status: active\nbrand: Tiny Co\nstatus: draft\n")
    tiny.replace(JACKET, "brand: Tiny\n", "")
    problem = tiny.the_problem()
    assert problem.code == "PIM008"
    assert problem.location == tiny.at(JACKET, "status: draft")


def test_a_list_used_as_a_key_is_not_called_a_tag(tiny: TinyProject):
    tiny.replace(JACKET, "brand: Tiny", "? [brand, maker]\n: Tiny")
    problem = tiny.the_problem()
    assert problem.code != "PIM005"
    assert "tag" not in problem.message
    assert problem.location == tiny.at(JACKET, "? [brand", "[brand")


def test_a_control_character_is_located(tiny: TinyProject):
    tiny.write(JACKET, b"id: TJ-100\nfamily: apparel\nbrand: Ti\x07ny\n")
    problem = tiny.the_problem()
    assert problem.code == "PIM003"
    assert problem.location == Location(JACKET, 3, len("brand: Ti") + 1)
    assert "control character" in problem.message


NESTING = 100_000  # a 200 KB file: far under MAX_FILE_BYTES, far deeper than any catalog value


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"id: " + b"[" * NESTING + b"]" * NESTING + b"\n", id="flow-brackets"),
        pytest.param(b"id: " + b"{a: " * NESTING + b"1" + b"}" * NESTING + b"\n", id="flow-braces"),
        pytest.param(
            b"id:\n" + b"- " * NESTING + b"x\n",
            id="block-dashes",
        ),
        pytest.param(
            b"# " + b"]" * NESTING + b"\nid: " + b"[" * NESTING + b"]" * NESTING + b"\n",
            id="brackets-after-a-comment-of-closers",
        ),
    ],
)
def test_deep_nesting_is_a_problem_not_a_crash(tiny: TinyProject, tmp_path: Path, content: bytes):
    tiny.write(JACKET, content)
    done = run_pim("validate", "--format", "json", "--project", tiny.root, cwd=tmp_path, timeout=60)
    assert done.returncode == 1, f"exit code {done.returncode}"
    problems = json.loads(done.stdout)["problems"]
    assert [(p["code"], p["path"]) for p in problems] == [("PIM001", JACKET)]
    assert problems[0]["line"] >= 1
