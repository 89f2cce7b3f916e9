"""Streamed XML documents for the XML writers: lxml incremental writing, one element per line.

`xml_document(stream)` opens a document (UTF-8 declaration, LF line ends); `XmlStream.element` opens a
container and `XmlStream.leaf` writes one text element, each on its own line indented by two spaces per
level, so a one-field change is a one-line diff. Leaf values are spelled as table cells are
(`pim.writers.table.render`: bool -> `true`/`false`, Decimal -> plain decimal text), so a field reads the same
in every format. lxml escapes `&`, `<`, `>` (and `"` in attributes) and writes CR as `&#13;` so it survives
parsing; a control character that XML 1.0 cannot carry (e.g. U+000B) raises `ValueError`.

Why not build each item as an element and `write()` it: lxml then repeats the namespace declarations on
every written subtree (`<item xmlns:g=...>`), while elements opened with `xmlfile.element` share the root's.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import BinaryIO, Iterator, Mapping

from lxml import etree

from pim.feed import Value
from pim.writers.table import render
from pim.writers.values import is_empty

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
INDENT = "  "


class XmlStream:
    """An open document: elements are written as they come and never held in memory."""

    def __init__(self, xf: etree.xmlfile):
        self._xf = xf
        self._depth = 0
        self._line = "\n"  # what starts a line at the current depth

    @contextmanager
    def element(
        self, tag: str, attrib: Mapping[str, str] | None = None, nsmap: Mapping[str | None, str] | None = None
    ) -> Iterator[None]:
        if self._depth:  # the root starts right after the declaration's newline; lxml refuses text outside it
            self._xf.write(self._line)
        with self._xf.element(tag, attrib or {}, nsmap=nsmap):
            self._indent(+1)
            yield
            self._indent(-1)
            self._xf.write(self._line)

    def leaf(self, tag: str, value: Value, attrib: Mapping[str, str] | None = None, *, required: bool = False) -> None:
        """One text element; for an empty value nothing at all, or an empty element if the format requires it."""
        empty = is_empty(value)
        if empty and not required:
            return
        self._xf.write(self._line)
        with self._xf.element(tag, attrib or {}):
            if not empty:
                self._xf.write(render(value))

    def _indent(self, step: int) -> None:
        self._depth += step
        self._line = "\n" + INDENT * self._depth


@contextmanager
def xml_document(stream: BinaryIO) -> Iterator[XmlStream]:
    # The declaration and the final newline go straight to the stream: lxml's own declaration has
    # single quotes, and lxml cannot write a newline after the root element.
    stream.write(DECLARATION)
    with etree.xmlfile(stream, encoding="utf-8") as xf:
        yield XmlStream(xf)
    stream.write(b"\n")
