"""Storing many articles at once (a backfill): one transaction per batch, tracking included.

The articles arrive read and analysed (:class:`Prepared`, made in worker processes); what is left is database
work, done under the story lock in one transaction per batch, with the same functions a single article goes
through (``storage/stories.py``). Archive files are copied after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from cpec_watch.failpoints import crash_point
from cpec_watch.models import Article, Outcome, Update
from cpec_watch.parsers import dedup
from cpec_watch.storage import archive
from cpec_watch.storage.articles import Stored
from cpec_watch.storage.models import ArticleRow
from cpec_watch.storage.stories import insert_article, story_lock
from cpec_watch.storage.tracking import track_read


@dataclass(frozen=True)
class Prepared:
    """An article with everything that needs no database: its key, text hash, fingerprint and tracked updates."""

    article: Article
    key: str
    text_hash: str
    fingerprint: dedup.Fingerprint
    updates: tuple[Update, ...]
    archive_source: Path | None = None  # a seed-format file copied into the archive as it is


def stored_keys(sess: Session, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` (url keys) are stored already."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        found.update(sess.exec(select(ArticleRow.url_key).where(col(ArticleRow.url_key).in_(chunk))).all())
    return found


def store_batch(
    sess: Session, batch: Sequence[Prepared], archive_dir: Path | None, crowded: set[str] | None = None
) -> list[Stored]:
    """Store a batch once per URL key and once per text, in one transaction with its tracked-item updates.

    Returns one :class:`Stored` per article, in order; copies within the batch are duplicates of the first.
    ``crowded`` carries the boilerplate bands found from one batch to the next (see ``band_candidates``).
    """
    results: list[Stored] = []
    copied: list[tuple[int, str, Path]] = []
    with story_lock(sess):
        known = _known(sess, batch)
        for prepared in batch:
            existing = known.get(("url", prepared.key)) or known.get(("text", prepared.text_hash))
            if existing is not None:
                results.append(existing)
                continue
            article_id, story_id = insert_article(
                sess,
                prepared.article,
                prepared.key,
                prepared.text_hash,
                prepared.fingerprint,
                tracked=True,
                crowded=crowded,
            )
            track_read(sess, article_id, story_id, prepared.updates)
            known[("url", prepared.key)] = Stored(Outcome.DUPLICATE, article_id, story_id, "same url")
            known[("text", prepared.text_hash)] = Stored(Outcome.DUPLICATE, article_id, story_id, "same text")
            results.append(Stored(Outcome.STORED, article_id, story_id))
            if prepared.archive_source is not None:
                copied.append((article_id, prepared.key, prepared.archive_source))
        sess.commit()
    if archive_dir is not None and copied:
        names = archive.copy_files(archive_dir, [source for _, _, source in copied])
        crash_point("archive-record")
        rows = [{"row": article_id, "name": names[key]} for article_id, key, _ in copied]
        sess.connection().execute(
            update(ArticleRow).where(col(ArticleRow.id) == bindparam("row")).values(archive_file=bindparam("name")),
            rows,
        )
        sess.commit()
    return results


def _known(sess: Session, batch: Sequence[Prepared]) -> dict[tuple[str, str], Stored]:
    """Stored articles with one of the batch's URL keys or text hashes, as the duplicates they make."""
    keys, hashes = [p.key for p in batch], [p.text_hash for p in batch]
    rows = sess.exec(
        select(ArticleRow.id, ArticleRow.story_id, ArticleRow.url_key, ArticleRow.content_hash).where(
            col(ArticleRow.url_key).in_(keys) | col(ArticleRow.content_hash).in_(hashes)
        )
    ).all()
    known: dict[tuple[str, str], Stored] = {}
    for article_id, story_id, key, text_hash in rows:
        known[("url", key)] = Stored(Outcome.DUPLICATE, article_id or 0, story_id, "same url")
        known.setdefault(("text", text_hash), Stored(Outcome.DUPLICATE, article_id or 0, story_id, "same text"))
    return known
