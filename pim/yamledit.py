"""Writing catalog YAML that people will edit: ruamel.yaml's only home.

Reading for a build goes through `pim.yamlfile` (libyaml, fast). Anything that writes or rewrites a
catalog file a person reads (`pim import`, `pim fmt`) comes here, so every written file has one form.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, PlainScalarString


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.version = None  # write no %YAML directive; files are read as YAML 1.2 core
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.allow_unicode = True
    return yaml


def _to_commented(value):
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _to_commented(item)
        return out
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_to_commented(item) for item in value)
    return value


def dump_document(data: Mapping, *, header: str | None = None) -> str:
    """One YAML document in block style, keys in the order given; `header` becomes a leading comment line.

    Strings that would read back as another type (digits, `true`, dates) are quoted by ruamel's
    resolver, so an identifier such as a GTIN stays a string."""
    stream = io.StringIO()
    if header:
        stream.write(f"# {header}\n")
    _yaml().dump(_to_commented(data), stream)
    return stream.getvalue()


# --- round trip: rewriting a file a person wrote, comments and flow/block choices kept ----------


def _round_trip_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.version = None
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap a line the author wrote; long lines are the author's choice
    yaml.allow_unicode = True
    yaml.preserve_quotes = True  # "129.00" must stay a string; quoting is normalized only where pim decides
    return yaml


def load_for_edit(text: str):
    """The document as ruamel's commented tree (mappings keep order, comments and flow style).
    Raises ValueError with (line, column) when ruamel cannot read what libyaml read."""
    try:
        return _round_trip_yaml().load(text)
    except Exception as exc:  # ruamel raises many error types; the caller reports one located problem
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, *where) from exc


def dump_edited(document) -> str:
    """The commented tree back as text, in the one indentation every catalog file uses."""
    stream = io.StringIO()
    _round_trip_yaml().dump(document, stream)
    return stream.getvalue()


def double_quoted(text: str) -> str:
    """A string written in double quotes whatever its content (an identifier of digits stays a string)."""
    return DoubleQuotedScalarString(text)


_OTHER_LINE_BREAKS = ("\x85", "\u2028", "\u2029")  # YAML 1.1 readers (ruamel's round trip) break lines there


def literal_block(text: str) -> str:
    """A multi-line text written as a `|` block, line for line as people read it (ruamel falls back to
    quotes when the text cannot be a block, e.g. a tab or trailing space at a line end). A text holding
    NEL or a Unicode line or paragraph separator is double-quoted instead, where they are escaped: raw
    in a block, a YAML 1.1 reader takes them for line breaks and the block no longer parses."""
    if any(mark in text for mark in _OTHER_LINE_BREAKS):
        return DoubleQuotedScalarString(text)
    return LiteralScalarString(text) if "\n" in text else text


def plain(text: str) -> str:
    """A string written without quotes (a plain str would inherit the quotes of the value it replaces)."""
    return PlainScalarString(text)
