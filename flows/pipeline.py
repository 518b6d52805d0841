"""The one code path shared by the Prefect flows and the CLI.

Per feed: conditional request -> parse -> for each new, relevant entry fetch the page once
-> extract -> store (deduplicated) -> archive. Every function returns a typed report;
a failing feed or page is recorded, never raised.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlmodel import Session

from cpec_watch.clock import utcnow
from cpec_watch.config.settings import DEFAULT_DB, ConfigError, Settings
from cpec_watch.flows.fetch import AlreadyHave, Fetcher, FetchError, FetchResult
from cpec_watch.flows.guard import is_public
from cpec_watch.flows.logfields import log_event, log_feed
from cpec_watch.flows.report import FeedReport
from cpec_watch.flows.setup import user_catalogue
from cpec_watch.flows.stopping import Stop
from cpec_watch.models import Article, FeedEntry, FeedSource, Outcome, Update
from cpec_watch.parsers.article import extract_page
from cpec_watch.parsers.feed import parse_feed
from cpec_watch.parsers.fragment import fragment_paragraphs
from cpec_watch.parsers.items import Catalogue
from cpec_watch.parsers.relevance import DEFAULT_TERMS, RelevanceRules, is_about_cpec, screen
from cpec_watch.parsers.status import updates_finder
from cpec_watch.parsers.urls import canonical_url, is_undecodable_aggregator, unwrap_redirect, url_key
from cpec_watch.retry import RetryPolicy
from cpec_watch.storage.articles import (
    entries_to_retry,
    is_new_entry,
    record_entry,
    store_article,
    write_missing_archive_files,
)
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.feeds import feed_id, record_feed_error, record_feed_success, resting_until, validators
from cpec_watch.storage.tracking import track_article, track_untracked

READ = frozenset({Outcome.STORED, Outcome.DUPLICATE, Outcome.IRRELEVANT, Outcome.FAILED})  # a page was fetched
READ_UNDECIDED = "read_undecided"  # counted besides the outcome: an entry whose own text did not decide
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


@dataclass
class Pipeline:
    """What every stage needs, built once per run (thread-safe: one session per call)."""

    settings: Settings
    engine: Engine
    fetcher: Fetcher
    rules: RelevanceRules
    catalogue: Catalogue
    log: logging.Logger | logging.LoggerAdapter[logging.Logger] = field(
        default_factory=lambda: logging.getLogger("cpec_watch")
    )
    stop: Stop = field(default_factory=Stop)
    _claimed: set[str] = field(default_factory=set)
    _claim_lock: threading.Lock = field(default_factory=threading.Lock)
    _feed_ids: dict[str, int] = field(default_factory=dict)

    def feed_id(self, url: str) -> int | None:
        """The feed's row id, for log lines: looked up until the feed has a row (after its first poll), then kept."""
        if url not in self._feed_ids:
            with session(self.engine) as sess:
                found = feed_id(sess, url)
            if found is None:
                return None
            self._feed_ids[url] = found
        return self._feed_ids[url]

    def claim(self, key: str) -> bool:
        """True for the first caller in this run: a link in several feeds polled at once is fetched once."""
        with self._claim_lock:
            if key in self._claimed:
                return False
            self._claimed.add(key)
            return True

    def wants_page(self, url: str) -> bool:
        """Whether a redirect target still needs fetching: not claimed in this pass, not in the store."""
        key = url_key(canonical_url(url))
        with session(self.engine) as sess:
            return is_new_entry(sess, key) and self.claim(key)

    def screen(self, entry: FeedEntry, source: FeedSource) -> str:
        """yes / maybe / no from the entry's own text (every entry of a topical feed is a maybe)."""
        return "maybe" if source.topical else screen(entry.title, entry.summary, self.catalogue, self.rules)

    @property
    def find_updates(self) -> Callable[[str | None, Sequence[str]], list[Update]]:
        """What an article reports about the tracked items (storage's tracking is handed this)."""
        return updates_finder(self.catalogue)

    def track(self, article_id: int) -> None:
        """Record the tracked-item updates of a newly stored article (on failure the next run's repair retries)."""
        try:
            with session(self.engine) as sess:
                track_article(sess, article_id, self.find_updates)
        except Exception:
            log_event(
                self.log, logging.ERROR, "tracking failed; the next run retries", exc_info=True, article_id=article_id
            )


@contextmanager
def open_pipeline(settings: Settings, stop: Stop | None = None) -> Iterator[Pipeline]:
    engine = open_engine(settings.db, make_folder=settings.db == DEFAULT_DB)  # a refused store creates nothing
    try:
        settings.archive.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        engine.dispose()
        raise ConfigError(f"cannot use {settings.archive} as the archive folder: {exc.strerror or exc}") from None
    allowed = None if settings.allow_private_networks else is_public
    stop = stop or Stop()
    fetch = settings.fetch
    policy = RetryPolicy(fetch.retries, fetch.backoff, fetch.max_retry_after, sleep=stop.wait)
    with Fetcher(fetch, policy, allowed=allowed) as fetcher:
        stop.on_request(fetcher.close)  # aborts the requests in flight
        rules = RelevanceRules.from_terms([*DEFAULT_TERMS, *settings.relevance_terms])
        yield Pipeline(settings, engine, fetcher, rules, user_catalogue(settings), stop=stop)
    engine.dispose()


def poll_feed(pipe: Pipeline, source: FeedSource, *, window: tuple[date, date] | None = None) -> FeedReport:
    """One feed: fetch (conditionally unless backfilling a window), parse, ingest new entries; one log line.

    The feed's validators are saved only after its entries are handled, so a run that stops
    halfway fetches the feed in full next time instead of getting a 304 and skipping them.
    """
    report = _poll_feed(pipe, source, window)
    log_feed(pipe.log, pipe.feed_id, report)
    return report


def _poll_feed(pipe: Pipeline, source: FeedSource, window: tuple[date, date] | None) -> FeedReport:
    if pipe.stop.requested():  # not started: nothing about the feed is touched
        return FeedReport(source.url, source.name, interrupted=True)
    with session(pipe.engine) as sess:
        rest = None if window else resting_until(sess, source, utcnow())
        etag, last_modified = (None, None) if window else validators(sess, source)
        retry = entries_to_retry(sess, source.url)
    if rest is not None:  # failing again and again: polled less often until it answers
        return FeedReport(source.url, source.name, resting_until=rest.isoformat(timespec="minutes"))
    try:
        result = pipe.fetcher.get(source.url, accept=FEED_ACCEPT, etag=etag, last_modified=last_modified)
    except Exception as exc:
        if pipe.stop.requested():  # aborted: the feed keeps its state for the next pass
            return FeedReport(source.url, source.name, interrupted=True)
        if not isinstance(exc, FetchError):
            raise
        return _feed_failed(pipe, source, str(exc), exc.status)
    if result.not_modified:
        _feed_succeeded(pipe, source, result, entries=0)
        return _retry_failed(pipe, FeedReport(source.url, source.name, status=304), source, retry)
    parsed = parse_feed(result.body, content_type=result.content_type, base_url=result.url)
    if parsed.error and not parsed.entries:
        return _feed_failed(pipe, source, f"not a usable feed: {parsed.error}", result.status)
    report = FeedReport(
        source.url, source.name, status=result.status, entries=len(parsed.entries), warning=parsed.error
    )
    inside = [e for e in parsed.entries if not window or (e.published and window[0] <= e.published <= window[1])]
    for _ in range(len(parsed.entries) - len(inside)):
        report = report.add(Outcome.OUTSIDE_WINDOW)
    with ThreadPoolExecutor(max_workers=pipe.settings.fetch.per_host) as pool:  # the host's fair share
        outcomes = pool.map(lambda entry: ingest_entry(pipe, entry, source), inside)
        for entry, outcome in zip(inside, outcomes, strict=True):
            report = report.add(outcome)
            if outcome in READ and pipe.screen(entry, source) == "maybe":  # the pre-filter's cost: a page read
                report = report.add(READ_UNDECIDED)
    report = _retry_failed(pipe, report, source, retry)
    if pipe.stop.requested():  # entries were left unhandled: keep the old validators so they are fetched again
        return replace(report, interrupted=True)
    if window is None:  # a windowed backfill skipped entries: the next monitor run must still see them
        new = sum(n for outcome, n in report.counts.items() if outcome not in (Outcome.SEEN, READ_UNDECIDED))
        _feed_succeeded(pipe, source, result, entries=len(parsed.entries), new=new, warning=parsed.error)
    return report


def _feed_failed(pipe: Pipeline, source: FeedSource, error: str, status: int | None) -> FeedReport:
    with session(pipe.engine) as sess:
        record_feed_error(sess, source, error, status)
    log_event(pipe.log, logging.WARNING, f"feed failed: {error}", ids=pipe.feed_id, feed=source.url, outcome="failed")
    return FeedReport(source.url, source.name, status=status, error=error)


def _feed_succeeded(
    pipe: Pipeline, source: FeedSource, result: FetchResult, *, entries: int, new: int = 0, warning: str | None = None
) -> None:
    with session(pipe.engine) as sess:
        record_feed_success(
            sess,
            source,
            result.status,
            etag=result.etag,
            last_modified=result.last_modified,
            entries=entries,
            new_entries=new,
            warning=warning,
        )


def _retry_failed(
    pipe: Pipeline, report: FeedReport, source: FeedSource, links: list[tuple[str, str | None]]
) -> FeedReport:
    """Fetch again the pages that failed on earlier passes (they passed the title/summary filter then)."""
    for link, outlet in links:
        outcome = ingest_entry(pipe, FeedEntry(link=link, outlet=outlet), source, check_relevance=False)
        if outcome != Outcome.SEEN:  # the entry was also in this pass's feed and is handled already
            report = report.add(outcome)
    return report


def ingest_entry(pipe: Pipeline, entry: FeedEntry, source: FeedSource, *, check_relevance: bool = True) -> Outcome:
    """Handle one link; returns its outcome: stored, duplicate, seen, irrelevant, skipped or failed.

    Whatever goes wrong with one page (a network error, or a page no parser expected) is
    recorded as a failed entry, retried on later runs, and never stops the feed or the run.
    """
    link = unwrap_redirect(entry.link)
    if is_undecodable_aggregator(link):
        return Outcome.SKIPPED
    if entry.outlet or link != entry.link:  # an aggregator's item: credit the publisher, not the aggregator
        source = replace(source, name=entry.outlet or _host_name(link))
    canonical = canonical_url(link)
    key = url_key(canonical)
    if pipe.stop.requested():
        return Outcome.INTERRUPTED
    unexpected: Exception | None = None
    with session(pipe.engine) as sess:
        if not is_new_entry(sess, key) or not pipe.claim(key):
            return Outcome.SEEN
        try:
            outcome, article_id, detail = _ingest(pipe, sess, entry, source, link, canonical, check_relevance)
        except Exception as exc:
            sess.rollback()
            if pipe.stop.requested():  # aborted, not failed: the next pass reads it
                return Outcome.INTERRUPTED
            outcome, article_id, detail = Outcome.FAILED, None, f"{type(exc).__name__}: {exc}"
            if isinstance(exc, AlreadyHave):  # the page it leads to was fetched once already
                outcome, detail = Outcome.DUPLICATE, "same url"
            elif isinstance(exc, FetchError):
                detail = str(exc)
            else:
                unexpected = exc  # logged with its traceback
        record_entry(
            sess, key, link, outcome, feed_url=source.url, source=source.name, detail=detail, article_id=article_id
        )
    level, text = logging.WARNING if outcome == Outcome.FAILED else logging.INFO, f"page {outcome}"
    text += f": {detail}" if detail else ""
    fields = dict(feed=source.url, url=link, article_id=article_id, outcome=outcome)
    log_event(pipe.log, level, text, ids=pipe.feed_id, exc_info=unexpected, **fields)
    if outcome == Outcome.STORED:
        pipe.track(article_id)  # type: ignore[arg-type]
    return outcome


def _ingest(
    pipe: Pipeline,
    sess: Session,
    entry: FeedEntry,
    source: FeedSource,
    link: str,
    canonical: str,
    check_relevance: bool,
) -> tuple[Outcome, int | None, str | None]:
    """The steps after a link is claimed: relevance, text (feed or page), dedup, store.

    Returns the outcome, the stored (or matching) article's id, and a detail worth keeping.
    """
    if check_relevance and pipe.screen(entry, source) == "no":
        return Outcome.SCREENED, None, None
    sess.commit()  # hand the connection back to the pool while the page is fetched
    full_text = fragment_paragraphs(entry.content_html) if entry.content_html else ()
    if full_text:
        article = Article(link, canonical, source.name, entry.title or None, entry.published, full_text)
    else:
        article = _fetch_article(pipe, link, entry, source)
    if not article.paragraphs:
        return Outcome.FAILED, None, "no article text found"
    if check_relevance and not is_about_cpec(article.title or "", article.text, pipe.catalogue, pipe.rules):
        return Outcome.IRRELEVANT, None, None
    page_key = url_key(article.canonical_url)
    if page_key != url_key(canonical):  # the page says it lives elsewhere: that URL is its identity
        if not is_new_entry(sess, page_key):
            return Outcome.DUPLICATE, None, "same url"
        stored = store_article(sess, article, pipe.settings.archive)
        record_entry(
            sess,
            page_key,
            article.canonical_url,
            stored.outcome,
            feed_url=source.url,
            source=source.name,
            article_id=stored.article_id,
        )
    else:
        stored = store_article(sess, article, pipe.settings.archive)
    return stored.outcome, stored.article_id, stored.reason or None


def _fetch_article(pipe: Pipeline, link: str, entry: FeedEntry, source: FeedSource) -> Article:
    result = pipe.fetcher.get(link, accept="text/html,application/xhtml+xml", page=True, wanted=pipe.wants_page)
    page = extract_page(result.body, result.url, reference=entry.summary or None)  # a longer summary: fall back
    canonical = canonical_url(_trusted_canonical(page.canonical_url, result.url))
    return Article(
        result.url,
        canonical,
        source.name,
        page.title or entry.title or None,
        page.published or entry.published,
        page.paragraphs,
    )


def _trusted_canonical(declared: str | None, fetched: str) -> str:
    """A page's declared canonical URL, unless it points at a site root (a common CMS mistake)."""
    if not declared or declared.rstrip("/").count("/") < 3:
        return fetched
    return declared


def ingest_urls(pipe: Pipeline, urls: Iterable[str]) -> FeedReport:
    """Backfill from a list of article URLs (no relevance filter: the user chose them)."""
    report = FeedReport("urls", "URL list", feed=False)
    for url in urls:
        if pipe.stop.requested():
            return replace(report, interrupted=True)
        report = report.add(
            ingest_entry(pipe, FeedEntry(link=url), FeedSource(url, _host_name(url)), check_relevance=False)
        )
    return report


def repair(pipe: Pipeline) -> int:
    """Finish what a stopped run left undone: archive files not written, articles not yet tracked."""
    with session(pipe.engine) as sess:
        written = write_missing_archive_files(sess, pipe.settings.archive)
        return written + track_untracked(sess, pipe.find_updates, pipe.log)


def _host_name(url: str) -> str:
    """An outlet name for a page no feed names: its host without ``www.``."""
    host = (urlsplit(url).hostname or url).lower()
    return host.removeprefix("www.")
