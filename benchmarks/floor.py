"""The floor of issue #7: the demo mappings' feeds written by hand, as directly as Python allows.

What `pim build` would cost with no overhead at all: every product file parsed with PyYAML's libyaml
loader (`CSafeLoader`) across all cores, the fields of the demo's google, meta, headless and amazon
mappings computed with plain Python (floor_fields.py: no jinja2, no pydantic, no rules), and the files
written with the writer libraries pim uses (lxml `xmlfile`, `csv`, orjson), byte for byte what
`pim build` writes.

It knows the demo mappings by heart and does not check anything: it is a yardstick for a valid
generated catalog (pim.generate), not a feed builder. Products must be in files named `<id>.yaml`, so
that sorting file names sorts products by id as pim does.

Each worker takes a contiguous slice of the sorted product files and writes its part of every feed
into a part file; the parent joins the parts in order. Per-product files (headless) are written by the
workers straight into place.

    python benchmarks/floor.py PROJECT --out DIR [--channel google ...] [--workers N]
"""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing
import os
import re
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

import yaml
from lxml import etree

from floor_fields import CHANNELS, META_COLUMNS, Catalog, Market, View, amazon_messages, for_channel, google_item, headless_document, json_bytes, meta_row

G = "http://base.google.com/ns/1.0"
_CR = re.compile("\r\n?")
AMAZON_MESSAGES_PER_FILE = 25_000
SHARD_PRODUCTS = 250
META_COUNTRY = ("availability", "price", "sale_price", "sale_price_effective_date", "link")
META_LANGUAGE = ("title", "description")

# The catalog's small files, read once by the parent before the workers fork (they inherit it).
CATALOG: Catalog


# ------------------------------------------------------------------ a worker: its slice of every feed


def render_shard(job: tuple[int, list[str], str, str, tuple[str, ...]]) -> int:
    """Parse one slice of product files and write its part of each feed; returns the products read."""
    number, paths, parts, out, channels = job
    c = CATALOG
    products = sorted((yaml.load(Path(p).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in paths), key=lambda p: p["id"])
    views = Views(c)
    for channel in channels:
        mapping = c.mappings[channel]
        for market in mapping["markets"]:
            if channel == "meta" and market != mapping["markets"][0]:
                continue  # the override feeds are written beside the base market's rows
            with open(f"{parts}/{channel}-{market}-{number:05d}", "wb") as stream:
                SHARD_WRITERS[channel](views, products, c.markets[market], stream, mapping, out)
    return len(products)


class Views:
    """One View per product, channel overrides and market; shared by the channels without overrides."""

    def __init__(self, c: Catalog):
        self.c = c
        self.cache: dict[tuple[int, str], View] = {}

    def active(self, products: list[dict], channel: str, market: Market):
        for product in products:
            product = for_channel(product, channel)
            if product["status"] == "active":  # every demo mapping's include
                key = (id(product), market.code)
                if key not in self.cache:
                    self.cache[key] = View(self.c, product, market)
                yield self.cache[key]


def google_shard(views: Views, products: list[dict], market: Market, stream, mapping: dict, out: str) -> None:
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        with xf.element("rss", nsmap={"g": G}):
            for p in views.active(products, "google", market):
                for v in p.variants:
                    xf.write("\n    ")
                    with xf.element("item"):
                        for name, value in google_item(p, v):
                            for part in value if isinstance(value, list) else (value,):
                                if part is None or part == "":
                                    continue
                                xf.write("\n      ")
                                with xf.element(_g(name)):
                                    xf.write(part if isinstance(part, str) else str(part))
                        xf.write("\n    ")
    data = buffer.getvalue()
    if data.endswith(b"</rss>"):  # else no item at all: lxml wrote an empty <rss/>
        stream.write(data[data.index(b">") + 1 : data.rindex(b"</rss>")])


_G_TAGS: dict[str, str] = {}


def _g(name: str) -> str:
    return _G_TAGS.get(name) or _G_TAGS.setdefault(name, f"{{{G}}}{name}")


def meta_shard(views: Views, products: list[dict], base: Market, stream, mapping: dict, out: str) -> None:
    """The base market's rows; the other markets' override rows go to their own part files."""
    c, availability = views.c, mapping.get("maps", {}).get("availability", {})
    others = [c.markets[m] for m in mapping["markets"][1:]]
    base_ids: set[str] = set()
    writer = _csv_part(stream)
    for p in views.active(products, "meta", base):
        for v in p.variants:
            writer.writerow(_cells(meta_row(p, v, availability)))
            base_ids.add(v.sku)
    writer.flush()
    for market, kind, key, columns in meta_overrides(base, others):
        with open(f"{stream.name}-{kind}-{key}", "wb") as part:
            writer = _csv_part(part)
            for p in views.active(products, "meta", market):
                for v in p.variants:
                    if v.sku in base_ids:
                        row = dict(zip(META_COLUMNS, meta_row(p, v, availability)))
                        writer.writerow(_cells([v.sku, key, *(row[name] for name in columns)]))
            writer.flush()


def meta_overrides(base: Market, others: list[Market]):
    """(market, kind, key, columns) of each override feed, as Meta keys them: country, then language."""
    languages = {base.locale.split("-")[0].lower()}
    for market in others:
        if market.country != base.country:
            yield market, "country", market.country, META_COUNTRY
        language = market.locale.split("-")[0].lower()
        if language not in languages:
            languages.add(language)
            yield market, "language", f"{language}_XX", META_LANGUAGE


class _csv_part:
    """csv rows into a binary part file (the writer wants text)."""

    def __init__(self, stream):
        self.text = io.StringIO()
        self.stream = stream
        self.writer = csv.writer(self.text, lineterminator="\n")

    def writerow(self, row: list) -> None:
        self.writer.writerow(row)
        if self.text.tell() > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.stream.write(self.text.getvalue().encode())
        self.text.seek(0)
        self.text.truncate()


def _cells(row: list) -> list:
    return [_CR.sub("\n", cell) if isinstance(cell, str) and "\r" in cell else cell for cell in row]


def headless_shard(views: Views, products: list[dict], market: Market, stream, mapping: dict, out: str) -> None:
    folder = Path(out) / "headless" / market.code / "products"
    index_fields = mapping.get("options", {}).get("index_fields", ("name", "url", "price"))
    entries = []
    for p in views.active(products, "headless", market):
        document = headless_document(p)
        (folder / f"{quote(p.product['id'], safe='')}.json").write_bytes(json_bytes(document, indent=True) + b"\n")
        entry = {"id": p.product["id"], **{name: document[name] for name in index_fields if name != "id" and name in document}}
        entries.append(b"\n    " + b"\n    ".join(json_bytes(entry, indent=True).split(b"\n")))
    stream.write(b",".join(entries))


def amazon_shard(views: Views, products: list[dict], market: Market, stream, mapping: dict, out: str) -> None:
    """One message per line, without its messageId: only the parent knows the message's number in its file."""
    for p in views.active(products, "amazon", market):
        for message in amazon_messages(p, mapping["maps"]):
            stream.write(json_bytes(message) + b"\n")


SHARD_WRITERS = {"google": google_shard, "meta": meta_shard, "headless": headless_shard, "amazon": amazon_shard}


# ------------------------------------------------------------------ the parent: shards out, feeds joined


def build_floor(project: Path, out: Path, channels: tuple[str, ...] = CHANNELS, workers: int | None = None) -> int:
    global CATALOG
    CATALOG = Catalog(project)
    paths = sorted(str(p) for p in (project / "catalog" / "products").glob("*.yaml"))
    workers = workers or os.cpu_count() or 1
    # At least four slices per worker, so that one slow slice does not leave a core idle, and at most
    # SHARD_PRODUCTS per slice, so that a worker's memory does not grow with the catalog.
    size = max(1, min(SHARD_PRODUCTS, -(-len(paths) // (workers * 4))))
    parts = out / ".parts"
    shutil.rmtree(out, ignore_errors=True)
    parts.mkdir(parents=True)
    for channel in channels:
        for market in CATALOG.mappings[channel]["markets"]:
            (out / channel / (f"{market}/products" if channel == "headless" else "")).mkdir(parents=True, exist_ok=True)
    jobs = [(n, paths[start : start + size], str(parts), str(out), channels) for n, start in enumerate(range(0, len(paths), size))]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        count = sum(pool.imap(render_shard, jobs))
    numbers = range(len(jobs))
    for channel in channels:
        JOINERS[channel](CATALOG, CATALOG.mappings[channel], out, [f"{parts}/{channel}-{{market}}-{n:05d}" for n in numbers])
    shutil.rmtree(parts)
    return count


def join_google(c: Catalog, mapping: dict, out: Path, parts: list[str]) -> None:
    for code in mapping["markets"]:
        title = mapping.get("title") or f"{c.shop_name} - google"
        description = mapping.get("description") or f"{c.shop_name} product feed for google ({code})"
        head, tail = rss_frame(title, c.shop_link, description)
        with open(out / "google" / f"{code}.xml", "wb") as stream:
            stream.write(head)
            _append(stream, [p.format(market=code) for p in parts])
            stream.write(tail)


def rss_frame(title: str, link: str, description: str) -> tuple[bytes, bytes]:
    """An RSS document without items, cut where the items go."""
    buffer = io.BytesIO()
    buffer.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        with xf.element("rss", {"version": "2.0"}, nsmap={"g": G}):
            xf.write("\n  ")
            with xf.element("channel"):
                for tag, text in (("title", title), ("link", link), ("description", description)):
                    xf.write("\n    ")
                    with xf.element(tag):
                        xf.write(text or "")
                xf.write("\n  ")
            xf.write("\n")
    buffer.write(b"\n")
    data = buffer.getvalue()
    cut = data.rindex(b"\n  </channel>")
    return data[:cut], data[cut:]


def join_meta(c: Catalog, mapping: dict, out: Path, parts: list[str]) -> None:
    base, *others = mapping["markets"]
    with open(out / "meta" / f"{base}.csv", "wb") as stream:
        stream.write((",".join(META_COLUMNS) + "\n").encode())
        _append(stream, [p.format(market=base) for p in parts])
    for _, kind, key, columns in meta_overrides(c.markets[base], [c.markets[m] for m in others]):
        with open(out / "meta" / f"override-{kind}-{key}.csv", "wb") as stream:
            stream.write((",".join(("id", "override", *columns)) + "\n").encode())
            _append(stream, [f"{p.format(market=base)}-{kind}-{key}" for p in parts])


def join_headless(c: Catalog, mapping: dict, out: Path, parts: list[str]) -> None:
    for code in mapping["markets"]:
        with open(out / "headless" / code / "index.json", "wb") as stream:
            stream.write(b'{\n  "items": [')
            first = True
            for part in parts:
                data = Path(part.format(market=code)).read_bytes()
                if data:
                    stream.write(data if first else b"," + data)
                    first = False
            stream.write(b"]\n}\n" if first else b"\n  ]\n}\n")


def join_amazon(c: Catalog, mapping: dict, out: Path, parts: list[str]) -> None:
    """Number the messages per file and start a new file every 25,000, as Amazon's schema allows."""
    size = mapping.get("options", {}).get("messages_per_file", AMAZON_MESSAGES_PER_FILE)
    for code in mapping["markets"]:
        header = {"sellerId": str(mapping["options"]["seller_id"]), "version": "2.0", "issueLocale": c.markets[code].locale.replace("-", "_")}
        stream, number, files = None, 0, 0
        for part in parts:
            with open(part.format(market=code), "rb") as lines:
                for line in lines:
                    if stream is None or number == size:
                        if stream is not None:
                            stream.write(b"\n]}\n")
                            stream.close()
                        files += 1
                        stream = open(out / "amazon" / (f"{code}.json" if files == 1 else f"{code}-{files}.json"), "wb")
                        stream.write(b'{"header":' + json_bytes(header) + b',\n"messages":[\n')
                        number = 0
                    number += 1
                    stream.write(b'{"messageId":' + str(number).encode() + b"," + line[1:-1] if number == 1 else b',\n{"messageId":' + str(number).encode() + b"," + line[1:-1])
        if stream is not None:
            stream.write(b"\n]}\n")
            stream.close()


def _append(stream, paths: list[str]) -> None:
    for path in paths:
        with open(path, "rb") as part:
            shutil.copyfileobj(part, stream, 1 << 20)


JOINERS = {"google": join_google, "meta": join_meta, "headless": join_headless, "amazon": join_amazon}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="The folder to write the feeds into (emptied first).")
    parser.add_argument("--channel", action="append", choices=CHANNELS, help="Only this channel (repeatable); default all four.")
    parser.add_argument("--workers", type=int, help="Worker processes (default: one per core).")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count = build_floor(args.project, args.out, tuple(args.channel or CHANNELS), args.workers)
    print(f"floor: {count} products in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
