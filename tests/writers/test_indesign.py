"""InDesign Data Merge CSV: one record per line, @-image columns, UTF-8 with BOM."""

from __future__ import annotations

import csv
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import indesign

COLUMNS = ["sku", "name", "description", "price", "@image"]


def feed(items, market="US", columns=COLUMNS) -> Feed:
    return Feed(FeedInfo("print", "print", "indesign", market=market, options={"columns": columns}), tuple(items))


def item(sku: str, **fields) -> Item:
    return Item(sku, {"sku": sku, **fields}, "P1")


ITEMS = [
    item("TS-S", name="Veste Trail, taille S", description='Légère.\r\nLe "meilleur"\n\nchoix.',
         price=Decimal("89.00"), **{"@image": "/Volumes/Print/Images/TS-S.tif"}),
    item("MUG", name="Tasse", **{"@image": None}),
]  # fmt: skip


def write(tmp: Path, feeds) -> FeedOutput:
    out = FeedOutput(tmp)
    indesign.write_feeds(feeds, out)
    out.commit()
    return out


def test_records_are_single_lines_with_a_bom(tmp_path):
    assert list(write(tmp_path, [feed(ITEMS)]).files) == ["print/US-datamerge.csv"]
    raw = (tmp_path / "print/US-datamerge.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == [
        "sku,name,description,price,@image",
        'TS-S,"Veste Trail, taille S","Légère. Le ""meilleur"" choix.",89.00,/Volumes/Print/Images/TS-S.tif',
        "MUG,Tasse,,,",
    ]


def test_parses_back_with_image_paths_untouched(tmp_path):
    write(tmp_path, [feed(ITEMS)])
    with open(tmp_path / "print/US-datamerge.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["@image"] == "/Volumes/Print/Images/TS-S.tif"
    assert rows[0]["name"] == "Veste Trail, taille S"
    assert rows[1] == {"sku": "MUG", "name": "Tasse", "description": "", "price": "", "@image": ""}


def test_one_file_per_market_and_deterministic(tmp_path):
    a = write(tmp_path / "a", [feed(ITEMS), feed(ITEMS[:1], market="FR")])
    b = write(tmp_path / "b", [feed(ITEMS), feed(ITEMS[:1], market="FR")])
    assert sorted(a.files) == ["print/FR-datamerge.csv", "print/US-datamerge.csv"]
    assert {p: f.sha256 for p, f in a.files.items()} == {p: f.sha256 for p, f in b.files.items()}


@settings(max_examples=50)
@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), min_size=1, max_size=5))
def test_law_no_line_break_inside_a_record(values):
    items = [item(f"S{i}", name=name, description=text) for i, (name, text) in enumerate(values)]
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), [feed(items, columns=["sku", "name", "description"])])
        text = (Path(tmp) / "print/US-datamerge.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == len(values) + 1
    assert [next(csv.reader([line]))[0] for line in lines[1:]] == [f"S{i}" for i in range(len(values))]
