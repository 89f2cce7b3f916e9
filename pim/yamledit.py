"""Writing catalog YAML that people will edit: ruamel.yaml's only home.

Reading for a build goes through `pim.yamlfile` (libyaml, fast). Anything that writes or rewrites a
catalog file a person reads (`pim import`, `pim fmt`) comes here, so every written file has one form.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq


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
