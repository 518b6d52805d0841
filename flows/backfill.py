"""Backfill from a folder of seed-format files, built for volume.

Files go in chunks of ``[backfill] batch``: those whose key is stored already are recognised by name and not
read again (a re-run resumes where the last one stopped); the rest are read and analysed (seed format, text hash,
MinHash, tracked items) in a pool of worker processes, one CPU fewer than the machine has, while the main process
stores the previous chunk in one transaction. A small folder (the five seeds) is read in-process: a pool costs more
to start than it saves.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from importlib import resources
from multiprocessing import get_context, parent_process
from multiprocessing.connection import wait
from pathlib import Path

from cpec_watch.flows.pipeline import Pipeline
from cpec_watch.flows.report import FeedReport
from cpec_watch.models import Article, Outcome
from cpec_watch.parsers import dedup, seedformat
from cpec_watch.parsers.items import Catalogue
from cpec_watch.parsers.status import item_updates
from cpec_watch.storage.bulk import Prepared, store_batch, stored_keys
from cpec_watch.storage.db import session

POOL_FROM = 200  # files to read before a pool of processes pays for its start-up
SLICE = 25  # files a worker reads per task
Progress = Callable[[int], None]  # called with the number of files handled in a chunk
_catalogue: Catalogue | None = None  # a worker process's catalogue, set once by its initializer


def prepare_file(path: Path, source: str, catalogue: Catalogue) -> Prepared | Outcome:
    """Read one seed-format file and analyse it; SKIPPED for a misnamed or empty file, FAILED for an unreadable one."""
    parts = seedformat.split_archive_name(path.name)
    if parts is None:
        return Outcome.SKIPPED
    try:
        seed = seedformat.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return Outcome.FAILED
    if not seed.paragraphs:
        return Outcome.SKIPPED
    url = f"urn:cpec-watch:{source}:{path.stem}"
    article = Article(url, url, source, seed.title, seed.published, seed.paragraphs)
    return Prepared(
        article,
        parts[1],
        dedup.content_hash(article.text),
        dedup.fingerprint(article.text),
        tuple(item_updates(seed.title, seed.paragraphs, catalogue)),
        archive_source=path,
    )


def import_folder(
    pipe: Pipeline,
    folder: Path,
    source: str = "archive",
    *,
    names: tuple[str, str] | None = None,
    progress: Progress | None = None,
) -> FeedReport:
    """Backfill from ``folder``'s ``*.txt`` files (those named from ``names[0]`` to ``names[1]``, when given),
    keeping each file's name and bytes in the archive.

    Files not named ``NNN_<16 hex>.txt`` or without text are skipped; unreadable ones count as failed.
    Each batch is stored whole or not at all; a stop is honoured between batches.
    """
    paths = [p for p in sorted(folder.glob("*.txt")) if names is None or names[0] <= p.name <= names[1]]
    report = FeedReport(str(folder), source, feed=False)
    batch = pipe.settings.backfill.batch
    chunks = [paths[i : i + batch] for i in range(0, len(paths), batch)]
    crowded: set[str] = set()  # boilerplate bands, found once for the whole folder
    with _reader(pipe, source, len(paths)) as read:
        pending = read(_unstored(pipe, chunks[0])) if chunks else None
        for number, chunk in enumerate(chunks):
            if pipe.stop.requested() or pending is None:
                return replace(report, interrupted=True)
            results = pending()
            following = chunks[number + 1] if number + 1 < len(chunks) else None
            pending = read(_unstored(pipe, following)) if following else None  # read ahead while this one stores
            report = _store(pipe, report, results, len(chunk) - len(results), crowded)
            if progress:
                progress(len(chunk))
    return report


def folder_chunks(folder: Path, size: int) -> list[tuple[str, str]]:
    """The folder's files in runs of ``size``, each as (first name, last name): a backfill's units of work."""
    names = sorted(p.name for p in folder.glob("*.txt"))
    return [(names[i], names[min(i + size, len(names)) - 1]) for i in range(0, len(names), size)]


def count_stored(pipe: Pipeline, folder: Path) -> int:
    """How many of the keys in the folder's file names are stored."""
    keys = [parts[1] for path in folder.glob("*.txt") if (parts := seedformat.split_archive_name(path.name))]
    with session(pipe.engine) as sess:
        return len(stored_keys(sess, keys))


def _store(
    pipe: Pipeline, report: FeedReport, results: list[Prepared | Outcome], seen: int, crowded: set[str]
) -> FeedReport:
    prepared = [r for r in results if isinstance(r, Prepared)]
    counts = dict(report.counts)
    for outcome in [r for r in results if not isinstance(r, Prepared)] + [Outcome.SEEN] * seen:
        counts[outcome] = counts.get(outcome, 0) + 1
    if prepared:
        with session(pipe.engine) as sess:
            for stored in store_batch(sess, prepared, pipe.settings.archive, crowded):
                counts[stored.outcome] = counts.get(stored.outcome, 0) + 1
    return replace(report, counts=counts)


def _unstored(pipe: Pipeline, paths: list[Path]) -> list[Path]:
    """The files whose key (from the name) is not stored yet: what is left to read."""
    keys = {path: parts[1] for path in paths if (parts := seedformat.split_archive_name(path.name))}
    with session(pipe.engine) as sess:
        done = stored_keys(sess, list(keys.values()))
    return [path for path in paths if path not in keys or keys[path] not in done]


Reader = Callable[[list[Path]], Callable[[], list[Prepared | Outcome]]]  # submit files; get their results later


@contextmanager
def _reader(pipe: Pipeline, source: str, files: int) -> Iterator[Reader]:
    """Reads and analyses files: in a pool of worker processes for a large folder, in this process for a small one."""
    workers = pipe.settings.backfill.workers or _cpus() - 1  # this process stores: a CPU of its own
    if files < POOL_FROM or workers < 1:
        yield lambda paths: partial(_prepare_all, paths, source, pipe.catalogue)
        return
    pool = ProcessPoolExecutor(workers, get_context("spawn"), initializer=_start_worker, initargs=(pipe.catalogue,))

    def submit(paths: list[Path]) -> Callable[[], list[Prepared | Outcome]]:
        with _stop_signals_held():  # a submit may start a worker: it is born deaf to them
            slices = [
                pool.submit(_prepare_in_worker, paths[i : i + SLICE], source) for i in range(0, len(paths), SLICE)
            ]
        return lambda: [result for future in slices for result in future.result()]

    try:
        yield submit
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back (blocked, not lost: delivered on leaving) while worker processes start. A worker
    inherits the mask through fork and exec, so a Ctrl-C or a SIGTERM sent to the whole process group (a terminal,
    systemd) is the main process's alone even while a worker is still starting up, before its initializer runs."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system reports one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def _prepare_all(paths: list[Path], source: str, catalogue: Catalogue) -> list[Prepared | Outcome]:
    return [prepare_file(path, source, catalogue) for path in paths]


def _start_worker(catalogue: Catalogue) -> None:
    global _catalogue
    for signum in (signal.SIGINT, signal.SIGTERM):  # the main process's to handle (it stops the pool)
        signal.signal(signum, signal.SIG_IGN)
    _catalogue = catalogue
    parent = parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), name="parent-watch", daemon=True).start()


def _exit_with(parent_sentinel: int) -> None:
    """Exit as soon as the main process has gone, however it went (a second Ctrl-C exits it at once, without
    shutting the pool down): a worker left behind would wait on its task queue forever, holding the resource
    tracker and whatever pipes the backfill's output goes to."""
    wait([parent_sentinel])
    os._exit(1)


def _prepare_in_worker(paths: list[Path], source: str) -> list[Prepared | Outcome]:
    assert _catalogue is not None, "worker started without its catalogue"
    return _prepare_all(paths, source, _catalogue)


def import_seeds(pipe: Pipeline) -> int:
    """Import the shipped seeds (idempotent), so the store is never empty; returns how many were new."""
    with resources.as_file(resources.files("cpec_watch.seeds")) as folder:
        return import_folder(pipe, folder, "seed").stored
