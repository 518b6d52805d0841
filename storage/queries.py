"""Read-only views for the CLI and the web view: plain dicts ready for JSON.

Each takes a store: a database URL (opened, never created, and closed again) or an open engine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import col, func, select

from cpec_watch.parsers.items import Catalogue
from cpec_watch.parsers.status import excerpt
from cpec_watch.storage.articles import list_articles
from cpec_watch.storage.db import session, using
from cpec_watch.storage.feeds import is_stale, list_feeds
from cpec_watch.storage.models import ArticleRow, UpdateRow
from cpec_watch.storage.tracking import FindUpdates, TimelineEntry, items_for_articles, reindex, timeline

TABLES = ("article", "itemupdate", "feed")


def article_rows(store: str | Engine, since: date | None = None) -> list[dict[str, Any]]:
    with using(store) as engine, session(engine) as sess:
        items = items_for_articles(sess)
        rows = [
            {
                "id": a.id,
                "url": a.url,
                "canonical_url": a.canonical_url,
                "title": a.title,
                "published": a.published.isoformat() if a.published else None,
                "source": a.source,
                "story": a.story_id,
                "items": items.get(a.id or 0, []),
                "archive_file": a.archive_file,
                "fetched_at": a.fetched_at.isoformat(timespec="seconds"),
            }
            for a in list_articles(sess, since)
        ]
    return rows


def feed_rows(store: str | Engine) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    with using(store) as engine, session(engine) as sess:
        rows = [
            {
                "url": f.url,
                "name": f.name,
                "last_status": f.last_status,
                "last_error": f.last_error,
                "last_polled": f.last_polled.isoformat(timespec="seconds") if f.last_polled else None,
                "entries_seen": f.entries_seen,
                "consecutive_failures": f.consecutive_failures,
                "failing_since": f.failing_since.isoformat(timespec="seconds") if f.failing_since else None,
                "last_new_entry": f.last_new_entry.isoformat(timespec="seconds") if f.last_new_entry else None,
                "stale": is_stale(f, now),
                "next_poll": f.next_poll.isoformat(timespec="seconds") if f.next_poll else None,
            }
            for f in list_feeds(sess)
        ]
    return [{**row, "health": _health(row)} for row in rows]


def _health(row: dict[str, Any]) -> str:
    """A feed's state in a few words: never polled, ok, stale, or its error (and how long it rests)."""
    failing = row["last_error"] and row["consecutive_failures"]
    if row["last_polled"] is None:
        return "never polled"
    if failing:
        resting = f" (resting until {row['next_poll']})" if row["next_poll"] else ""
        return f"ERROR {row['last_error']}{resting}"
    return f"stale: nothing new since {row['last_new_entry']}" if row["stale"] else "ok"


def timeline_rows(
    store: str | Engine, catalogue: Catalogue, item: str | None = None, announce: float | None = None
) -> list[dict[str, Any]]:
    with using(store) as engine, session(engine) as sess:
        return [_timeline_row(entry, catalogue) for entry in timeline(sess, item, announce)]


def transition(row: dict[str, Any]) -> str:
    """A timeline row's status as people read it: ``previous → status`` for a status change, else the status."""
    return f"{row['previous_status']} → {row['status']}" if row["change"] else str(row["status"])


def _timeline_row(entry: TimelineEntry, catalogue: Catalogue) -> dict[str, Any]:
    return {
        "id": entry.id,
        "item": entry.item,
        "status": entry.status,
        "previous_status": entry.previous_status,
        "change": entry.is_change,
        "state": entry.state,
        "unsure": entry.state != entry.previous_status and not entry.is_change and entry.previous_status is not None,
        "confidence": entry.confidence,
        "excerpt": excerpt(entry.evidence, entry.item, catalogue),
        "date": entry.date.isoformat() if entry.date else None,
        "article": entry.article_id,
        "article_url": entry.article_url,
        "recorded": entry.created_at.isoformat(timespec="microseconds"),
        "evidence": entry.evidence,
        "times": list(entry.times),
        "amounts": list(entry.amounts),
        "story": entry.story,
        "sources": [{"outlet": outlet, "url": url} for outlet, url in entry.sources],
    }


def item_rows(store: str | Engine, catalogue: Catalogue, announce: float | None = None) -> list[dict[str, Any]]:
    """Every tracked item with its state, since when and on what evidence (None before any dated news)."""
    entries = timeline_rows(store, catalogue, announce=announce)
    rows = []
    for item in catalogue.items:
        own = [e for e in entries if e["item"] == item.slug]
        state = own[-1]["state"] if own else None
        since = _since(own, state)
        rows.append(
            {
                "slug": item.slug,
                "name": item.name,
                "category": item.category,
                "status": state,
                "unsure": bool(own) and own[-1]["unsure"],  # the evidence moved it, not yet surely enough to announce
                "date": since["date"] if since else None,
                "updates": len(own),
                "sources": len({source["url"] for e in own for source in e["sources"]}),
                "evidence": since["excerpt"] if since else None,
                "update_id": since["id"] if since else None,
                "last_change": next((transition(e) for e in reversed(own) if e["change"]), None),
            }
        )
    return rows


def _since(entries: list[dict[str, Any]], state: str | None) -> dict[str, Any] | None:
    """The update from which the item has been in ``state``: the first of the last run of dated updates that left
    it there, preferring one that reads that status (None while no dated reading set a state)."""
    run: list[dict[str, Any]] = []
    for entry in reversed([e for e in entries if e["date"] is not None]):
        if entry["state"] != state:
            break
        run.append(entry)
    return next((e for e in reversed(run) if e["status"] == state), run[-1] if run else None)


def last_activity(store: str | Engine) -> datetime | None:
    """When the store last recorded an update or stored an article (None when it holds neither)."""
    with using(store) as engine, session(engine) as sess:
        moments = [
            sess.exec(select(func.max(col(UpdateRow.created_at)))).one(),
            sess.exec(select(func.max(col(ArticleRow.fetched_at)))).one(),
        ]
    known = [m.replace(tzinfo=UTC) if m.tzinfo is None else m for m in moments if m is not None]
    return max(known, default=None)


def reindex_store(db_url: str, find: FindUpdates) -> int:
    with using(db_url) as engine, session(engine) as sess:
        return reindex(sess, find)


def store_summary(db_url: str) -> str:
    """One line on the store: its articles, updates and feeds (StorageError when it cannot be opened)."""
    with using(db_url) as engine, engine.connect() as connection:
        counts = [connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in TABLES]
    return ", ".join(f"{n} {label}" for n, label in zip(counts, ("article(s)", "update(s)", "feed(s)"), strict=True))
