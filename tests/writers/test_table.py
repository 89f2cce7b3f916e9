"""The shared table routine: cell rendering, quoting, line breaks, BOM, and the round-trip law."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.writers.table import feed_columns, item_cells, render, write_table


def table_bytes(header, rows, **options) -> bytes:
    stream = io.BytesIO()
    write_table(stream, header, rows, **options)
    assert not stream.closed  # detached, not closed: FeedOutput still owns it
    return stream.getvalue()


def parse(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        ("", ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (Decimal("9.90"), "9.90"),
        (Decimal("1E+1"), "10"),
        (Decimal("-0.5"), "-0.5"),
        (1.5, "1.5"),
        (["a", None, "", "b"], "a,b"),
        ((Decimal("1.0"), True), "1.0,true"),
        ("Crème brûlée", "Crème brûlée"),
        ([], ""),
        ({}, ""),
    ],
)
def test_render(value, cell):
    assert render(value) == cell


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), float("inf"), {"a": 1}, object()])
def test_values_without_a_cell_spelling_are_refused(value):
    with pytest.raises(TypeError):
        render(value)


def test_a_nested_dict_is_refused_with_the_item_and_field_named():
    item = Item(id="SKU-1", fields={"shipping": {"country": "US"}}, product_id="P1")
    with pytest.raises(TypeError, match="SKU-1.*shipping"):
        item_cells(item, ["shipping"])


def test_quoting_is_minimal_and_rfc4180():
    data = table_bytes(["a", "b", "c", "d", "e"], [["plain words", "x,y", 'say "hi"', "two\nlines", "ü"]])
    assert data.decode() == 'a,b,c,d,e\nplain words,"x,y","say ""hi""","two\nlines",ü\n'


def test_carriage_returns_become_lf_inside_quotes():
    data = table_bytes(["a", "b"], [["one\r\ntwo", "three\rfour"]])
    assert b"\r" not in data
    assert parse(data) == [["a", "b"], ["one\ntwo", "three\nfour"]]


def test_one_line_flattens_every_line_break_run():
    data = table_bytes(["a"], [["x\r\n\ny\u2028z\x85w"]], one_line=True)
    assert data == b"a\nx y z w\n"


def test_bom_only_when_asked():
    assert table_bytes(["a"], [["é"]], bom=True).startswith(b"\xef\xbb\xbfa\n")
    assert table_bytes(["a"], [["é"]]).startswith(b"a\n")


def test_no_columns_writes_nothing():
    assert table_bytes([], []) == b""


def test_columns_come_from_options_else_from_the_first_item():
    items = (Item("1", {"b": 1, "a": 2}, "P"), Item("2", {"c": 3}, "P"))
    assert feed_columns(Feed(FeedInfo("x", "x", "x"), items)) == ["b", "a"]
    info = FeedInfo("x", "x", "x", options={"columns": ["a", "c", "a"]})
    assert feed_columns(Feed(info, items)) == ["a", "c"]
    assert feed_columns(Feed(FeedInfo("x", "x", "x"), ())) == []


rows_of_text = st.integers(1, 4).flatmap(
    lambda width: st.lists(st.lists(st.text(), min_size=width, max_size=width), max_size=5)
)


@given(rows_of_text)
def test_law_any_text_rows_round_trip(rows):
    header = [f"c{i}" for i in range(len(rows[0]))] if rows else ["c0"]
    expected = [[cell.replace("\r\n", "\n").replace("\r", "\n") for cell in row] for row in rows]
    assert parse(table_bytes(header, rows)) == [header, *expected]
