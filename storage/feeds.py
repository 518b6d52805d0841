"""Feed state: conditional-GET validators and health, one row per feed URL."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from cpec_watch.models import FeedSource
from cpec_watch.storage.db import insert_ignore
from cpec_watch.storage.models import Feed, utcnow


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
    feed.consecutive_failures, feed.failing_since = 0, None
    feed.entries_seen += entries
    sess.add(feed)
    sess.commit()


def record_feed_error(sess: Session, source: FeedSource, error: str, status: int | None = None) -> None:
    """A poll that failed: counted, and the first failure's time kept (reset by the next success)."""
    feed, now = _feed_row(sess, source), utcnow()
    feed.last_status, feed.last_error, feed.last_polled = status, error, now
    feed.consecutive_failures += 1
    feed.failing_since = feed.failing_since or now
    sess.add(feed)
    sess.commit()


def list_feeds(sess: Session) -> list[Feed]:
    return list(sess.exec(select(Feed).order_by(col(Feed.id))).all())


def failing_feeds(sess: Session, since_before: datetime) -> list[Feed]:
    """Feeds failing continuously since before ``since_before`` (for digests' feed health)."""
    return list(sess.exec(select(Feed).where(col(Feed.failing_since) <= since_before)).all())
