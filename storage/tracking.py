"""Tracked-item updates: one per item per story, with every article that carried it as a source.

Timelines run in the order of the reporting (the story's publication date; undated stories first, and they never
move the state). The item's state after each update follows the weight of the dated evidence so far, and a
status change is announced only when a sure reading moves it (``parsers/changes.py``). Within a story, a copy
that reads the item more surely than the first replaces it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, bindparam
from sqlmodel import Session, col, delete, func, select
from sqlmodel import update as sql_update

from cpec_watch.clock import utcnow
from cpec_watch.models import Status, Update
from cpec_watch.parsers.changes import ItemState
from cpec_watch.parsers.status_reader import shipped_model
from cpec_watch.storage.db import insert_ignore
from cpec_watch.storage.models import ArticleRow, UpdateRow, UpdateSource, row_id

FindUpdates = Callable[[str | None, Sequence[str]], Sequence[Update]]  # (title, paragraphs) -> updates


@dataclass(frozen=True)
class TimelineEntry:
    """One update on an item's timeline, with the state it replaced."""

    id: int
    item: str
    status: str
    previous_status: str | None  # the state last announced (or first set) before this update
    state: str | None  # the item's state after it (None while no dated reading has set one)
    confidence: float  # the calibrated probability that the status is read right
    is_change: bool  # a sure reading that moved the state: a status change to announce
    date: date | None
    evidence: str
    times: tuple[str, ...]
    amounts: tuple[str, ...]
    story: int
    article_id: int
    article_url: str
    created_at: datetime
    sources: tuple[tuple[str, str], ...]  # (outlet, url) of every article that carried it


def track_article(sess: Session, article_id: int, find: FindUpdates) -> int:
    """Record what ``find`` reads in a stored article; returns how many new updates it made (commits once)."""
    article = sess.get(ArticleRow, article_id)
    if article is None:
        raise LookupError(f"no stored article {article_id}")
    created = _record(sess, article, find)
    sess.commit()
    return created


def track_read(sess: Session, article_id: int, story_id: int, updates: Sequence[Update]) -> int:
    """Record updates already read from an article just inserted as tracked (undated, or imported).

    A bulk import reads them in worker processes; this does not commit: the caller's batch transaction holds it
    with the article.
    """
    day = sess.connection().execute(_STORY_DATE, {"story": story_id}).scalar()
    return _record_updates(sess, article_id, story_id, day, updates)


def _record(sess: Session, article: ArticleRow, find: FindUpdates) -> int:
    day = sess.connection().execute(_STORY_DATE, {"story": article.story_id}).scalar()
    found = find(article.title, article.seed_text().paragraphs)
    created = _record_updates(sess, row_id(article), article.story_id, day, found)
    sess.connection().execute(_MARK_TRACKED, {"article": row_id(article)})
    return created


def _record_updates(
    sess: Session,
    article_id: int,
    story_id: int,
    day: date | None,
    updates: Sequence[Update],
) -> int:
    """One update per item per story (the surer reading wins), the article as one of its sources."""
    conn = sess.connection()
    if day is not None:  # a dated copy dates the whole story
        conn.execute(_DATE_STORY, {"story": story_id, "day": day})
    created = 0
    for found in updates:
        inserted = insert_ignore(
            sess,
            UpdateRow,
            dict(
                item=found.slug,
                story_id=story_id,
                article_id=article_id,
                status=found.status,
                confidence=found.confidence,
                evidence=found.evidence,
                times=" | ".join(found.times),
                amounts=" | ".join(found.amounts),
                date=day,
                created_at=utcnow(),
            ),
        )
        created += bool(inserted)
        update_id = inserted[0] if inserted else _surer_reading(conn, story_id, found)
        insert_ignore(sess, UpdateSource, dict(update_id=update_id, article_id=article_id))
    return created


def _surer_reading(conn: Connection, story_id: int, found: Update) -> int:
    """The story's stored update of the item, replaced by ``found`` where it says more or reads it more surely."""
    row = conn.execute(_UPDATE_ROW, {"item": found.slug, "story": story_id}).one()
    if found.status != Status.MENTIONED and (row.status == Status.MENTIONED or found.confidence > row.confidence):
        changes = {"evidence": found.evidence, "confidence": found.confidence}
        if found.status != row.status:  # a copy that says more, or reads it more surely: new again
            changes |= {"status": found.status, "created_at": utcnow()}
        conn.execute(sql_update(UpdateRow).where(col(UpdateRow.id) == row.id).values(**changes))
    return int(row.id)


_STORY_DATE = select(func.min(ArticleRow.published)).where(col(ArticleRow.story_id) == bindparam("story"))
_DATE_STORY = (
    sql_update(UpdateRow)
    .where(
        col(UpdateRow.story_id) == bindparam("story"),
        col(UpdateRow.date).is_(None) | (col(UpdateRow.date) > bindparam("day")),
    )
    .values(date=bindparam("day"))
)
_UPDATE_ROW = select(UpdateRow.id, UpdateRow.status, UpdateRow.confidence).where(
    col(UpdateRow.item) == bindparam("item"), col(UpdateRow.story_id) == bindparam("story")
)
_MARK_TRACKED = sql_update(ArticleRow).where(col(ArticleRow.id) == bindparam("article")).values(tracked=True)


def track_untracked(
    sess: Session, find: FindUpdates, log: logging.Logger | logging.LoggerAdapter[logging.Logger]
) -> int:
    """Record updates for articles a stopped run stored but did not get to track; returns how many."""
    rows = sess.exec(select(ArticleRow).where(col(ArticleRow.tracked).is_(False)).order_by(col(ArticleRow.id))).all()
    done = 0
    for article_id in [row_id(row) for row in rows]:
        try:
            track_article(sess, article_id, find)
            done += 1
        except Exception:
            sess.rollback()
            log.exception("tracking article %s failed", article_id)
    return done


def reindex(sess: Session, find: FindUpdates) -> int:
    """Match every stored article again (after a catalogue change), in one transaction; nothing is fetched.

    An update that survives keeps its first ``created_at``, so digests do not report it again.
    """
    first_seen = {(u.item, u.story_id): u.created_at for u in sess.exec(select(UpdateRow)).all()}
    sess.execute(delete(UpdateSource))
    sess.execute(delete(UpdateRow))
    created = sum(
        _record(sess, article, find) for article in sess.exec(select(ArticleRow).order_by(col(ArticleRow.id))).all()
    )
    for row in sess.exec(select(UpdateRow)).all():
        if (row.item, row.story_id) in first_seen:
            row.created_at = first_seen[(row.item, row.story_id)]
            sess.add(row)
    sess.commit()
    return created


def timeline(sess: Session, item: str | None = None, announce: float | None = None) -> list[TimelineEntry]:
    """Updates in the order of the reporting (per item), each with the state around it; ``announce`` is the weight
    of evidence from which a change is announced (default: the status reader's, chosen for 90% precision)."""
    query = select(UpdateRow, ArticleRow).join(ArticleRow, col(ArticleRow.id) == col(UpdateRow.article_id))
    if item is not None:
        query = query.where(UpdateRow.item == item)
    rows = sess.exec(
        query.order_by(col(UpdateRow.item), col(UpdateRow.date).asc().nulls_first(), col(UpdateRow.id))
    ).all()
    sources = _sources(sess, [row_id(update) for update, _ in rows])
    entries: list[TimelineEntry] = []
    announce = shipped_model().announce if announce is None else announce
    states: dict[str, ItemState] = {}
    for update, article in rows:
        step = states.setdefault(update.item, ItemState(announce)).read(update.status, update.confidence, update.date)
        entries.append(
            TimelineEntry(
                row_id(update),
                update.item,
                update.status,
                step.previous,
                step.state,
                update.confidence,
                step.change,
                update.date,
                update.evidence,
                _split(update.times),
                _split(update.amounts),
                update.story_id,
                row_id(article),
                article.url,
                update.created_at,
                sources.get(row_id(update), ()),
            )
        )
    return entries


def items_for_articles(sess: Session) -> dict[int, list[str]]:
    """Tracked-item slugs per article id (an article lists the items of its story's updates it carried)."""
    rows = sess.exec(
        select(UpdateSource.article_id, UpdateRow.item).join(
            UpdateRow, col(UpdateRow.id) == col(UpdateSource.update_id)
        )
    ).all()
    result: dict[int, list[str]] = {}
    for article_id, item in rows:
        result.setdefault(article_id, []).append(item)
    return {key: sorted(set(value)) for key, value in result.items()}


def _sources(sess: Session, update_ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    if not update_ids:
        return {}
    rows = sess.exec(
        select(UpdateSource.update_id, ArticleRow.source, ArticleRow.url)
        .join(ArticleRow, col(ArticleRow.id) == col(UpdateSource.article_id))
        .where(col(UpdateSource.update_id).in_(update_ids))
        .order_by(col(ArticleRow.id))
    ).all()
    result: dict[int, list[tuple[str, str]]] = {}
    for update_id, source, url in rows:
        result.setdefault(update_id, []).append((source, url))
    return {key: tuple(value) for key, value in result.items()}


def _split(joined: str) -> tuple[str, ...]:
    return tuple(part for part in joined.split(" | ") if part)
