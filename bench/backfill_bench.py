"""Backfill at archive scale: folders of generated seed-format articles into an empty SQLite store.

For each size (``--sizes``, default 1,000, 10,000 and 100,000): the folder is written first (distinct synthetic CPEC
stories of ~300 words from ``dedup_bench.synthetic_story``, every 10th file another outlet's rewrite of an earlier
story), then
``cpec-watch backfill --from-dir`` runs as a subprocess while the resident memory of it and its worker processes
is sampled (summed) every 0.2 s. Reported: articles per second and peak RSS. Then, on the store that backfill
made, the cost of adding one more article through the monitor's path (``store_article``, story matching
included) over 60 new articles: the median ms per article at each size, and its ratio to the smallest size.
At the smallest size the backfill also runs with one worker process per CPU beside the default (one fewer: the
main process stores), for the ratio, and each stage of the work is timed alone in one process (what bounds the rate).

    .venv/bin/python bench/backfill_bench.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedup_bench import synthetic_story  # noqa: E402
from pipeline_bench import cli_env  # noqa: E402

from cpec_watch.flows.backfill import prepare_file  # noqa: E402
from cpec_watch.models import Article, SeedText  # noqa: E402
from cpec_watch.parsers import dedup, seedformat  # noqa: E402
from cpec_watch.parsers.items import load_catalogue  # noqa: E402
from cpec_watch.parsers.status import item_updates  # noqa: E402
from cpec_watch.parsers.urls import url_key  # noqa: E402
from cpec_watch.storage.articles import store_article  # noqa: E402
from cpec_watch.storage.bulk import Prepared, store_batch  # noqa: E402
from cpec_watch.storage.db import open_engine, session  # noqa: E402


def write_folder(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    earlier: list[tuple[str, ...]] = []
    for number in range(count):
        if number % 10 == 9 and earlier:
            paragraphs = list(rng.choice(earlier))
            rng.shuffle(paragraphs)
            title, day = None, None
            text = SeedText(day, title, tuple(paragraphs[1:] or paragraphs))
        else:
            title, day, paragraphs_t = synthetic_story(rng, number)
            earlier = [*earlier[-500:], paragraphs_t]
            text = SeedText(day, title, paragraphs_t)
        key = url_key(f"https://bench.example/{seed}/{number}")
        (folder / seedformat.archive_name(number, key)).write_text(seedformat.render(text), encoding="utf-8")


def tree_rss_kib(pid: int) -> int:
    """Resident KiB of a process and its children."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if entry.name == str(pid) or stat[1] == str(pid):
                total += int(stat[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_backfill(folder: Path, work: Path, workers: int | None) -> tuple[float, float, str]:
    """Seconds, peak MiB (process tree) and the summary line of one backfill into a fresh store."""
    config = work / "config.toml"
    config.write_text("import_seeds = false\n" + (f"[backfill]\nworkers = {workers}\n" if workers else ""))
    command = [
        str(Path(sys.executable).parent / "cpec-watch"),
        "--config", str(config),
        "--db", f"sqlite:///{work / 'store.db'}",
        "--archive", str(work / "archive"),
        "backfill", "--from-dir", str(folder),
    ]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(), text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kib(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"backfill exited {proc.returncode}: {err[-800:]}")
    return elapsed, peak / 1024, out.splitlines()[0]


def added_article_ms(work: Path, count: int = 60, seed: int = 99) -> float:
    """Median ms to store one more article (monitor path, story matching included) into the store in ``work``."""
    rng = random.Random(seed)
    engine = open_engine(f"sqlite:///{work / 'store.db'}")
    times = []
    with session(engine) as sess:
        for number in range(count):
            title, day, paragraphs = synthetic_story(rng, 1_000_000 + number)
            url = f"https://bench.example/added/{seed}/{number}"
            start = time.perf_counter()
            store_article(sess, Article(url, url, "bench", title, day, paragraphs), None)
            times.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(times) * 1000


def stage_ms(folder: Path, work: Path, count: int = 1000) -> dict[str, float]:
    """Where a backfill's time goes, per article, in one process: reading, MinHash, tracked items, storing."""
    paths = sorted(folder.glob("*.txt"))[:count]
    catalogue = load_catalogue()
    start = time.perf_counter()
    seeds = [seedformat.parse(p.read_text(encoding="utf-8")) for p in paths]
    read = time.perf_counter() - start
    start = time.perf_counter()
    for seed in seeds:
        dedup.fingerprint("\n\n".join(seed.paragraphs))
    minhash = time.perf_counter() - start
    start = time.perf_counter()
    for seed in seeds:
        item_updates(seed.title, seed.paragraphs, catalogue)
    items = time.perf_counter() - start
    prepared = [r for r in (prepare_file(p, "archive", catalogue) for p in paths) if isinstance(r, Prepared)]
    engine = open_engine(f"sqlite:///{work / 'stages.db'}")
    start = time.perf_counter()
    for first in range(0, len(prepared), 500):
        with session(engine) as sess:
            store_batch(sess, prepared[first : first + 500], work / "stages-archive")
    stored = time.perf_counter() - start
    engine.dispose()
    n = len(paths)
    return {
        "read and parse the file": read / n * 1000,
        "MinHash (192 permutations) and band keys": minhash / n * 1000,
        "tracked items and statuses": items / n * 1000,
        "store: candidates, story, article, bands, tracking (main process)": stored / n * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    args = parser.parse_args()
    rows, added = [], {}
    with tempfile.TemporaryDirectory(prefix="cpec-backfill-bench-") as tmp:
        for size in sorted(args.sizes):
            folder = Path(tmp) / f"files-{size}"
            write_folder(folder, size)
            if size == min(args.sizes):
                stages = stage_ms(folder, Path(tmp))
            cpus = os.cpu_count() or 1
            variants = [(f"default: {max(cpus - 1, 0)} worker(s) and the storing process", None)]
            if size == min(args.sizes):
                variants.append((f"workers = {cpus} (one per CPU)", cpus))
            for label, workers in variants:
                work = Path(tmp) / f"store-{size}-{workers or 0}"
                work.mkdir()
                seconds, peak, summary = run_backfill(folder, work, workers)
                rows.append((size, label, seconds, size / seconds, peak, summary))
                if workers is None:
                    added[size] = added_article_ms(work)
    print(f"{os.cpu_count()} cores, `cpec-watch backfill --from-dir` into an empty SQLite store, one run per row:\n")
    print("| files | variant | seconds | articles/s | peak RSS MiB (with workers) | summary |")
    print("|---|---|---|---|---|---|")
    for size, label, seconds, rate, peak, summary in rows:
        print(f"| {size:,} | {label} | {seconds:.1f} | {rate:,.0f} | {peak:.0f} | {summary} |")
    print("\nWhere the time goes: each stage over the first 1,000 files of the smallest folder, in one process:\n")
    print("| stage | ms per article |")
    print("|---|---|")
    for stage, ms in stages.items():
        print(f"| {stage} | {ms:.2f} |")
    print(f"| all (CPU time an article costs) | {sum(stages.values()):.2f} |")
    smallest = min(added)
    print("\nOne more article through the monitor's path (`store_article`, story matching included), median of 60:\n")
    print("| stored | ms per added article | ratio to the smallest store |")
    print("|---|---|---|")
    for size, ms in sorted(added.items()):
        print(f"| {size:,} | {ms:.2f} | {ms / added[smallest]:.2f} |")


if __name__ == "__main__":
    main()
