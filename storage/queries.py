"""Read-only views for the CLI: plain dicts ready for JSON."""
from __future__ import annotations

from datetime import date
from typing import Any

from storage.articles import list_articles
from storage.db import open_engine, session
from storage.feeds import list_feeds


def article_rows(db_url: str, since: date | None = None) -> list[dict[str, Any]]:
    engine = open_engine(db_url)
    with session(engine) as sess:
        rows = [{
            "id": a.id, "url": a.url, "canonical_url": a.canonical_url, "title": a.title,
            "published": a.published.isoformat() if a.published else None, "source": a.source,
            "story": a.story_id, "items": [], "archive_file": a.archive_file,
            "fetched_at": a.fetched_at.isoformat(timespec="seconds"),
        } for a in list_articles(sess, since)]
    engine.dispose()
    return rows


def feed_rows(db_url: str) -> list[dict[str, Any]]:
    engine = open_engine(db_url)
    with session(engine) as sess:
        rows = [{
            "url": f.url, "name": f.name, "last_status": f.last_status, "last_error": f.last_error,
            "last_polled": f.last_polled.isoformat(timespec="seconds") if f.last_polled else None,
            "entries_seen": f.entries_seen, "consecutive_failures": f.consecutive_failures,
            "failing_since": f.failing_since.isoformat(timespec="seconds") if f.failing_since else None,
        } for f in list_feeds(sess)]
    engine.dispose()
    return rows
