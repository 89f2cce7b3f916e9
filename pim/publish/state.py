"""What was last published to each destination: item ids with content hashes, file hashes, the commit.

One JSON file per destination in the state folder (default `.pim/publish-state/`), replaced
atomically after every acknowledged batch, so a run that dies half way re-sends only what the service
had not acknowledged. A missing file means a first publish: everything is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pim.output import write_atomically

VERSION = 1


class StateError(Exception):
    """The state file exists but cannot be trusted: publishing on a guess could wipe or duplicate."""


@dataclass
class DestinationState:
    destination: str
    kind: str
    items: dict[str, str] = field(default_factory=dict)  # item id -> content hash, as the service acknowledged it
    files: dict[str, str] = field(default_factory=dict)  # feed path -> sha256, for whole-file uploads
    commit: str | None = None  # the source commit of the last complete publish
    build_time: str | None = None
    # Work handed to the service but not yet confirmed (a Meta handle, an Amazon feed id), checked before sending again.
    pending: list[dict] = field(default_factory=list)
    forced: str | None = None  # the --reason of the last forced publish
    path: Path | None = None
    exists: bool = False

    def save(self) -> None:
        assert self.path is not None
        body = {
            "version": VERSION,
            "destination": self.destination,
            "kind": self.kind,
            "commit": self.commit,
            "build_time": self.build_time,
            "forced": self.forced,
            "pending": self.pending,
            "files": dict(sorted(self.files.items())),
            "items": dict(sorted(self.items.items())),
        }
        write_atomically(self.path, (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode())
        self.exists = True


def state_path(folder: Path, destination: str) -> Path:
    return folder / f"{destination}.json"


def load_state(folder: Path, destination: str, kind: str) -> DestinationState:
    path = state_path(folder, destination)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return DestinationState(destination, kind, path=path)
    except OSError as exc:
        raise StateError(f"{path} cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("unknown layout")
        if data.get("kind") != kind:
            raise ValueError(f"it belongs to a {data.get('kind')} destination, this one is {kind}")
        items, files = data.get("items", {}), data.get("files", {})
        if not all(isinstance(k, str) and isinstance(v, str) for mapping in (items, files) for k, v in mapping.items()):
            raise ValueError("items and files must map text to text")
        return DestinationState(destination, kind, dict(items), dict(files), data.get("commit"), data.get("build_time"), list(data.get("pending") or []), data.get("forced"), path, True)
    except (ValueError, AttributeError, TypeError) as exc:
        raise StateError(f"{path} is not a pim publish state file ({exc}): restore it from CI's cache, or delete it to publish everything again") from None
