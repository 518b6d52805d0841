"""Cold ingest and warm re-poll of a loopback newsroom by the ``cpec-watch`` CLI (a subprocess, no Prefect).

Each repetition, on a fresh SQLite store and archive: ``cpec-watch run --feeds FILE --json`` over ``--feeds``
feeds of ``--articles`` entries each, every page a distinct CPEC story padded to 50-150 KB of menus, scripts,
styles and comments (``soak.Site`` with ``page_kb``); config ``import_seeds = false``, ``[fetch] retries = 0``,
``CPEC_WATCH_ALLOW_PRIVATE_NETWORKS=1``. When ``--warm-feeds`` is larger, an untimed run over that many feeds
stores the extra ones; then a timed warm re-poll of the ``--warm-feeds`` unchanged feeds on the same store
(expected: conditional feed requests answered 304, no page fetched). Wall time includes interpreter start; peak
RSS is the subprocess's (``wait4``); requests and bytes are what the server logged.

    .venv/bin/python bench/newsroom_bench.py [--feeds 40] [--articles 25] [--warm-feeds 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline_bench import cli_env, json_outcome, run_cli  # noqa: E402
from soak import Served, Site  # noqa: E402

CONFIG = "import_seeds = false\n[fetch]\nretries = 0\n"
PAGE_KB = (50, 145)  # a page ends up to ~5 KB over its drawn size


@dataclass(frozen=True)
class Pass:
    """One timed ``cpec-watch run``: wall seconds, peak RSS KiB, its JSON summary and what the server sent."""

    wall: float
    rss: int
    summary: dict
    served: tuple[Served, ...]

    def requests(self) -> str:
        """Feed requests (of which conditional), page requests, as the table shows them."""
        feeds = [s for s in self.served if s.kind == "feed"]
        pages = len(self.served) - len(feeds)
        return f"{len(feeds)} ({sum(s.conditional for s in feeds)}), {pages}"


def timed_run(site: Site, work: Path, feeds_file: Path) -> Pass:
    """Run the CLI once over ``feeds_file`` on the store in ``work``; the server log is cleared first."""
    args = ["--config", str(work / "config.toml"), "--db", f"sqlite:///{work}/n.db", "--archive", str(work / "a")]
    site.log.clear()
    wall, rss, text = run_cli([*args, "run", "--feeds", str(feeds_file), "--json"], cli_env())
    return Pass(wall, rss, json.loads(text), tuple(site.log))


def one_repetition(site: Site, feeds: int, warm_feeds: int) -> tuple[Pass, Pass]:
    """Cold ingest and warm re-poll on a fresh store."""
    base = f"http://127.0.0.1:{site.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "config.toml").write_text(CONFIG, encoding="utf-8")
        for name, n in (("cold.toml", feeds), ("warm.toml", warm_feeds)):
            (work / name).write_text(
                "".join(f'[[feeds]]\nurl = "{base}/feed/{i}.xml"\nname = "Newsroom {i}"\n' for i in range(n)),
                encoding="utf-8",
            )
        cold = timed_run(site, work, work / "cold.toml")
        if warm_feeds > feeds:
            timed_run(site, work, work / "warm.toml")  # stores the extra feeds; not reported
        return cold, timed_run(site, work, work / "warm.toml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=40, help="feeds of the cold ingest")
    parser.add_argument("--articles", type=int, default=25, help="entries (pages) per feed")
    parser.add_argument("--warm-feeds", type=int, default=50, help="unchanged feeds of the warm re-poll")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    site = Site(args.articles, PAGE_KB)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    passes = []
    for rep in range(args.repeat):
        passes.append(one_repetition(site, args.feeds, args.warm_feeds))
        print(f"repetition {rep + 1}/{args.repeat} done", file=sys.stderr)
    site.shutdown()
    report(passes, args)


def spread(values: list[float], digits: int) -> tuple[str, str]:
    """Median and "min-max" of ``values``, formatted."""
    return f"{statistics.median(values):.{digits}f}", f"{min(values):.{digits}f}-{max(values):.{digits}f}"


def report(passes: list[tuple[Pass, Pass]], args: argparse.Namespace) -> None:
    """The header line, the table, and a WARNING per repetition that stored too little or fetched a page."""
    pages = sorted(s.size for cold, _ in passes for s in cold.served if s.kind == "page")
    print(
        f"Loopback newsroom through `cpec-watch run --feeds FILE --json` (subprocess; import_seeds = false, "
        f"retries = 0, other [fetch] defaults; every feed on one host, 127.0.0.1): cold ingest of {args.feeds} "
        f"feeds x {args.articles} articles (pages {pages[0] / 1024:.0f}-{pages[-1] / 1024:.0f} KB, median "
        f"{statistics.median(pages) / 1024:.0f} KB), then a warm re-poll of {args.warm_feeds} unchanged feeds on "
        f"the same store; median (min-max) of {args.repeat} repetitions, fresh store each\n"
    )
    print(
        "| pass | wall s | min-max s | articles/s (min-max) | peak RSS MiB (min-max) | requests: feeds "
        "(conditional), pages | body KB served | summary (last run) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, runs in (("cold ingest", [c for c, _ in passes]), ("warm re-poll", [w for _, w in passes])):
        wall, wall_range = spread([r.wall for r in runs], 3)
        rate = " (".join(spread([r.summary["new"] / r.wall for r in runs], 1)) + ")" if label == "cold ingest" else "-"
        rss, rss_range = spread([r.rss / 1024 for r in runs], 0)
        served, _ = spread([sum(s.size for s in r.served) / 1024 for r in runs], 0)
        requests = "; ".join(sorted({r.requests() for r in runs}))
        print(
            f"| {label} | {wall} | {wall_range} | {rate} | {rss} ({rss_range}) | {requests} | "
            f"{served} | {json_outcome(runs[-1].summary)} |"
        )
    expected = args.feeds * args.articles
    for cold, warm in passes:
        if cold.summary["new"] != expected:
            print(f"WARNING: cold ingest stored {cold.summary['new']} of {expected} articles")
        fetched = sum(s.kind == "page" for s in warm.served)
        if fetched:
            print(f"WARNING: the warm re-poll fetched {fetched} page(s)")


if __name__ == "__main__":
    main()
