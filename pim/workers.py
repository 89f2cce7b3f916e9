"""Running one function over many tasks in forked worker processes: multiprocessing's only home.

Forking shares the parent's parsed catalog and compiled mappings copy-on-write, so nothing is pickled
on the way in (pickling a product costs more than validating it, DESIGN.md); only each task's small
or format-neutral result comes back. Where fork is not available or not safe, the tasks run in this
process, with the same results.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from typing import Any, Callable, Iterator, Sequence

_SHARED: tuple[Callable[..., Any], Any] | None = None


def collect_rarely() -> None:
    """Let the cyclic collector run rarely: a build allocates millions of small acyclic objects (records,
    items, field values), and each collection walks the young ones again. Measured at 10,000 products,
    four channels: the render and merge took 23.7 s with Python's default thresholds, 20.7 s with these
    (18.5 s with the collector off, which pim does not do: jinja's contexts can form cycles)."""
    gc.set_threshold(100_000, 50, 100)


PARALLEL_FROM = 1000  # tasks (products); below this, starting processes costs more than it saves


def jobs_for(tasks: int, asked: int | None = None) -> int:
    """The processes to use: as asked, else every core from PARALLEL_FROM tasks up."""
    return asked if asked is not None else (default_jobs() if tasks >= PARALLEL_FROM else 1)


def default_jobs() -> int:
    """PIM_JOBS, else the cores this process may use."""
    try:
        return max(1, int(os.environ["PIM_JOBS"]))
    except (KeyError, ValueError):
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run(task: Any) -> Any:
    assert _SHARED is not None
    function, shared = _SHARED
    return function(shared, task)


def map_forked(function: Callable[[Any, Any], Any], shared: Any, tasks: Sequence[Any], jobs: int) -> Iterator[Any]:
    """`function(shared, task)` for each task, results in task order. `shared` reaches the workers by fork."""
    global _SHARED
    # Forking a process that runs other threads can copy a lock one of them holds, and the child then
    # waits for it forever (a Dask worker, a test's HTTP server): such a process renders in itself.
    if jobs <= 1 or len(tasks) <= 1 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (function(shared, task) for task in tasks)
        return
    _SHARED = (function, shared)
    # Frozen objects are never scanned by the cyclic collector: without this, each worker's collections
    # walk the whole inherited catalog, which costs time and copies every page they touch.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
            yield from pool.imap(_run, tasks)
    finally:
        gc.unfreeze()
        _SHARED = None
