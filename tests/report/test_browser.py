"""The report in a real browser: headless Chromium (Debian's `chromium`) opens it from disk, its
overview says what the manifest says, the sort script works, and a screenshot is saved to look at.

Skipped when chromium is missing on a workstation; under CI (`CI` set) a missing chromium fails,
since `.ci/run` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.channels.demo import copy_demo, run_pim

WINDOW = (1366, 900)  # a laptop screen


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def open_in_chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
        # Paint everything and run the page's script before the dump or the screenshot is taken.
        "--run-all-compositor-stages-before-draw", "--virtual-time-budget=3000",
        *args, url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class OverviewCells(HTMLParser):
    """The overview table as the browser has it: (channel, market, column) -> number, the header's sort state, the row order."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str, str], int] = {}
        self.sorted_headers: list[tuple[int, str]] = []
        self.row_channels: list[str] = []
        self._in_table = False
        self._header_index = -1
        self._cell: tuple[str, str, str] | None = None
        self._first_cell_of_row = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._in_table = attributes.get("id") == "overview-table"
        if not self._in_table:
            return
        if tag == "th":
            self._header_index += 1
            if "aria-sort" in attributes:
                self.sorted_headers.append((self._header_index, attributes["aria-sort"]))
        if tag == "tr":
            self._first_cell_of_row = True
        if tag == "td":
            classes = (attributes.get("class") or "").split()
            column = next((c for c in ("ready", "excluded", "warnings") if c in classes), None)
            if column and "data-channel" in attributes:
                self._cell = (attributes["data-channel"], attributes["data-market"], column)
            if self._first_cell_of_row:
                self._first_cell_of_row = False
                self._cell = self._cell or ("#row", "", "")

    def handle_data(self, data):
        if self._cell is None:
            return
        if self._cell[0] == "#row":
            self.row_channels.append(data.strip())
        else:
            self.cells[self._cell] = int(data)
        self._cell = None

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_report_in_chromium_shows_the_manifest_numbers(tmp_path):
    chromium()
    demo = copy_demo(tmp_path / "demo")
    # One description too long for Google, so the report has exclusions to count.
    mug = demo / "catalog/products/MG-610.yaml"
    mug.write_text(mug.read_text(encoding="utf-8").replace("so no two are alike.", "so no two are alike." + " Really." * 700, 1), encoding="utf-8")
    out = tmp_path / "feeds"
    built = run_pim("build", "--out", str(out), cwd=demo)
    assert built.returncode == 0, built.stdout + built.stderr
    reported = run_pim("report", "--out", str(out), cwd=demo)
    assert reported.returncode == 0, reported.stdout + reported.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    index = out / "report/index.html"

    # Sorted ascending by the US items column (the third) through the link form the page's script reads.
    dom = open_in_chromium(f"{index.as_uri()}#sort=overview-table:2:asc", tmp_path / "profile", "--dump-dom").stdout
    overview = OverviewCells()
    overview.feed(dom)

    expected = {}
    for channel in manifest["channels"]:
        for market in channel["markets"]:
            expected[(channel["channel"], market["market"] or "-", "ready")] = market["items"]
            expected[(channel["channel"], market["market"] or "-", "excluded")] = len(market["excluded"])
    shown = {key: value for key, value in overview.cells.items() if key[2] != "warnings"}
    assert shown == expected
    assert sum(v for (_, _, column), v in expected.items() if column == "excluded") > 0
    assert f'id="total-items">{sum(m["items"] for c in manifest["channels"] for m in c["markets"])}<' in dom
    # The script ran: the header says so, and the channel without a US feed (bmecat) comes first.
    assert overview.sorted_headers == [(2, "ascending")]
    assert overview.row_channels[0] == "bmecat" and len(overview.row_channels) == len(manifest["channels"])

    screenshot = tmp_path / "report.png"
    open_in_chromium(index.as_uri(), tmp_path / "profile", f"--screenshot={screenshot}")
    assert png_size(screenshot) == WINDOW
    assert screenshot.stat().st_size > 30_000  # a blank page compresses to a few kB; this one has tables and text
    if os.environ.get("PIM_REPORT_SHOTS"):  # where a person looks at it
        target = Path(os.environ["PIM_REPORT_SHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, target / "report-index.png")
