"""The built feeds as publishing sees them: the manifest that vouches for each file, and the items in a file.

`pim publish` never rebuilds: it sends the bytes that were built and reviewed. A file whose sha256
differs from the manifest's is refused, so nothing the manifest does not vouch for leaves the machine.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

MANIFEST = "manifest.json"
G = "{http://base.google.com/ns/1.0}"


class FeedError(Exception):
    """A feed file cannot be used: missing, not vouched for, or not readable as items."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Manifest:
    source_commit: str | None
    build_time: str | None
    channels: dict[str, dict]  # channel name -> its manifest entry

    def files_of(self, channel: str) -> dict[str, dict]:
        return {f["path"]: f for f in self.channels.get(channel, {}).get("files", [])}


def read_manifest(feeds: Path) -> Manifest:
    try:
        data = json.loads((feeds / MANIFEST).read_text(encoding="utf-8"))
        channels = {entry["channel"]: entry for entry in data["channels"]}
    except FileNotFoundError:
        raise FeedError("PIM705", f"{feeds / MANIFEST} is missing: run `pim build` first; publish sends only built feeds") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FeedError("PIM705", f"{feeds / MANIFEST} cannot be read ({type(exc).__name__}): rebuild the feeds with `pim build`") from None
    return Manifest(data.get("source_commit"), data.get("build_time"), channels)


def read_vouched(feeds: Path, manifest: Manifest, channel: str, relpath: str) -> bytes:
    """The file's bytes, only if the manifest lists it for this channel with this sha256."""
    entry = manifest.files_of(channel).get(relpath)
    if entry is None:
        known = ", ".join(sorted(manifest.files_of(channel))) or "none"
        # An empty market writes no file for some formats (Amazon): that too ends here, and nothing is sent.
        raise FeedError("PIM704", f"the manifest lists no file {relpath} for channel {channel} (its files: {known}); nothing was sent")
    try:
        data = (feeds / relpath).read_bytes()
    except OSError:
        raise FeedError("PIM706", f"feeds/{relpath} is listed in the manifest but missing: rebuild with `pim build`") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise FeedError("PIM706", f"feeds/{relpath} is not the file that was built (sha256 {digest[:12]}..., manifest {entry['sha256'][:12]}...): rebuild, review and publish again")
    return data


def content_hash(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


Fields = dict[str, Any]


def read_items(data: bytes, fmt: str, relpath: str) -> dict[str, Fields]:
    """id -> the item's fields as the file holds them, in file order."""
    reader = ITEM_READERS.get(fmt)
    if reader is None:
        raise FeedError("PIM715", f"items cannot be read from {fmt} files such as {relpath}")
    try:
        items = reader(data)
    except (ValueError, KeyError, TypeError, ElementTree.ParseError, csv.Error, UnicodeDecodeError) as exc:
        raise FeedError("PIM715", f"feeds/{relpath} cannot be read as a {fmt} feed ({type(exc).__name__}: {str(exc)[:200]})") from None
    return items


def _rss_items(data: bytes) -> dict[str, Fields]:
    items: dict[str, Fields] = {}
    # The file is our own build output, vouched for by the manifest; ElementTree resolves no external entities.
    for _, element in ElementTree.iterparse(io.BytesIO(data)):
        if element.tag != "item":
            continue
        fields: Fields = {}
        for child in element:
            name = child.tag.removeprefix(G)
            value: Any = {c.tag.removeprefix(G): (c.text or "") for c in child} if len(child) else (child.text or "")
            if name in fields:  # a repeated element (additional_image_link, shipping) becomes a list
                previous = fields[name]
                fields[name] = (previous if isinstance(previous, list) else [previous]) + [value]
            else:
                fields[name] = value
        items[str(fields["id"])] = fields
        element.clear()
    return items


def _table_items(delimiter: str, key: str) -> Callable[[bytes], dict[str, Fields]]:
    def read(data: bytes) -> dict[str, Fields]:
        text = data.decode("utf-8-sig")
        lines = [line for line in text.splitlines(keepends=True) if not line.startswith("#")]  # Meta's metadata comments
        rows = csv.DictReader(io.StringIO("".join(lines)), delimiter=delimiter)
        return {row[key]: {k: v for k, v in row.items() if v not in ("", None)} for row in rows}

    return read


def _amazon_items(data: bytes) -> dict[str, Fields]:
    document = json.loads(data)
    return {str(message["sku"]): message for message in document["messages"]}


ITEM_READERS: dict[str, Callable[[bytes], dict[str, Fields]]] = {
    "google-rss": _rss_items,
    "google-tsv": _table_items("\t", "id"),
    "meta-csv": _table_items(",", "id"),
    "tiktok-csv": _table_items(",", "sku_id"),
    "pinterest-csv": _table_items(",", "id"),
    "amazon-json": _amazon_items,
}


def amazon_header(data: bytes) -> dict:
    return dict(json.loads(data)["header"])
