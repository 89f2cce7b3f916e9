"""Shards on a Dask cluster: dask.distributed's only home, an optional extra (`pip install 'pim[dask]'`).

Each Dask task is one shard (`pim.build.build_shard`): the worker opens the project at the same path
(a shared file system or the same checkout on every worker), validates, renders its products and
returns the parts; only the parts travel back (pickling whole products would cost more than parsing
them, DESIGN.md). The client merges and writes the feeds exactly as a one-machine build does. The
same call points at a local cluster (`local:N`) or a scheduler address of a cluster that Dask runs on
Kubernetes, YARN or an HPC queue (docs/scale.md).
"""

from __future__ import annotations

from pathlib import Path

from pim.build import build_shard, build_time
from pim.render import FeedPart
from pim.shards import SHARDS_PER_JOB
from pim.sources import Source, ToolError


def render_on_dask(source: Source, address: str, *, channels: list[str] | None = None, markets: list[str] | None = None, shards: int | None = None) -> list[list[FeedPart]]:
    """Every shard's parts, rendered by the cluster's workers; ToolError when the cluster cannot be used."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ToolError("--dask needs Dask: pip install 'pim[dask]'") from None
    time = build_time(source)  # decided once here: workers may have no git and no SOURCE_DATE_EPOCH
    cluster = None
    try:
        if address.startswith("local:"):
            workers = int(address.removeprefix("local:") or "2")
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout="30s")
    except (OSError, ValueError, TimeoutError) as exc:
        raise ToolError(f"cannot reach the Dask cluster {address}: {exc}") from None
    try:
        count = shards or max(1, sum(client.nthreads().values())) * SHARDS_PER_JOB
        root = str(Path(source.root).resolve())
        futures = client.map(_shard_task, range(count), root=root, shards=count, channels=channels, markets=markets, time=time, pure=False)
        results = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if any(parts is None for parts in results):
        raise ToolError("the catalog or a mapping has errors, so no shard was rendered: run pim validate and pim build")
    return list(results)


def _shard_task(shard: int, *, root: str, shards: int, channels, markets, time: str) -> list[FeedPart] | None:
    from pim.project import open_project

    _, parts = build_shard(open_project(Path(root)), shard, shards, channels=channels, markets=markets, time=time)
    return parts
