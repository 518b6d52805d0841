"""The time and memory of a monitoring pass over local feeds (``cpec_watch.flows.runs.monitor_pass``, no Prefect).

Variants, interleaved in every repetition (order rotated), each on a fresh fixture server and a fresh temp DB:

- ``fixtures``: the 8 fixture feeds that work (tests/fixtures/web/feeds/), ``[fetch] retries = 0``;
- ``quirks``: the same plus the slow, huge, endless, flaky, rate-limited, failing and not-a-feed ones;
- ``scale``: one synthetic feed of ``--entries`` distinct CPEC stories with a page each, served from a temp folder.

Per variant: first pass (fetch + extract + store, seeds imported into the empty store), then a second pass over
the unchanged feeds (expected: only conditional feed requests answered 304, no page fetched; checked with the
server's request log, which also shows any page requested twice within one pass). For ``fixtures`` also the CLI
as a subprocess (wall time including interpreter start, peak RSS from wait4): ``cpec-watch run --feeds FILE
--json`` on a fresh DB and again on the now-populated one, and ``cpec-watch articles --json``. After the
repetitions: one CLI first pass of ``scale`` (its peak RSS) and one untimed in-process ``fixtures`` first pass
under tracemalloc (Python heap peak).

    .venv/bin/python bench/pipeline_bench.py [--repeat 3] [--entries 300]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedup_bench import synthetic_story  # noqa: E402

from cpec_watch.config.settings import Settings, load_settings  # noqa: E402
from cpec_watch.flows.report import RunSummary  # noqa: E402
from cpec_watch.flows.runs import monitor_pass  # noqa: E402
from tests.support.webserver import FixtureServer, serve_fixtures  # noqa: E402

WORKING = (
    ("app.atom", "APP"),
    ("bing.xml", "Bing News"),
    ("dawn.xml", "Dawn"),
    ("tribune.xml", "The Tribune"),
    ("urdupoint.rdf", "UrduPoint"),
    ("mislabeled-charset.xml", "Karakoram Post"),
    ("windows-1252.xml", "Peshawar Chronicle"),
    ("malformed.xml", "Gilgit Times"),
)
QUIRKY = (
    ("slow.xml", "Frontier Ledger"),
    ("huge.xml", "Huge"),
    ("endless.xml", "Endless"),
    ("flaky.xml", "Business Recorder"),
    ("rate-limited.xml", "Pakistan Observer"),
    ("down.xml", "Down"),
    ("blocked.xml", "Blocked"),
    ("not-a-feed.xml", "Daily Mercantile"),
)
CONFIG = "[fetch]\nretries = 0\n"


@dataclass(frozen=True)
class Variant:
    name: str
    root: Path | None  # served folder (None: the fixture corpus)
    feeds: tuple[tuple[str, str], ...]  # (path under /feeds/ or absolute path, name)


def write_scale_corpus(folder: Path, entries: int, seed: int = 11) -> None:
    """A feed of ``entries`` synthetic stories at /scale/feed.xml, each linking its own page."""
    rng = random.Random(seed)
    pages, items = folder / "scale", []
    pages.mkdir(parents=True)
    for i in range(entries):
        title, published, paragraphs = synthetic_story(rng, i)
        body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        (pages / f"story-{i:04d}.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - Corridor Daily'
            f'</title></head><body><nav><a href="/">Home</a> <a href="#">Business</a></nav><article>'
            f'<h1>{escape(title)}</h1><p class="byline">By our correspondent</p>{body}</article>'
            f"<footer>&copy; 2025 Corridor Daily</footer></body></html>",
            encoding="utf-8",
        )
        items.append(
            f"<item><title>{escape(title)}</title><link>{{{{BASE}}}}/scale/story-{i:04d}.html</link>"
            f'<guid isPermaLink="false">scale-{i}</guid>'
            f"<pubDate>{published:%a, %d %b %Y} 09:00:00 +0500</pubDate>"
            f"<description>{escape(paragraphs[0][:240])}</description></item>"
        )
    (pages / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Corridor Daily</title>'
        "<link>{{BASE}}/scale/</link><description>Synthetic CPEC stories</description>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n",
        encoding="utf-8",
    )


def feed_list(server: FixtureServer, variant: Variant) -> str:
    return "".join(
        f'[[feeds]]\nurl = "{server.url(path if path.startswith("/") else "/feeds/" + path)}"\nname = "{name}"\n\n'
        for path, name in variant.feeds
    )


def request_counts(server: FixtureServer) -> tuple[int, int, int]:
    """(feed requests, of which conditional, page requests) since the last reset."""
    feeds = [r for r in server.requests if r.path.startswith("/feeds/") or r.path.startswith("/scale/feed.xml")]
    conditional = sum(1 for r in feeds if "if-none-match" in r.headers or "if-modified-since" in r.headers)
    return len(feeds), conditional, len(server.requests) - len(feeds)


def repeated_pages(server: FixtureServer) -> tuple[str, ...]:
    """Page paths requested more than once since the last reset (a link fetched twice in one pass)."""
    pages = [r.path for r in server.requests if not (r.path.startswith("/feeds/") or r.path == "/scale/feed.xml")]
    return tuple(sorted({p for p in pages if pages.count(p) > 1}))


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in KiB (wait4) and stdout of one ``cpec-watch`` command."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "cpec-watch"), *args], stdout=out, stderr=subprocess.PIPE, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        out.seek(0)
        text = out.read().decode()
    if proc.returncode not in (0, 3):  # 3: the run completed with failed feeds (the quirky ones fail on purpose)
        raise RuntimeError(f"cpec-watch {' '.join(args)} exited {proc.returncode}: {err.strip()[-500:]}")
    return elapsed, usage.ru_maxrss, text


LOOPBACK = {"CPEC_WATCH_ALLOW_PRIVATE_NETWORKS": "1"}  # the network guard refuses 127.0.0.1 otherwise


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPEC_WATCH_", "PREFECT_API_URL"))}
    return env | LOOPBACK | {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def one_repetition(variant: Variant, record: Callable[[str, str, object], None], cli: bool) -> None:
    """Both passes of one variant on a fresh server and DB (plus the CLI commands when ``cli``)."""
    with serve_fixtures(root=variant.root) as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        feeds, settings = prepare(server, variant, work)
        for label in ("first pass", "second pass"):
            server.reset_log()
            start = time.perf_counter()
            summary = monitor_pass(settings, feeds_file=feeds)
            record(variant.name, label, time.perf_counter() - start)
            counts = request_counts(server)
            record(variant.name, f"{label} requests", counts)
            record(variant.name, f"{label} repeated pages", repeated_pages(server))
            record(variant.name, f"{label} outcome", outcome(summary))
        if not cli:
            return
        env = cli_env()
        fresh = (f"sqlite:///{work}/b.db", work / "b-articles")
        for label, (db, archive) in (
            ("CLI run, fresh DB", fresh),
            ("CLI run, second pass", (settings.db, settings.archive)),
        ):
            server.reset_log()
            args = [
                "--db",
                db,
                "--archive",
                str(archive),
                "--config",
                str(settings.config),
                "run",
                "--feeds",
                str(feeds),
                "--json",
            ]
            wall, rss, text = run_cli(args, env)
            record(variant.name, label, wall)
            record(variant.name, f"{label} rss", rss)
            record(variant.name, f"{label} requests", request_counts(server))
            record(variant.name, f"{label} repeated pages", repeated_pages(server))
            record(variant.name, f"{label} outcome", json_outcome(json.loads(text)))
        wall, rss, text = run_cli(["--db", settings.db, "articles", "--json"], env)
        record(variant.name, "CLI articles --json", wall)
        record(variant.name, "CLI articles --json rss", rss)
        record(variant.name, "CLI articles --json outcome", f"{len(json.loads(text))} articles")


def outcome(summary: RunSummary) -> str:
    return json_outcome(summary.to_json())


def json_outcome(data: dict) -> str:
    statuses: dict[str, int] = {}
    for source in data["sources"]:
        statuses[str(source["status"])] = statuses.get(str(source["status"]), 0) + 1
    status_text = ", ".join(f"{n}x{code}" for code, n in sorted(statuses.items()))
    return (
        f"new {data['new']}, dup {data['duplicates']}, seen {data['already_seen']}, irrelevant "
        f"{data['irrelevant']}, failed pages {data['failed_pages']}, seeds {data['seeds_imported']}; "
        f"feeds {status_text}"
    )


def heap_peak(variant: Variant) -> float:
    """Python heap peak (MiB, tracemalloc) of one first pass; not timed."""
    with serve_fixtures(root=variant.root) as server, tempfile.TemporaryDirectory() as tmp:
        feeds, settings = prepare(server, variant, Path(tmp))
        tracemalloc.start()
        monitor_pass(settings, feeds_file=feeds)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


def cli_first_pass(variant: Variant, record: Callable[[str, str, object], None]) -> None:
    """One ``cpec-watch run`` on a fresh DB: wall time and peak RSS of the whole process."""
    with serve_fixtures(root=variant.root) as server, tempfile.TemporaryDirectory() as tmp:
        feeds, settings = prepare(server, variant, Path(tmp))
        args = [
            "--db",
            settings.db,
            "--archive",
            str(settings.archive),
            "--config",
            str(settings.config),
            "run",
            "--feeds",
            str(feeds),
            "--json",
        ]
        wall, rss, text = run_cli(args, cli_env())
        record(variant.name, "CLI run, fresh DB", wall)
        record(variant.name, "CLI run, fresh DB rss", rss)
        record(variant.name, "CLI run, fresh DB requests", request_counts(server))
        record(variant.name, "CLI run, fresh DB repeated pages", repeated_pages(server))
        record(variant.name, "CLI run, fresh DB outcome", json_outcome(json.loads(text)))


def prepare(server: FixtureServer, variant: Variant, work: Path) -> tuple[Path, Settings]:
    """Write the feed list and config into ``work``; settings for a fresh DB there."""
    (work / "feeds.toml").write_text(feed_list(server, variant), encoding="utf-8")
    (work / "config.toml").write_text(CONFIG, encoding="utf-8")
    settings = load_settings(db=f"sqlite:///{work}/a.db", archive=work / "articles", config=work / "config.toml")
    return work / "feeds.toml", settings


def main() -> None:
    os.environ.update(LOOPBACK)  # the in-process passes read it through Settings
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--entries", type=int, default=300, help="stories in the synthetic scale feed")
    args = parser.parse_args()
    logging.getLogger("cpec_watch").setLevel(logging.ERROR)  # failing quirky feeds are expected
    results: dict[tuple[str, str], list] = {}
    record = lambda name, label, value: results.setdefault((name, label), []).append(value)  # noqa: E731
    with tempfile.TemporaryDirectory() as corpus:
        write_scale_corpus(Path(corpus), args.entries)
        variants = [
            Variant("fixtures", None, WORKING),
            Variant("quirks", None, WORKING + QUIRKY),
            Variant(f"scale {args.entries}", Path(corpus), (("/scale/feed.xml", "Corridor Daily"),)),
        ]
        for rep in range(args.repeat):
            for variant in variants[rep % 3 :] + variants[: rep % 3]:
                one_repetition(variant, record, cli=variant.name == "fixtures")
            print(f"repetition {rep + 1}/{args.repeat} done", file=sys.stderr)
        cli_first_pass(variants[2], record)
        peak = heap_peak(variants[0])
    report(results, peak, args.repeat)


def report(results: dict[tuple[str, str], list], peak: float, repeat: int) -> None:
    print(f"Monitoring pass over local feeds: median (min-max) of {repeat} runs, fresh server and DB each\n")
    print(
        "| variant | measure | median s | min-max s | peak RSS MiB | requests: feeds (conditional), pages | "
        "outcome (last run) |"
    )
    print("|---|---|---|---|---|---|---|")
    for (name, label), values in results.items():
        if not isinstance(values[0], float) or label.endswith(" rss"):
            continue
        rss = results.get((name, f"{label} rss"))
        rss_text = f"{statistics.median(rss) / 1024:.0f}" if rss else "-"
        reqs = results.get((name, f"{label} requests"))
        req_text = "; ".join(sorted({f"{f} ({c}), {p}" for f, c, p in reqs})) if reqs else "-"
        last = results.get((name, f"{label} outcome"), ["-"])[-1]
        print(
            f"| {name} | {label} | {statistics.median(values):.3f} | {min(values):.3f}-{max(values):.3f} | "
            f"{rss_text} | {req_text} | {last} |"
        )
    print("\nRatios of medians:")
    for name in dict.fromkeys(n for n, _ in results):
        first, second = results.get((name, "first pass")), results.get((name, "second pass"))
        if first and second:
            print(f"- {name}: second pass / first pass = {statistics.median(second) / statistics.median(first):.2f}")
    for name, values in results.items():
        if name[0].startswith("scale") and name[1] == "first pass":
            entries = int(name[0].split()[1])
            print(f"- {name[0]}: first pass {statistics.median(values) / entries * 1000:.1f} ms per entry")
    cli, inproc = results.get(("fixtures", "CLI run, second pass")), results.get(("fixtures", "second pass"))
    if cli and inproc:
        print(
            f"- fixtures: CLI second pass / in-process second pass = "
            f"{statistics.median(cli) / statistics.median(inproc):.1f}"
        )
    print(f"\nPython heap peak of one fixtures first pass in-process (tracemalloc): {peak:.1f} MiB")
    print("\nPages requested more than once within one pass (server request log):")
    for (name, label), runs in results.items():
        if label.endswith(" repeated pages"):
            twice = sorted({p for paths in runs for p in paths})
            print(
                f"- {name}, {label.removesuffix(' repeated pages')}: in {sum(1 for paths in runs if paths)} of "
                f"{len(runs)} runs{': ' + ', '.join(twice) if twice else ''}"
            )
    refetched = [
        (key, reqs)
        for key, reqs in results.items()
        if key[1].endswith("second pass requests") and any(p for _f, _c, p in reqs)
    ]
    for (name, label), reqs in refetched:
        print(f"WARNING: {name}: {label}: pages fetched on the second pass: {[p for _f, _c, p in reqs]}")


if __name__ == "__main__":
    main()
