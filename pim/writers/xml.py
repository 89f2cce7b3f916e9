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

import io
from contextlib import AbstractContextManager, contextmanager
from typing import BinaryIO, Callable, Iterator, Mapping, Sequence

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

    def text(self, tag: str, text: str) -> None:
        """`leaf` for text that is not empty: the most common field, written without the checks."""
        self._xf.write(self._line)
        with self._xf.element(tag):
            self._xf.write(text)

    def flush(self) -> None:
        """Hand lxml's buffered output to the stream, so the stream's position says what is written."""
        self._xf.flush()

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


Frame = Callable[[XmlStream], AbstractContextManager]  # opens the elements around the items


def xml_frame(frame: Frame) -> tuple[bytes, bytes]:
    """A document's bytes before its first item and after its last."""
    buffer = io.BytesIO()
    with xml_document(buffer) as xml:
        with frame(xml):
            xml.flush()  # lxml buffers; what is written so far is the header
            split = buffer.tell()
    return buffer.getvalue()[:split], buffer.getvalue()[split:]


def xml_pieces(frame: Frame, items: Sequence, write_item: Callable[[XmlStream, object], None]) -> list[bytes]:
    """Each item's bytes as `write_item` writes it inside `frame`: its lines and indentation depend
    only on the elements around it, so the pieces join into the same bytes as one document."""
    buffer = io.BytesIO()
    ends = []
    with xml_document(buffer) as xml:
        with frame(xml):
            xml.flush()
            ends.append(buffer.tell())
            for item in items:
                write_item(xml, item)
                xml.flush()
                ends.append(buffer.tell())
    data = buffer.getbuffer()
    return [bytes(data[start:end]) for start, end in zip(ends, ends[1:])]
