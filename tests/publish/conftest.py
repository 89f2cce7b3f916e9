"""A project folder with built feeds (written by pim's own writers, with a manifest) and a publish.yaml.

`project.build(google=..., meta=..., amazon=...)` writes feeds/ for the given items as `pim build`
would; `project.configure(...)` writes publish.yaml; `project.publish(...)` runs `pim publish` in process
with a clock whose waits are recorded instead of slept, so retries and polling cost no time.
"""

from __future__ import annotations

import json
import textwrap
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.publish.run import Clock, publish
from pim.writers import amazon_json, google_rss, meta_csv, shopify_csv

TOKEN = "s3cr3t-token-Zq81xv"  # a value that must never appear in any output, state file or log


@dataclass
class RecordingClock:
    """Waits are recorded and added to the clock instead of slept: retries cost no time, budgets still count."""

    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def monotonic(self) -> float:
        return time.monotonic() + sum(self.slept)

    def clock(self) -> Clock:
        return Clock(sleep=self.sleep, monotonic=self.monotonic, jitter=lambda: 0.5)


def google_items(ids, *, price="10.00 USD", title="Trail shell") -> list[Item]:
    return [Item(i, {"id": i, "title": f"{title} {i}", "link": f"https://shop.example.com/p/{i}", "image_link": f"https://cdn.example.com/{i}.jpg", "additional_image_link": [f"https://cdn.example.com/{i}-2.jpg"], "availability": "in_stock", "price": price, "brand": "Altitude", "gtin": "00012345678905", "condition": "new", "shipping_weight": "1.2 kg"}, i.split("-")[0]) for i in ids]


def meta_items(ids, *, price="10.00 USD", without_price=()) -> list[Item]:
    return [Item(i, {"id": i, "title": f"Trail shell {i}", "description": "Light and packable.", "availability": "in stock", "condition": "new", "price": "" if i in without_price else price, "link": f"https://shop.example.com/p/{i}", "image_link": f"https://cdn.example.com/{i}.jpg", "additional_image_link": [f"https://cdn.example.com/{i}-2.jpg", f"https://cdn.example.com/{i}-3.jpg"], "brand": "Altitude"}, i) for i in ids]


def amazon_items(ids, *, quantity=5) -> list[Item]:
    return [Item(i, {"product_type": "JACKET", "attributes": {"item_name": [{"value": f"Trail shell {i}", "language_tag": "en_US", "marketplace_id": "ATVPDKIKX0DER"}], "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}], "purchasable_offer": [{"currency": "USD", "marketplace_id": "ATVPDKIKX0DER", "our_price": [{"schedule": [{"value_with_tax": Decimal("129.00")}]}]}]}}, i) for i in ids]


def skus(n: int, prefix: str = "TJ") -> list[str]:
    return [f"{prefix}-{k:04d}" for k in range(1, n + 1)]


WRITERS = {
    "google": ("google-merchant", "google-rss", google_rss.write_feeds, {}),
    "meta": ("meta", "meta-csv", meta_csv.write_feeds, {}),
    "amazon": ("amazon", "amazon-json", amazon_json.write_feeds, {"seller_id": "A2EXAMPLESELLER"}),
    "shopify": ("shopify", "shopify-csv", shopify_csv.write_feeds, {}),
}


@dataclass
class Project:
    root: Path
    clock: RecordingClock = field(default_factory=RecordingClock)

    def build(self, markets: tuple[str, ...] = ("US",), **channels: list[Item]) -> dict:
        """Write feeds/<channel>/<market>.* and feeds/manifest.json for these items, as `pim build` does."""
        feeds = self.root / "feeds"
        out = FeedOutput(feeds)
        entries = []
        for channel, items in channels.items():
            kind, fmt, write, options = WRITERS[channel]
            infos = [FeedInfo(channel, kind, fmt, market=m, country=m, locale="en-US", currency="USD", title="Altitude", link="https://shop.example.com", build_time="2026-11-22T10:00:00Z", options=options) for m in markets]
            before = set(out.files)
            write([Feed(info, tuple(items)) for info in infos], out)
            files = [out.files[p] for p in sorted(set(out.files) - before)]
            entries.append({"channel": channel, "kind": kind, "format": fmt, "files": [{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in files], "markets": [{"market": m, "items": len(items), "excluded": []} for m in markets]})
        manifest = {"source_commit": "c0ffee", "build_time": "2026-11-22T10:00:00Z", "channels": entries}
        with out.open("manifest.json") as handle:
            handle.write(json.dumps(manifest, indent=2).encode())
        out.commit()
        return manifest

    def configure(self, text: str) -> None:
        (self.root / "publish.yaml").write_text(textwrap.dedent(text), encoding="utf-8")

    def publish(self, **options):
        env = options.pop("env", {"PIM_TOKEN": TOKEN})
        return publish(self.root, env=env, clock=self.clock.clock(), **options)

    def state(self, name: str) -> dict:
        return json.loads((self.root / ".pim/publish-state" / f"{name}.json").read_text())


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


# Short waits: the budget and timeouts are real seconds, kept small so fault tests finish quickly.
RETRY = "retry: {attempts: 6, backoff: 0.05, max_backoff: 1, timeout: 0.3, budget: 30, poll_interval: 0.01}"
