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
import re
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
        self.prefixes: dict[str, str] = {}  # namespace -> prefix, as the elements opened so far declare them
        self.plain_tags: dict[str, str] = {}  # XmlText's tags as written in this document

    @contextmanager
    def element(
        self, tag: str, attrib: Mapping[str, str] | None = None, nsmap: Mapping[str | None, str] | None = None
    ) -> Iterator[None]:
        if self._depth:  # the root starts right after the declaration's newline; lxml refuses text outside it
            self._xf.write(self._line)
        self.prefixes.update((namespace, prefix) for prefix, namespace in (nsmap or {}).items() if prefix)
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
    only on the elements around it, so the pieces join into the same bytes as one document. Most items
    are written as text (`XmlText`, a third of lxml's time); one that holds what only lxml may judge
    is written by lxml, which writes it or refuses it."""
    buffer = io.BytesIO()
    pieces = []
    with xml_document(buffer) as xml:
        with frame(xml):
            xml.flush()
            for item in items:
                text = XmlText(xml)
                try:
                    write_item(text, item)
                    pieces.append(text.bytes())
                except NotPlain:
                    start = buffer.tell()
                    write_item(xml, item)
                    xml.flush()
                    pieces.append(buffer.getvalue()[start:])
    return pieces


# XML 1.0's characters (the Char production): lxml writes each of them as itself, but for `&`, `<`, `>`
# and CR, which it escapes (checked over every code point), and refuses the others.
_XML_TEXT = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class NotPlain(Exception):
    """Something `XmlText` leaves to lxml: a character XML cannot carry, an attribute, a name of another form."""


class XmlText:
    """`XmlStream`'s element, leaf and text inside an open document, written as text with the same bytes."""

    def __init__(self, stream: XmlStream):
        self._parts: list[str] = []
        self._depth = stream._depth
        self._line = stream._line
        self._prefixes = stream.prefixes
        self._tags = stream.plain_tags

    def bytes(self) -> bytes:
        return "".join(self._parts).encode("utf-8")

    @contextmanager
    def element(self, tag: str, attrib: Mapping[str, str] | None = None, nsmap: Mapping[str | None, str] | None = None) -> Iterator[None]:
        if attrib or nsmap:
            raise NotPlain(tag)
        name = self._tag(tag)
        self._parts += (self._line, "<", name, ">")
        self._depth += 1
        self._line = "\n" + INDENT * self._depth
        yield
        self._depth -= 1
        self._line = "\n" + INDENT * self._depth
        self._parts += (self._line, "</", name, ">")

    def leaf(self, tag: str, value: Value, attrib: Mapping[str, str] | None = None, *, required: bool = False) -> None:
        empty = is_empty(value)
        if empty and not required:
            return
        if attrib:
            raise NotPlain(tag)
        name = self._tag(tag)
        self._parts += (self._line, "<", name, ">", "" if empty else _escaped(render(value)), "</", name, ">")

    def text(self, tag: str, text: str) -> None:
        name = self._tag(tag)
        self._parts += (self._line, "<", name, ">", _escaped(text), "</", name, ">")

    def _tag(self, tag: str) -> str:
        """`{namespace}local` as `prefix:local` with the prefix the document declares, `local` as is."""
        found = self._tags.get(tag)
        if found is None:
            namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
            prefix = self._prefixes.get(namespace) if namespace else ""
            if prefix is None or not _PLAIN_NAME.fullmatch(local):
                raise NotPlain(tag)
            found = self._tags[tag] = f"{prefix}:{local}" if prefix else local
        return found


def _escaped(text: str) -> str:
    if not _XML_TEXT.fullmatch(text):
        raise NotPlain(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text
