"""The benchmark of issue #7: pim's build, rebuild, validate and diff on generated catalogs, against floors.

For each catalog size it generates a project (pim.generate, reused while the size, the seed and the demo
are the same), puts it under git, and times each step as a separate process, the way a person runs pim:

- cold `pim build` of the channels the floor covers, against the floor: benchmarks/floor.py writing the
  same bytes by hand (the floor's files are compared with pim's byte for byte);
- cold `pim build` of every channel (no floor: the floor does not cover them all);
- copying the output (feeds/) once, the floor of a rebuild after a one-product edit;
- a warm `pim build` with nothing changed, and the rebuild after changing one product's price;
- a warm `pim validate` (the second of two runs), against the target of 2 s;
- `pim diff HEAD~1 HEAD` after a commit changing ten products' prices, against the warm build.

Memory: "peak RSS" is the largest peak of any single process of the step (GNU time's %M: ru_maxrss, which
on Linux is the maximum over the process and its waited-for descendants, not their sum); "tree RSS" is the
sum over the whole process tree, sampled every 100 ms from /proc, so it sees workers together but can
miss a short peak. A forked worker's RSS counts the pages it still shares with the process it forked
from, so the sum counts those twice; "tree PSS" sums each process's proportional share instead (a
page shared by two processes counts half in each: /proc/PID/smaps_rollup), which is what the tree
holds of the machine's memory.

    python benchmarks/run.py --products 1000 10000 --workdir /work/bench
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
FLOOR_CHANNELS = ("google", "meta", "headless", "amazon")  # what benchmarks/floor.py writes
EPOCH = "1790000000"  # SOURCE_DATE_EPOCH for every step, so that builds are reproducible
PAGE = os.sysconf("SC_PAGE_SIZE")
BASE_TAG = "bench-base"
GNU_TIME = "/usr/bin/time"  # GNU time (Debian package `time`), for each command's own peak RSS


@dataclass
class Run:
    seconds: float  # wall time
    cpu: float  # user + system seconds of the process and the workers it waited for: steadier on a busy machine
    peak_mb: float  # the largest single process
    tree_mb: float  # the whole tree, sampled: RSS summed
    tree_pss_mb: float = 0.0  # the same, PSS summed (shared pages counted once in all)


@dataclass
class Row:
    step: str
    run: Run | None
    floor_name: str = ""
    floor_seconds: float | None = None
    floor_cpu: float | None = None  # when the floor is a measured run, not a target
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.run is None or not self.floor_seconds:
            return None
        return self.run.seconds / self.floor_seconds

    @property
    def cpu_ratio(self) -> float | None:
        if self.run is None or not self.floor_cpu:
            return None
        return self.run.cpu / self.floor_cpu


# ------------------------------------------------------------------ running and measuring one step


SOURCE = REPOSITORY  # the copy of pim/ and the demo that a run measures (see snapshot_source)
READ_ONLY_GIT = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # never take the index lock in the shared working tree


def measure(command: list[str], cwd: Path, log: Path) -> Run:
    """Run a command to completion; its wall time and memory. A failing command stops the benchmark.

    The command runs under GNU time, which reports its peak RSS: Linux carries a process's RSS high-water
    mark across exec, so `wait4` on a child forked from this (larger) process would report our own size."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1", "PYTHONHASHSEED": "0"}
    env["PYTHONPATH"] = os.pathsep.join([str(SOURCE), *filter(None, [os.environ.get("PYTHONPATH")])])
    peak_file = log.with_suffix(".peak")
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        started = time.perf_counter()
        process = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", str(peak_file), *command], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        tree_peak = tree_pss = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            rss, pss = tree_memory(process.pid)
            tree_peak, tree_pss = max(tree_peak, rss), max(tree_pss, pss)
            time.sleep(0.1)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so that Popen does not wait again
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed (exit {process.returncode}): see {log}")
    peak = int(peak_file.read_text().split()[-1]) * 1024  # GNU time's %M: kilobytes
    peak_file.unlink()
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak / 2**20, max(tree_peak, peak) / 2**20, tree_pss / 2**20)


def tree_memory(root: int) -> tuple[int, int]:
    """Bytes resident in `root` and all its descendants now, as RSS and as PSS summed (0 for processes that just ended)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError):
                continue
    tree, total, proportional = {root}, 0, 0
    for pid in sorted(parents):  # children have higher pids than their parents, except after pid wrap-around
        if parents[pid] in tree:
            tree.add(pid)
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                proportional += next(int(line.split()[1]) for line in rollup if line.startswith(b"Pss:")) * 1024
        except (OSError, IndexError, StopIteration):
            continue
    return total, proportional


def git(project: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"@{EPOCH} +0000", "GIT_COMMITTER_DATE": f"@{EPOCH} +0000"}
    done = subprocess.run(["git", *args], cwd=project, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def pim_command() -> list[str]:
    """`pim` as installed, but importing the snapshot (PYTHONPATH comes before the editable install)."""
    return [sys.executable, "-c", "from pim.cli import app; app(prog_name='pim')"]


def snapshot_source(workdir: Path, revision: str | None) -> Path:
    """The code and demo a run measures, copied once: pim/, catalog/ and mappings/ of the working tree, or
    of a commit (`git archive`). Every step imports pim from here (PYTHONPATH comes before the editable
    install), so all steps measure the same code even while the working tree is being edited."""
    if revision is None:
        target = workdir / "source-worktree"
        shutil.rmtree(target, ignore_errors=True)
        for folder in ("pim", "catalog", "mappings"):
            shutil.copytree(REPOSITORY / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
        return target
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"], cwd=REPOSITORY, env=READ_ONLY_GIT, capture_output=True, text=True, check=True).stdout.strip()
    target = workdir / f"source-{commit[:12]}"
    if not (target / "pim").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit, "pim", "catalog", "mappings"], cwd=REPOSITORY, env=READ_ONLY_GIT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


# ------------------------------------------------------------------ the generated project


def prepare_project(workdir: Path, products: int, seed: int) -> Path:
    """The generated project under git, back at its generated commit with no feeds/ and no cache.

    A marker file beside it records what was generated (size, seed, and a hash of the generator and of the
    demo files it copies: mappings, settings, families...); a project whose marker does not match is
    generated again, so that the benchmark always runs the measured demo's mappings."""
    project = workdir / f"catalog-{products}-seed{seed}"
    marker = workdir / f"catalog-{products}-seed{seed}.json"
    wanted = {"products": products, "seed": seed, "sources": demo_hash()}
    if not (marker.exists() and json.loads(marker.read_text()) == wanted and (project / ".git").exists()):
        marker.unlink(missing_ok=True)
        shutil.rmtree(project, ignore_errors=True)
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(SOURCE)}  # pim.generate copies the demo beside the pim it is imported from
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from pim.generate import generate_project; "
                        "generate_project(Path(sys.argv[1]), int(sys.argv[2]), seed=int(sys.argv[3]))", str(project), str(products), str(seed)], cwd=workdir, env=env, check=True)
        point_taxonomy_at_repository(project)
        git(project, "init", "-q")
        git(project, "config", "user.name", "pim benchmark")
        git(project, "config", "user.email", "benchmark@example.com")
        git(project, "add", "-A")
        git(project, "commit", "-q", "-m", f"generated catalog: {products} products, seed {seed}")
        git(project, "tag", "-f", BASE_TAG)
        marker.write_text(json.dumps(wanted))
        print(f"  generated {products} products in {time.perf_counter() - started:.1f} s: {project}")
    else:
        print(f"  reusing {project}")
    git(project, "reset", "-q", "--hard", BASE_TAG)
    git(project, "clean", "-q", "-fdx")  # feeds/, .pim/cache and anything a previous run left
    return project


def demo_hash() -> str:
    """What a generated project is made from: pim/generate.py and the demo's files other than products."""
    digest = hashlib.sha256()
    sources = [SOURCE / "pim" / "generate.py", *(SOURCE / "mappings").rglob("*"), *(SOURCE / "catalog").rglob("*")]
    for path in sorted(p for p in sources if p.is_file() and "products" not in p.relative_to(SOURCE).parts):
        digest.update(str(path.relative_to(SOURCE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def point_taxonomy_at_repository(project: Path) -> None:
    """The demo names Google's taxonomy by a path from the repository (it lies outside pim's folders), which
    the generator resolved from the copied demo: resolve it from the repository instead."""
    settings = project / "catalog" / "settings.yaml"
    relative = re.search(r"^google_taxonomy:\s*(\S+)", (SOURCE / "catalog" / "settings.yaml").read_text(encoding="utf-8"), re.MULTILINE)
    if relative:
        text = re.sub(r"^google_taxonomy:.*$", f"google_taxonomy: {(REPOSITORY / relative.group(1)).resolve()}", settings.read_text(encoding="utf-8"), flags=re.MULTILINE)
        settings.write_text(text, encoding="utf-8")


def make_cold(project: Path) -> None:
    shutil.rmtree(project / "feeds", ignore_errors=True)
    shutil.rmtree(project / ".pim" / "cache", ignore_errors=True)


_PRICE = re.compile(r"^(price:\n  USD: )'?(\d+\.\d\d)'?", re.MULTILINE)


def change_price(path: Path) -> None:
    """Raise the product's own USD price by one dollar (its sale prices stay below it)."""
    text = path.read_text(encoding="utf-8")
    changed, count = _PRICE.subn(lambda m: f"{m.group(1)}'{float(m.group(2)) + 1:.2f}'", text, count=1)
    if count != 1:
        sys.exit(f"{path}: no `price: USD:` block to change")
    path.write_text(changed, encoding="utf-8")


def product_files(project: Path) -> list[Path]:
    return sorted((project / "catalog" / "products").glob("*.yaml"))


# ------------------------------------------------------------------ comparing the floor with pim


def compare_trees(pim_feeds: Path, floor_out: Path, channels: tuple[str, ...]) -> tuple[bool, list[str], int, int]:
    """(same, first differences, files, bytes) over the channels' folders."""
    differences, files, size = [], 0, 0
    for channel in channels:
        ours = {p.relative_to(pim_feeds) for p in (pim_feeds / channel).rglob("*") if p.is_file()}
        theirs = {p.relative_to(floor_out) for p in (floor_out / channel).rglob("*") if p.is_file()}
        differences += [f"only in pim: {p}" for p in sorted(ours - theirs)[:3]]
        differences += [f"only in the floor: {p}" for p in sorted(theirs - ours)[:3]]
        for relpath in sorted(ours & theirs):
            data = (pim_feeds / relpath).read_bytes()
            files, size = files + 1, size + len(data)
            if data != (floor_out / relpath).read_bytes() and len(differences) < 10:
                differences.append(f"bytes differ: {relpath}")
    return not differences, differences, files, size


def tree_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# ------------------------------------------------------------------ the steps for one catalog size


def bench_size(products: int, args: argparse.Namespace) -> list[Row]:
    workdir: Path = args.workdir
    print(f"\n== {products:,} products (load average {os.getloadavg()[0]:.2f})")
    project = prepare_project(workdir, products, args.seed)
    log = workdir / f"run-{products}.log"
    log.unlink(missing_ok=True)
    pim = pim_command()
    covered = tuple(c for c in FLOOR_CHANNELS if not args.channels or c in args.channels)
    others = sorted({p.stem for p in (project / "mappings").glob("*.yaml")} - set(covered))
    print(f"  the floor covers {', '.join(covered)}; not {', '.join(others) or '-'} (built only in 'cold build: all channels')")
    only = [f"--channel={c}" for c in covered]
    rows: list[Row] = []

    def step(name: str, command: list[str], **row) -> Run:
        print(f"  {name} ...", end="", flush=True)
        run = measure(command, project, log)
        print(f" {run.seconds:.2f} s ({run.cpu:.2f} s cpu), {run.peak_mb:.0f} MB")
        rows.append(Row(name, run, **row))
        return run

    make_cold(project)
    floor_out = workdir / f"floor-{products}"
    floor = measure([sys.executable, str(BENCHMARKS / "floor.py"), str(project), "--out", str(floor_out), *[f"--channel={c}" for c in covered]], project, log)
    print(f"  floor ({', '.join(covered)}): {floor.seconds:.2f} s ({floor.cpu:.2f} s cpu), {floor.peak_mb:.0f} MB")
    step(f"cold build: {', '.join(covered)}", [*pim, "build", *only], floor_name="floor script", floor_seconds=floor.seconds, floor_cpu=floor.cpu, target="<= 1.5x")
    rows.append(Row("floor script (same channels)", floor))
    same, differences, files, size = compare_trees(project / "feeds", floor_out, covered)
    match = f"floor bytes == pim bytes for {', '.join(covered)}: {'yes' if same else 'NO'} ({files:,} files, {size / 2**20:,.1f} MB)"
    print(f"  {match}" + "".join(f"\n    {d}" for d in differences))
    if not args.keep:
        shutil.rmtree(floor_out, ignore_errors=True)

    # --floor-channels-only: every later build is of the floor's channels too (at 100,000 products the
    # PDF catalog alone would need far more memory than this machine has: 9.4 GB at 10,000).
    every = only if args.floor_channels_only else []
    scope = f"{', '.join(covered)}" if args.floor_channels_only else "all channels"
    make_cold(project)
    step(f"cold build: {scope}", [*pim, "build", *every], target="(no floor)")
    copy_to = workdir / f"copy-{products}"
    shutil.rmtree(copy_to, ignore_errors=True)
    copy = measure(["cp", "-r", str(project / "feeds"), str(copy_to)], project, log)
    files, size = tree_size(copy_to)
    rows.append(Row(f"copy feeds/ ({files:,} files, {size / 2**20:,.0f} MB)", copy))
    if not args.keep:
        shutil.rmtree(copy_to, ignore_errors=True)

    warm = step(f"warm build ({scope}), nothing changed", [*pim, "build", *every], target="(diff's floor)")
    paths = product_files(project)
    change_price(paths[len(paths) // 2])
    step(f"rebuild ({scope}) after a one-product edit", [*pim, "build", *every], floor_name="copy feeds/", floor_seconds=copy.seconds, floor_cpu=copy.cpu, target="<= 2x")

    measure([*pim, "validate"], project, log)  # the first run warms whatever pim caches
    step("warm validate (second run)", [*pim, "validate"], floor_name="target 2 s", floor_seconds=2.0, target="<= 1x")

    if not args.no_diff:
        git(project, "commit", "-q", "-am", "one product's price")
        for path in paths[:: max(1, len(paths) // 10)][:10]:
            change_price(path)
        git(project, "commit", "-q", "-am", "ten products' prices")
        step(f"diff ({scope}) of a 10-product change", [*pim, "diff", "HEAD~1", "HEAD", *every], floor_name="warm build", floor_seconds=warm.seconds, floor_cpu=warm.cpu, target="<= 2x")
    rows.append(Row(match, None))
    print(f"  load average after: {os.getloadavg()[0]:.2f}; log: {log}")
    return rows


# ------------------------------------------------------------------ reporting


def table(results: dict[int, list[Row]]) -> str:
    lines = ["| products | step | seconds | cpu s | peak RSS MB | tree RSS MB | tree PSS MB | floor | floor s | ratio | cpu ratio | target |", "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"]
    for products, rows in results.items():
        for row in rows:
            if row.run is None:
                lines.append(f"| {products:,} | {row.step} | | | | | | | | | | |")
                continue
            ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
            cpu_ratio = f"{row.cpu_ratio:.2f}x" if row.cpu_ratio is not None else ""
            floor = f"{row.floor_seconds:.2f}" if row.floor_seconds else ""
            lines.append(f"| {products:,} | {row.step} | {row.run.seconds:.2f} | {row.run.cpu:.2f} | {row.run.peak_mb:,.0f} | {row.run.tree_mb:,.0f} | {row.run.tree_pss_mb:,.0f} | {row.floor_name} | {floor} | {ratio} | {cpu_ratio} | {row.target} |")
    pim_runs = [r.run for rows in results.values() for r in rows if r.run and not r.step.startswith(("floor", "copy"))]
    peak, pss = max((run.tree_mb for run in pim_runs), default=0), max((run.tree_pss_mb for run in pim_runs), default=0)
    lines.append(f"\nLargest pim process tree: {peak:,.0f} MB RSS summed, {pss:,.0f} MB PSS summed (target <= 1,536 MB).")
    return "\n".join(lines)


def scaling(results: dict[int, list[Row]]) -> str:
    """Each step's time at the largest size over the smallest, beside the ratio of sizes (linear)."""
    sizes = sorted(results)
    if len(sizes) < 2:
        return ""
    small, large = sizes[0], sizes[-1]
    lines = [f"| step | {small:,} s | {large:,} s | time ratio | cpu ratio | linear would be |", "|---|---:|---:|---:|---:|---:|"]
    for before, after in zip(results[small], results[large]):
        if before.run and after.run:
            name = re.sub(r" \(.*", "", before.step)
            lines.append(f"| {name} | {before.run.seconds:.2f} | {after.run.seconds:.2f} | {after.run.seconds / before.run.seconds:.1f} | {after.run.cpu / max(before.run.cpu, 1e-9):.1f} | {large / small:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=[10_000, 100_000], help="Catalog sizes (default: 10000 100000).")
    parser.add_argument("--workdir", type=Path, default=Path("/work/bench"), help="Where generated projects and outputs go.")
    parser.add_argument("--channels", nargs="+", choices=FLOOR_CHANNELS, help="The floor's channels to compare (default: all it covers).")
    parser.add_argument("--seed", type=int, default=7, help="The generator's seed.")
    parser.add_argument("--revision", help="Measure pim and the demo as committed at this revision (e.g. HEAD) instead of the working tree.")
    parser.add_argument("--floor-channels-only", action="store_true", help="Build only the floor's channels in every step (no PDF: for 100,000 products).")
    parser.add_argument("--no-diff", action="store_true", help="Leave out the diff step (it renders both sides in full).")
    parser.add_argument("--keep", action="store_true", help="Keep the floor's output and the copy of feeds/ for inspection.")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    global SOURCE
    SOURCE = snapshot_source(args.workdir, args.revision)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, env=READ_ONLY_GIT, capture_output=True, text=True).stdout.strip()
    measured = f"commit {args.revision}" if args.revision else f"the working tree (HEAD {head or '?'} plus uncommitted changes)"
    print(f"pim and the demo from {measured}, copied to {SOURCE}; {os.cpu_count()} cores, python {sys.version.split()[0]}")
    results = {products: bench_size(products, args) for products in args.products}
    print("\n" + table(results))
    if scale := scaling(results):
        print("\n" + scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
