"""Wall time of the read-only ``cpec-watch`` commands on a store of the seeds plus ~1,000 backfilled articles.

The store (temp SQLite and archive) gets the shipped seeds and ``--feeds`` polled feeds (a monitoring pass over a
loopback ``soak.Site`` whose feeds have no entries, so ``feeds`` has rows to show), then ``cpec-watch backfill
--from-dir`` of ``--articles`` generated seed-format files (``dedup_bench.synthetic_story``). Then
``articles --json``, ``items --json``, ``timeline --json``, ``feeds --json`` and ``status`` run as subprocesses
(``PREFECT_API_URL`` unset), ``--runs`` times each, interleaved with the order rotated, next to ``python -c pass``
(the interpreter alone). Finally ``python -X importtime`` of ``cpec-watch items`` (3 runs, median per module): the
imports with the largest cumulative time, i.e. what bounds a command that reads a few rows.

    .venv/bin/python bench/readonly_bench.py [--runs 5] [--articles 1000] [--feeds 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
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
from pipeline_bench import LOOPBACK, cli_env, run_cli  # noqa: E402
from soak import Site  # noqa: E402

from cpec_watch.config.settings import load_settings  # noqa: E402
from cpec_watch.flows.runs import monitor_pass  # noqa: E402
from cpec_watch.models import SeedText  # noqa: E402
from cpec_watch.parsers.seedformat import archive_name, render  # noqa: E402

COMMANDS = (["articles", "--json"], ["items", "--json"], ["timeline", "--json"], ["feeds", "--json"], ["status"])
CLI = str(Path(sys.executable).parent / "cpec-watch")


def write_articles(folder: Path, count: int, seed: int = 5) -> None:
    """``count`` distinct synthetic CPEC stories as seed-format files named like archive files."""
    rng = random.Random(seed)
    folder.mkdir()
    for i in range(count):
        title, published, paragraphs = synthetic_story(rng, i)
        key = hashlib.sha256(f"generated-{i}".encode()).hexdigest()[:16]
        text = render(SeedText(published=published, title=title, paragraphs=paragraphs))
        (folder / archive_name(i, key)).write_text(text, encoding="utf-8")


def import_times(args: list[str], runs: int = 3) -> list[tuple[float, str]]:
    """(median cumulative ms, module with its nesting shown by indentation) of ``python -X importtime``."""
    samples: dict[str, list[int]] = {}
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", CLI, *args], capture_output=True, text=True, env=cli_env(), check=True
        ).stderr
        for line in err.splitlines():
            if line.startswith("import time:") and "cumulative" not in line:
                _self, cumulative, name = line.removeprefix("import time:").split("|")
                samples.setdefault(name.rstrip(), []).append(int(cumulative))
    return sorted(((statistics.median(us) / 1000, name) for name, us in samples.items()), reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--articles", type=int, default=1000, help="generated articles to backfill")
    parser.add_argument("--feeds", type=int, default=20, help="polled feeds (without entries) in the store")
    args = parser.parse_args()
    site = Site(0)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = ["--db", f"sqlite:///{work}/r.db", "--archive", str(work / "a")]
        base = f"http://127.0.0.1:{site.server_address[1]}"
        feeds = "".join(f'[[feeds]]\nurl = "{base}/feed/{i}.xml"\nname = "N{i}"\n' for i in range(args.feeds))
        (work / "feeds.toml").write_text(feeds, encoding="utf-8")
        os.environ.update(LOOPBACK)  # this process only; the CLI runs get cli_env()
        settings = load_settings(db=store[1], archive=work / "a")
        seeds = monitor_pass(settings, feeds_file=work / "feeds.toml").seeds_imported
        site.shutdown()
        write_articles(work / "generated", args.articles)
        backfill_s, _rss, text = run_cli(
            [*store, "backfill", "--from-dir", str(work / "generated"), "--json"], cli_env()
        )
        backfilled = json.loads(text)["sources"][0]["counts"]
        times: dict[str, list[float]] = {"python -c pass": []}
        times |= {" ".join(c): [] for c in COMMANDS}
        sizes: dict[str, int] = {}
        for run in range(args.runs):
            for command in COMMANDS[run % len(COMMANDS) :] + COMMANDS[: run % len(COMMANDS)]:
                wall, _rss, out = run_cli([*store, *command], cli_env())
                times[" ".join(command)].append(wall)
                sizes[" ".join(command)] = len(out)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            times["python -c pass"].append(time.perf_counter() - start)
        imports = import_times([*store, "items"])
    report(times, sizes, imports, args, seeds, backfilled, backfill_s)


def report(
    times: dict[str, list[float]],
    sizes: dict[str, int],
    imports: list[tuple[float, str]],
    args: argparse.Namespace,
    seeds: int,
    backfilled: dict[str, int],
    backfill_s: float,
) -> None:
    """The header line, the timing table and the import table."""
    counts = ", ".join(f"{outcome} {n}" for outcome, n in backfilled.items())
    print(
        f"Read-only `cpec-watch` commands as subprocesses on a SQLite store of {seeds} seeds, {args.feeds} polled "
        f"feeds and {args.articles} generated articles (backfill --from-dir: {counts}, {backfill_s:.1f} s); "
        f"{args.runs} runs each interleaved, order rotated; PREFECT_API_URL unset\n"
    )
    print("| command | median s | min-max s | stdout KB |\n|---|---|---|---|")
    for name, values in times.items():
        size = f"{sizes[name] / 1024:.1f}" if name in sizes else "-"
        print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f}-{max(values):.3f} | {size} |")
    print("\n`python -X importtime cpec-watch items`, median of 3: top 5 by cumulative time (indent = nesting)\n")
    print("| cumulative ms | module |\n|---|---|")
    for ms, name in imports[:5]:
        print(f"| {ms:.0f} | `{name}` |")
    third = [(ms, name) for ms, name in imports if name.strip() == name.strip().split(".")[0]]
    outside = [
        (ms, name.strip()) for ms, name in third if not name.strip().startswith(("cpec_watch", "encodings", "site"))
    ]
    print(
        "\nPackages (not submodules) by cumulative ms, those imported by another counted in both: "
        + ", ".join(f"{n} {ms:.0f}" for ms, n in outside[:8])
    )


if __name__ == "__main__":
    main()
