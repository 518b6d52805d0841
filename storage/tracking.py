"""Tracked-item updates: one per item per story, with every article that carried it as a source.

A status change is an update whose status differs from the item's previous informative
status (``mentioned`` says nothing of a state, so it never changes one), in date order.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, delete, select

from parsers.items import Catalogue
from parsers.status import item_updates
from storage.db import insert_ignore
from storage.models import Article, ItemUpdate, UpdateSource, utcnow

UNINFORMATIVE = "mentioned"


@dataclass(frozen=True)
class TimelineEntry:
    """One update on an item's timeline, with the state it replaced."""

    id: int
    item: str
    status: str
    previous_status: str | None  # the item's informative status before this update
    date: date
    evidence: str
    times: tuple[str, ...]
    amounts: tuple[str, ...]
    story: int
    article_id: int
    article_url: str
    created_at: datetime
    sources: tuple[tuple[str, str], ...]  # (outlet, url) of every article that carried it

    @property
    def is_change(self) -> bool:
        return self.status != UNINFORMATIVE and self.previous_status is not None \
            and self.status != self.previous_status


def record_updates(sess: Session, article: Article, catalogue: Catalogue) -> int:
    """Find the tracked items in a stored article; returns how many new updates it made."""
    paragraphs = [p for p in article.body.split("\n\n") if p]
    created = 0
    for found in item_updates(article.title, paragraphs, catalogue):
        created += insert_ignore(sess, ItemUpdate, dict(
            item=found.slug, story_id=article.story_id, article_id=article.id, status=found.status,
            evidence=found.evidence, times=" | ".join(found.times), amounts=" | ".join(found.amounts),
            date=article.published or article.fetched_at.date(), created_at=utcnow()))
        update = sess.exec(select(ItemUpdate).where(ItemUpdate.item == found.slug,
                                                    ItemUpdate.story_id == article.story_id)).one()
        if update.status == UNINFORMATIVE and found.status != UNINFORMATIVE:  # a copy that says more
            update.status, update.evidence = found.status, found.evidence
            sess.add(update)
        insert_ignore(sess, UpdateSource, dict(update_id=update.id, article_id=article.id))
    sess.commit()
    return created


def reindex(sess: Session, catalogue: Catalogue) -> int:
    """Match every stored article again (after a catalogue change); nothing is fetched."""
    sess.exec(delete(UpdateSource))  # type: ignore[call-overload]
    sess.exec(delete(ItemUpdate))  # type: ignore[call-overload]
    sess.commit()
    articles = sess.exec(select(Article).order_by(col(Article.id))).all()
    return sum(record_updates(sess, article, catalogue) for article in articles)


def timeline(sess: Session, item: str | None = None) -> list[TimelineEntry]:
    """Updates in date order (per item), each with the state it followed."""
    query = select(ItemUpdate, Article).join(Article, col(Article.id) == col(ItemUpdate.article_id))
    if item is not None:
        query = query.where(ItemUpdate.item == item)
    rows = sess.exec(query.order_by(col(ItemUpdate.item), col(ItemUpdate.date), col(ItemUpdate.id))).all()
    sources = _sources(sess, [update.id for update, _ in rows])
    entries, state = [], {}
    for update, article in rows:
        entries.append(TimelineEntry(
            update.id, update.item, update.status, state.get(update.item), update.date, update.evidence,
            _split(update.times), _split(update.amounts), update.story_id, article.id, article.url,
            update.created_at, sources.get(update.id, ())))
        if update.status != UNINFORMATIVE:
            state[update.item] = update.status
    return entries


def items_for_articles(sess: Session) -> dict[int, list[str]]:
    """Tracked-item slugs per article id (an article lists the items of its story's updates it carried)."""
    rows = sess.exec(select(UpdateSource.article_id, ItemUpdate.item)
                     .join(ItemUpdate, col(ItemUpdate.id) == col(UpdateSource.update_id))).all()
    result: dict[int, list[str]] = {}
    for article_id, item in rows:
        result.setdefault(article_id, []).append(item)
    return {key: sorted(set(value)) for key, value in result.items()}


def _sources(sess: Session, update_ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    if not update_ids:
        return {}
    rows = sess.exec(select(UpdateSource.update_id, Article.source, Article.url)
                     .join(Article, col(Article.id) == col(UpdateSource.article_id))
                     .where(col(UpdateSource.update_id).in_(update_ids))
                     .order_by(col(Article.id))).all()
    result: dict[int, list[tuple[str, str]]] = {}
    for update_id, source, url in rows:
        result.setdefault(update_id, []).append((source, url))
    return {key: tuple(value) for key, value in result.items()}


def _split(joined: str) -> tuple[str, ...]:
    return tuple(part for part in joined.split(" | ") if part)
