"""Seconds to lay out a 1,000-product PDF catalog: `python benchmarks/print_pdf.py [products]`.

The catalog comes from `pim.generate` (the demo multiplied). Planning the feed (catalog -> items) and
laying out the PDF (items -> bytes, the typst compile) are timed apart, for one market.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from pim.build import build
from pim.generate import generate_project
from pim.sources import WorkingTree
from pim.writers.pdf import render_catalog

BUILD_TIME = "2026-01-01T00:00:00Z"


def main(products: int = 1000) -> None:
    with tempfile.TemporaryDirectory(prefix="pim-print-bench-") as folder:
        root = generate_project(Path(folder) / "project", products)
        started = time.perf_counter()
        result = build(WorkingTree(root), channels=["catalog-pdf"], markets=["US"], write=False, time=BUILD_TIME)
        planned = time.perf_counter()
        [feed] = result.feeds
        cpu = time.process_time()
        pdf = render_catalog(feed)
        done = time.perf_counter()
        cpu = time.process_time() - cpu
        again = render_catalog(feed)
        second = time.perf_counter() - done
    variants = sum(len(item.fields.get("variants") or ()) for item in feed.items)
    print(f"{len(feed.items)} products, {variants} variant rows, {len(pdf) / 1e6:.1f} MB PDF, same bytes twice: {pdf == again}")
    print(f"validate + plan the feed: {planned - started:.2f} s")
    # CPU seconds too: on a shared machine the wall clock mostly measures the neighbours.
    print(f"lay out the PDF (typst):  {done - planned:.2f} s wall, {cpu:.2f} s CPU (same process again, typst's cache warm: {second:.2f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
