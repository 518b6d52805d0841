"""A monitoring pass and a backfill, as plain functions.

The Prefect flows (``flows/prefect_flows.py``) and the CLI both call these; they differ only
in how the per-feed work is fanned out (``Mapper``): Prefect tasks or a thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from cpec_watch.config.settings import ConfigError, Settings
from cpec_watch.flows.backfill import import_folder, import_seeds
from cpec_watch.flows.digests import digest_pass, report_json
from cpec_watch.flows.pipeline import Pipeline, ingest_urls, open_pipeline, poll_feed, repair
from cpec_watch.flows.report import FeedReport, RunSummary
from cpec_watch.flows.setup import feed_sources
from cpec_watch.flows.stopping import Stop
from cpec_watch.models import FeedSource
from cpec_watch.parsers.feedlist import load_feed_list

# Fans ``poll_feed`` out over the sources: (pipeline, sources, window) -> reports in order.
Mapper = Callable[[Pipeline, Sequence[FeedSource], "tuple[date, date] | None"], list[FeedReport]]


def thread_mapper(
    pipe: Pipeline,
    sources: Sequence[FeedSource],
    window: tuple[date, date] | None,
    progress: Callable[[FeedReport], None] | None = None,
) -> list[FeedReport]:
    """Poll feeds concurrently in a thread pool (the fetcher enforces the per-host limit).

    When a stop is requested it stops waiting: feeds still in flight are reported as interrupted and their
    threads are abandoned (the process exits without them; what they had committed stays committed).
    """

    def one(source: FeedSource) -> FeedReport:
        report = poll_feed(pipe, source, window=window)
        if progress:
            progress(report)
        return report

    pool = ThreadPoolExecutor(max_workers=max(1, pipe.settings.fetch.concurrency))
    futures = [pool.submit(one, source) for source in sources]
    pending = set(futures)
    while pending and not pipe.stop.requested():
        pending = wait(pending, timeout=0.1).not_done
    pool.shutdown(wait=not pending, cancel_futures=True)
    return [
        future.result() if future.done() and not future.cancelled() else FeedReport(s.url, s.name, interrupted=True)
        for future, s in zip(futures, sources, strict=True)
    ]


def monitor_pass(
    settings: Settings,
    mapper: Mapper = thread_mapper,
    *,
    feeds_file: Path | None = None,
    print_alerts: bool = False,
    stop: Stop | None = None,
) -> RunSummary:
    """One monitoring pass over every feed, then the "immediate" subscriptions' alerts.

    The seeds are imported first (once: they are recognised on later runs), and whatever a
    stopped run left undone (archive files, tracking) is finished.
    """
    sources = feed_sources(settings, feeds_file)
    with open_pipeline(settings, stop) as pipe:
        seeded = import_seeds(pipe) if settings.import_seeds else 0
        repair(pipe)
        reports = mapper(pipe, sources, None)
        stopped = pipe.stop.reason
    alerts = [] if stopped else digest_pass(settings, cadences=("immediate",), print_stdout=print_alerts)
    return RunSummary(
        "monitor", tuple(reports), seeds_imported=seeded, alerts=tuple(report_json(alerts)), interrupted=stopped
    )


def backfill_pass(
    settings: Settings,
    mapper: Mapper = thread_mapper,
    *,
    from_dir: Path | None = None,
    urls: Sequence[str] = (),
    feeds_file: Path | None = None,
    since: date | None = None,
    until: date | None = None,
    stop: Stop | None = None,
    on_files: Callable[[int], None] | None = None,
) -> RunSummary:
    """Backfill from a seed-format folder, a URL list, and/or feeds within a date window.

    ``on_files`` is told how many of the folder's files each finished batch held (a progress bar).
    """
    if from_dir is None and not urls and feeds_file is None:
        raise ConfigError("backfill needs --from-dir, --urls or --feeds")
    if from_dir is not None and not from_dir.is_dir():
        raise ConfigError(f"not a folder: {from_dir}")
    reports: list[FeedReport] = []
    with open_pipeline(settings, stop) as pipe:
        if from_dir is not None:
            reports.append(import_folder(pipe, from_dir, progress=on_files))
        if urls:
            reports.append(ingest_urls(pipe, urls))
        if feeds_file is not None:
            window = (since or date.min, until or date.max)
            reports += mapper(pipe, load_feed_list(feeds_file), window)
        stopped = pipe.stop.reason
    return RunSummary("backfill", tuple(reports), interrupted=stopped)


def chunk_pass(settings: Settings, folder: Path, first: str, last: str, stop: Stop | None = None) -> RunSummary:
    """Backfill the files of ``folder`` named from ``first`` to ``last``: one chunk of a folder backfill."""
    with open_pipeline(settings, stop) as pipe:
        report = import_folder(pipe, folder, names=(first, last))
        stopped = pipe.stop.reason
    return RunSummary("backfill", (report,), interrupted=stopped)


def read_url_list(path: Path) -> list[str]:
    """URLs from a text file: one per line, blank lines and # comments ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read URL list {path}: {exc}") from None
    urls = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    for url in urls:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if not url.startswith(("http://", "https://")) or not host:
            raise ConfigError(f"{path}: not an http(s) URL: {url}")
    return urls
