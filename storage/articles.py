"""Queries about articles and stories, named after what the pipeline asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlmodel import Session, col, select

from cpec_watch.clock import utcnow
from cpec_watch.failpoints import crash_point
from cpec_watch.models import Article, Outcome
from cpec_watch.parsers import dedup
from cpec_watch.parsers.urls import url_key
from cpec_watch.storage import archive
from cpec_watch.storage.db import insert_ignore
from cpec_watch.storage.models import ArticleRow, SeenEntry, row_id
from cpec_watch.storage.stories import insert_article, story_lock

RETRY_LIMIT = 3  # a page that failed this many times is not fetched again


@dataclass(frozen=True)
class Stored:
    """What became of an article offered to the store."""

    outcome: Outcome  # STORED or DUPLICATE
    article_id: int
    story_id: int
    reason: str = ""  # for duplicates: "same url" or "same text"


def is_new_entry(sess: Session, key: str) -> bool:
    """True when a link was never handled, or failed fewer than RETRY_LIMIT times."""
    seen = sess.exec(select(SeenEntry).where(SeenEntry.url_key == key)).first()
    return seen is None or (seen.outcome == Outcome.FAILED and seen.attempts < RETRY_LIMIT)


def record_entry(
    sess: Session,
    key: str,
    url: str,
    outcome: Outcome,
    *,
    feed_url: str | None = None,
    source: str | None = None,
    detail: str | None = None,
    article_id: int | None = None,
) -> None:
    """Remember how a link was handled (a failed one counts one more attempt)."""
    inserted = insert_ignore(
        sess,
        SeenEntry,
        dict(
            url_key=key,
            url=url,
            feed_url=feed_url,
            source=source,
            outcome=outcome,
            detail=detail,
            article_id=article_id,
            attempts=1,
            first_seen=utcnow(),
            last_seen=utcnow(),
        ),
    )
    if not inserted:
        seen = sess.exec(select(SeenEntry).where(SeenEntry.url_key == key)).one()
        seen.attempts = seen.attempts + 1 if outcome == Outcome.FAILED else seen.attempts
        seen.outcome, seen.detail, seen.article_id, seen.last_seen = outcome, detail, article_id, utcnow()
        sess.add(seen)
    sess.commit()


def entries_to_retry(sess: Session, feed_url: str) -> list[tuple[str, str | None]]:
    """``(link, outlet)`` of a feed's entries whose page failed fewer than RETRY_LIMIT times."""
    rows = sess.exec(
        select(SeenEntry.url, SeenEntry.source).where(
            SeenEntry.feed_url == feed_url, SeenEntry.outcome == Outcome.FAILED, col(SeenEntry.attempts) < RETRY_LIMIT
        )
    ).all()
    return [(url, source) for url, source in rows]


def store_article(
    sess: Session,
    data: Article,
    archive_dir: Path | None,
    *,
    key: str | None = None,
    archive_source: Path | None = None,
) -> Stored:
    """Store an article once per canonical URL and once per text; join or start its story.

    The archive file is written after the row is committed; ``archive_source`` (a seed-format
    file being imported) is copied as it is instead of rendered anew.
    """
    key = key or url_key(data.canonical_url)
    text_hash = dedup.content_hash(data.text)
    existing = _existing(sess, key, text_hash)
    if existing is not None:
        return existing
    fingerprint = dedup.fingerprint(data.text)
    with story_lock(sess):  # two copies of one story stored at once must not start two stories
        existing = _existing(sess, key, text_hash)  # another run may have stored it while we waited
        if existing is not None:
            sess.rollback()
            return existing
        article_id, story_id = insert_article(sess, data, key, text_hash, fingerprint)
        sess.commit()
    if archive_dir is not None:
        write_archive_file(sess, _row(sess, article_id), archive_dir, archive_source)
    return Stored(Outcome.STORED, article_id, story_id)


def _row(sess: Session, article_id: int) -> ArticleRow:
    row = sess.get(ArticleRow, article_id)
    if row is None:
        raise LookupError(f"no stored article {article_id}")
    return row


def write_archive_file(sess: Session, article: ArticleRow, archive_dir: Path, source: Path | None = None) -> None:
    """Write (or copy) the article's seed-format file and remember its name."""
    if source is not None:
        name = archive.copy_file(archive_dir, source)
    else:
        name = archive.write_article(archive_dir, article.url_key, article.seed_text())
    crash_point("archive-record")
    article.archive_file = name
    sess.add(article)
    sess.commit()


def _existing(sess: Session, key: str, text_hash: str) -> Stored | None:
    for condition, reason in (
        (ArticleRow.url_key == key, "same url"),
        (ArticleRow.content_hash == text_hash, "same text"),
    ):
        found = sess.exec(select(ArticleRow).where(condition)).first()
        if found is not None:
            return Stored(Outcome.DUPLICATE, row_id(found), found.story_id, reason)
    return None


def list_articles(sess: Session, since: date | None = None) -> list[ArticleRow]:
    """Stored articles, oldest first; ``since`` filters on publication date (fetch date when unknown)."""
    query = select(ArticleRow).order_by(col(ArticleRow.id))
    if since is not None:
        start = datetime.combine(since, time.min, tzinfo=UTC)
        query = query.where(
            (col(ArticleRow.published) >= since)
            | (col(ArticleRow.published).is_(None) & (col(ArticleRow.fetched_at) >= start))
        )
    return list(sess.exec(query).all())


def write_missing_archive_files(sess: Session, archive_dir: Path) -> int:
    """Write the archive files a stopped run did not get to; returns how many."""
    missing = list(sess.exec(select(ArticleRow).where(col(ArticleRow.archive_file).is_(None))).all())
    for row in missing:
        write_archive_file(sess, row, archive_dir)
    return len(missing)
