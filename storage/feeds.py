"""Feed state: conditional-GET validators and health, one row per feed URL.

A feed that keeps failing rests between polls, longer each time (from 30 minutes after its third failure, doubling,
at most a day, as Miniflux's error limit does), until it answers again. A feed that answers but brings nothing new
for ``STALE_AFTER`` is stale: a silent source must not read as "no news".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from cpec_watch.clock import utcnow
from cpec_watch.models import FeedSource
from cpec_watch.storage.db import insert_ignore
from cpec_watch.storage.models import Feed

REST_AFTER = 3  # failures in a row before a feed starts resting
FIRST_REST, LONGEST_REST = timedelta(minutes=30), timedelta(days=1)
STALE_AFTER = timedelta(hours=48)


def resting_until(sess: Session, source: FeedSource, now: datetime) -> datetime | None:
    """When a failing feed may be polled again, or None when it may be polled now."""
    feed = sess.exec(select(Feed).where(Feed.url == source.url)).first()
    if feed is None or feed.next_poll is None:
        return None
    next_poll = _aware(feed.next_poll)
    return next_poll if next_poll > now else None


def is_stale(feed: Feed, now: datetime) -> bool:
    """Answering, but with nothing new for longer than ``STALE_AFTER``."""
    return (
        feed.consecutive_failures == 0
        and feed.last_new_entry is not None
        and now - _aware(feed.last_new_entry) > STALE_AFTER
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands datetimes back naive


def validators(sess: Session, source: FeedSource) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified to send back on the next request for the feed."""
    feed = _feed_row(sess, source)
    return feed.etag, feed.last_modified


def _feed_row(sess: Session, source: FeedSource) -> Feed:
    """The feed's row, created on first sight (safe when two runs start at once)."""
    insert_ignore(sess, Feed, dict(url=source.url, name=source.name, consecutive_failures=0, entries_seen=0))
    sess.commit()
    feed = sess.exec(select(Feed).where(Feed.url == source.url)).one()
    if feed.name != source.name:
        feed.name = source.name
        sess.add(feed)
        sess.commit()
    return feed


def record_feed_success(
    sess: Session,
    source: FeedSource,
    status: int,
    *,
    etag: str | None,
    last_modified: str | None,
    entries: int,
    new_entries: int = 0,
    warning: str | None = None,
) -> None:
    """A poll that got an answer we could use (200 or 304); ``warning`` keeps a parse problem visible."""
    feed, now = _feed_row(sess, source), utcnow()
    if status == 304:  # a 304 may carry fresh validators
        feed.etag, feed.last_modified = etag or feed.etag, last_modified or feed.last_modified
    else:
        feed.etag, feed.last_modified = etag, last_modified
    feed.last_status, feed.last_error = status, warning
    feed.last_polled, feed.last_success = now, now
    feed.consecutive_failures, feed.failing_since, feed.next_poll = 0, None, None
    feed.entries_seen += entries
    if new_entries or feed.last_new_entry is None:  # first sight counts as fresh
        feed.last_new_entry = now
    sess.add(feed)
    sess.commit()


def record_feed_error(sess: Session, source: FeedSource, error: str, status: int | None = None) -> None:
    """A poll that failed: counted, and the first failure's time kept (reset by the next success)."""
    feed, now = _feed_row(sess, source), utcnow()
    feed.last_status, feed.last_error, feed.last_polled = status, error, now
    feed.consecutive_failures += 1
    feed.failing_since = feed.failing_since or now
    if feed.consecutive_failures >= REST_AFTER:
        feed.next_poll = now + rest_after(feed.consecutive_failures)
    sess.add(feed)
    sess.commit()


def rest_after(failures: int) -> timedelta:
    """How long a feed that failed ``failures`` times in a row rests: doubling from ``FIRST_REST``, at most
    ``LONGEST_REST``. The doubling stops at the cap, so a feed dead for years cannot overflow a timedelta."""
    rest = FIRST_REST
    for _ in range(failures - REST_AFTER):
        if rest >= LONGEST_REST:
            break
        rest *= 2
    return min(rest, LONGEST_REST)


def list_feeds(sess: Session) -> list[Feed]:
    return list(sess.exec(select(Feed).order_by(col(Feed.id))).all())


def failing_feeds(sess: Session, since_before: datetime) -> list[Feed]:
    """Feeds failing continuously since before ``since_before`` (for digests' feed health)."""
    return list(sess.exec(select(Feed).where(col(Feed.failing_since) <= since_before)).all())


def feed_id(sess: Session, url: str) -> int | None:
    """The id of the feed polled at ``url`` (for log lines), None when it has no row (a backfill URL list)."""
    return sess.exec(select(Feed.id).where(Feed.url == url)).first()
