"""Stories: which stored story a new article joins, and the insert that puts it there.

Candidates come from the LSH band table, bounded: a band shared by more than ``BAND_CAP`` stored articles is
boilerplate that many stories print ("the China-Pakistan Economic Corridor (CPEC)"), not evidence of one story, so
it is not read at all; of the rest, the ``TOP_CANDIDATES`` articles sharing the most bands are estimated on their
MinHash signatures and the near ones checked on their words. The cost per article stays flat as the store grows.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import cast

from sqlalchemy import bindparam, insert, select, text
from sqlmodel import Session, col

from cpec_watch.failpoints import crash_point
from cpec_watch.models import Article
from cpec_watch.parsers import dedup
from cpec_watch.storage.db import sqlite_file_lock
from cpec_watch.storage.models import ArticleRow, Story, StoryBand, utcnow

STORY_DAYS = 14  # dated copies of one story are at most this far apart
ESTIMATE_SLACK = 0.06  # candidates this far below the threshold are checked exactly
BAND_CAP = 40  # a band more stored articles share than this is boilerplate, not a candidate source
TOP_CANDIDATES = 12  # the candidates sharing the most bands that are estimated on their signatures
_STORY_LOCK = threading.Lock()


@contextmanager
def story_lock(sess: Session) -> Iterator[None]:
    """Serialize story assignment (until the commit): across threads, and across processes by a transaction
    lock on PostgreSQL or a lock file beside a SQLite file."""
    bind = sess.get_bind()
    with _STORY_LOCK, sqlite_file_lock(bind.engine.url, "stories"):
        if bind.dialect.name == "postgresql":
            sess.exec(text("SELECT pg_advisory_xact_lock(731338)"))  # type: ignore[call-overload]
        yield


def band_candidates(sess: Session, bands: tuple[str, ...], crowded: set[str] | None = None) -> list[int]:
    """Ids of the stored articles sharing the most informative bands with ``bands``, best first.

    ``crowded`` (a bulk import's): bands found shared by more than BAND_CAP articles, which stay so as the store
    grows; they are not read again, and the ones found here are added.
    """
    if len(bands) != dedup.BANDS:
        return []
    skipped = crowded or set()
    params = {f"b{i}": _NO_BAND if band in skipped else band for i, band in enumerate(bands)}
    rows = sess.connection().execute(_BAND_ROWS, params).all()
    sizes = Counter(band for band, _ in rows)
    if crowded is not None:
        crowded.update(band for band, size in sizes.items() if size > BAND_CAP)
    shared = Counter(article_id for band, article_id in rows if sizes[band] <= BAND_CAP)
    return [article_id for article_id, _ in shared.most_common(TOP_CANDIDATES)]


_NO_BAND = ""  # no band key is empty: a band skipped reads no row


# At most BAND_CAP + 1 rows per band (an index range scan each): one statement, compiled once.
_BAND_ROWS = text(
    " UNION ALL ".join(
        f"SELECT band, article_id FROM (SELECT band, article_id FROM storyband WHERE band = :b{i} "
        f"LIMIT {BAND_CAP + 1}) AS band{i}"
        for i in range(dedup.BANDS)
    )
)


_CANDIDATES = select(
    col(ArticleRow.story_id), col(ArticleRow.signature), col(ArticleRow.body), col(ArticleRow.published)
).where(col(ArticleRow.id).in_(bindparam("ids", expanding=True)))


def matching_story(
    sess: Session, fingerprint: dedup.Fingerprint, text: str, published: date | None, crowded: set[str] | None = None
) -> int | None:
    """The story of the most similar stored article among the band candidates, if similar enough.

    MinHash estimates are noisy (about ±0.03) and the best of many candidates is biased upwards,
    so near candidates are checked on their exact shingle sets; a story also spans at most
    STORY_DAYS between dated copies.
    """
    ids = band_candidates(sess, fingerprint.bands, crowded)
    if not ids:
        return None
    candidates = sess.connection().execute(_CANDIDATES, {"ids": ids}).all()
    mine, best, best_story = frozenset[str](), 0.0, None
    for story_id, signature, body, other_date in candidates:
        if published and other_date and abs((published - other_date).days) > STORY_DAYS:
            continue
        if dedup.stored_similarity(fingerprint, signature) < dedup.SAME_STORY_THRESHOLD - ESTIMATE_SLACK:
            continue
        mine = mine or dedup.shingles(text)
        theirs = dedup.shingles(body)
        score = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
        if score > best:
            best, best_story = score, story_id
    return best_story if best >= dedup.SAME_STORY_THRESHOLD else None


_NEW_STORY = insert(Story).returning(col(Story.id))
_NEW_ARTICLE = insert(ArticleRow).returning(col(ArticleRow.id))


def insert_article(
    sess: Session,
    data: Article,
    key: str,
    text_hash: str,
    fingerprint: dedup.Fingerprint,
    *,
    tracked: bool = False,
    crowded: set[str] | None = None,
) -> tuple[int, int]:
    """Insert a new article into its story (joined or started) with its band keys; returns (article, story) ids.

    The caller holds :func:`story_lock` and has checked that neither the key nor the text is stored; ``tracked``
    when it records the article's updates in the same transaction, ``crowded`` as :func:`band_candidates` takes it.
    """
    conn = sess.connection()
    story_id = matching_story(sess, fingerprint, data.text, data.published, crowded)
    if story_id is None:
        story_id = cast(int, conn.execute(_NEW_STORY, {"created_at": utcnow()}).scalar_one())
    row = dict(
        url_key=key,
        url=data.url,
        canonical_url=data.canonical_url,
        source=data.source,
        title=data.title,
        published=data.published,
        fetched_at=utcnow(),
        body=data.text,
        content_hash=text_hash,
        signature=" ".join(fingerprint.stored),
        story_id=story_id,
        tracked=tracked,
    )
    article_id = cast(int, conn.execute(_NEW_ARTICLE, row).scalar_one())
    if fingerprint.bands:
        conn.execute(insert(StoryBand), [{"band": band, "article_id": article_id} for band in fingerprint.bands])
    crash_point("article-insert")
    return article_id, story_id
