"""What happened at one destination, and the context each destination kind works in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pim.problems import Location, Problem, Severity
from pim.publish.delta import Delta
from pim.publish.feeds import Manifest
from pim.publish.http import Transport
from pim.publish.state import DestinationState

DELIVERED, UNCHANGED, FAILED, REFUSED, DRY_RUN = "delivered", "unchanged", "failed", "refused", "dry-run"


@dataclass
class ItemFailure:
    item: str
    message: str
    file: str = ""


@dataclass
class Outcome:
    destination: str
    kind: str
    status: str = DELIVERED
    sent: int = 0  # items (or, for uploads, files) the service acknowledged
    deleted: int = 0
    unchanged: int = 0
    bytes: int = 0
    requests: int = 0
    retries: int = 0
    failed: list[ItemFailure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # dry run: what would go
    would_send: int = 0
    would_delete: int = 0
    preview: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # every id a refusal would have removed

    @property
    def unit(self) -> str:
        return "files" if self.kind == "upload" else "items"

    def problem(self, code: str, message: str, location: Location, *, warning: bool = False) -> None:
        self.problems.append(Problem(code, message, location, Severity.WARNING if warning else Severity.ERROR))

    def item_failed(self, item: str, message: str, file: str) -> None:
        self.failed.append(ItemFailure(item, message, file))
        self.problem("PIM713", f"{item}: {message}", Location(f"feeds/{file}"))


@dataclass
class Plan:
    """Everything a destination would send, decided before any request: what --dry-run shows."""

    delta: Delta
    items_now: int
    bytes: int
    requests: int
    payloads: Any = None  # kind-specific: what `send` sends
    files: int = 0  # uploads: files considered (the unit they count in)


@dataclass
class Context:
    feeds: Path
    manifest: Manifest
    state: DestinationState
    outcome: Outcome
    transport: Transport
    token: str | None
    where: Location  # the destination in publish.yaml

    def acknowledge(self, item: str, digest: str | None) -> None:
        """The service has it (digest) or has deleted it (None): record it so it is never sent again."""
        if digest is None:
            if self.state.items.pop(item, None) is not None:
                self.outcome.deleted += 1
        else:
            self.state.items[item] = digest
            self.outcome.sent += 1
