"""Read-only views of one article and one story, for the web view: plain dicts, None when there is no such row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cpec_watch.parsers import seedformat
from cpec_watch.storage.db import session, using
from cpec_watch.storage.models import ArticleRow, UpdateRow, UpdateSource


def article_page(store: str | Engine, article_id: int, archive: Path) -> dict[str, Any] | None:
    """An article, its seed-format text (the archive file, else rebuilt from the body), its story's other copies
    and the tracked-item updates it carried."""
    with using(store) as engine, session(engine) as sess:
        article = sess.get(ArticleRow, article_id)
        if article is None:
            return None
        updates = sess.exec(
            select(UpdateRow)
            .join(UpdateSource, col(UpdateSource.update_id) == col(UpdateRow.id))
            .where(UpdateSource.article_id == article_id)
            .order_by(col(UpdateRow.item))
        ).all()
        return {
            **_copy(article),
            "canonical_url": _as_fetched(article.canonical_url, article.url),
            "text": _archived_text(article, archive),
            "copies": [c for c in _copies(sess, article.story_id) if c["id"] != article_id],
            "updates": [
                {"id": u.id, "item": u.item, "status": u.status, "evidence": u.evidence, "date": _day(u.date)}
                for u in updates
            ],
        }


def story_page(store: str | Engine, story_id: int) -> list[dict[str, Any]]:
    """The copies of one story, oldest first (empty when there is no such story)."""
    with using(store) as engine, session(engine) as sess:
        return _copies(sess, story_id)


def _copies(sess: Session, story_id: int) -> list[dict[str, Any]]:
    rows = sess.exec(
        select(ArticleRow)
        .where(ArticleRow.story_id == story_id)
        .order_by(col(ArticleRow.published).asc().nulls_last(), col(ArticleRow.id))
    ).all()
    return [_copy(row) for row in rows]


def _copy(article: ArticleRow) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "published": _day(article.published),
        "url": article.url,
        "story": article.story_id,
    }


def _archived_text(article: ArticleRow, archive: Path) -> str:
    if article.archive_file:
        try:
            return (archive / Path(article.archive_file).name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass  # moved or unreadable: the stored body says the same
    return seedformat.render(article.seed_text())


def _as_fetched(canonical: str, url: str) -> str:
    """The canonical link to show: its https is an identity (``parsers/urls.py``), so an article fetched over
    http keeps http, or its link may not open."""
    if url.lower().startswith("http://") and canonical.startswith("https://"):
        return "http://" + canonical.removeprefix("https://")
    return canonical


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None
