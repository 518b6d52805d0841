"""Stories: which stored story a new article joins, and the insert that puts it there.

Candidates come from the LSH band table, bounded: a band shared by more than ``BAND_CAP`` stored articles is
boilerplate that many stories print ("the China-Pakistan Economic Corridor (CPEC)"), not evidence of one story, so
it is not read at all; of the rest, the ``TOP_CANDIDATES`` articles sharing the most bands are estimated on their
MinHash signatures and the near ones checked on their words. The cost per article stays flat as the store grows.

A reworded copy of one event may share too few words for a band, so a dated article is also stored under its
event keys (``parsers/events.py``: the lead's names and figures with the day, in the same key table as the bands)
and looks up those of the days around it, capped the same way. Whether a candidate is the same story is decided
by ``events.same_story``: words and event signature for articles dated within ``events.EVENT_DAYS``, words alone
for the others.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import cast

from sqlalchemy import TextClause, bindparam, insert, select, text
from sqlmodel import Session, col

from cpec_watch.clock import utcnow
from cpec_watch.failpoints import crash_point
from cpec_watch.models import Article
from cpec_watch.parsers import dedup, events
from cpec_watch.storage.db import sqlite_file_lock
from cpec_watch.storage.models import ArticleRow, Story, StoryBand

STORY_DAYS = 14  # dated copies of one story are at most this far apart
ESTIMATE_SLACK = 0.06  # candidates this far below the threshold are checked exactly
BAND_CAP = 40  # a band more stored articles share than this is boilerplate, not a candidate source
TOP_CANDIDATES = 12  # the candidates sharing the most bands that are estimated on their signatures
LOW_ESTIMATE = 0.1  # a candidate estimated (or found) less similar than this is not the same story
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
    return _most_shared(sess, _BAND_ROWS, bands, crowded)


def _most_shared(sess: Session, query: TextClause, keys: Sequence[str], crowded: set[str] | None) -> list[int]:
    """Ids of the stored articles sharing the most of ``keys`` (one slot of ``query`` each) in the band index,
    keys shared by more than BAND_CAP articles left out (and added to ``crowded``, whose keys are not read)."""
    skipped = crowded or set()
    params = {f"k{i}": _NO_BAND if key in skipped else key for i, key in enumerate(keys)}
    rows = sess.connection().execute(query, params).all()
    sizes = Counter(key for key, _ in rows)
    if crowded is not None:
        crowded.update(key for key, size in sizes.items() if size > BAND_CAP)
    shared = Counter(article_id for key, article_id in rows if sizes[key] <= BAND_CAP)
    return [article_id for article_id, _ in shared.most_common(TOP_CANDIDATES)]


_NO_BAND = ""  # no band key is empty: a band skipped reads no row


def _keyed_rows(slots: int) -> TextClause:
    """At most BAND_CAP + 1 rows per key (an index range scan each): one statement, compiled once."""
    return text(
        " UNION ALL ".join(
            f"SELECT band, article_id FROM (SELECT band, article_id FROM storyband WHERE band = :k{i} "
            f"LIMIT {BAND_CAP + 1}) AS key{i}"
            for i in range(slots)
        )
    )


_BAND_ROWS = _keyed_rows(dedup.BANDS)
_EVENT_KEYS = events.KEYS * 2 * (2 * events.EVENT_DAYS + 1)  # names and figures, on each day of the window
_EVENT_ROWS = _keyed_rows(_EVENT_KEYS)


def event_candidates(sess: Session, keys: tuple[str, ...], crowded: set[str] | None = None) -> list[int]:
    """Ids of the stored articles sharing the most event keys with ``keys`` (as :func:`band_candidates`)."""
    if not keys:
        return []
    padded = [*keys[:_EVENT_KEYS], *[_NO_BAND] * (_EVENT_KEYS - len(keys))]
    return _most_shared(sess, _EVENT_ROWS, padded, crowded)


_CANDIDATES = select(
    col(ArticleRow.story_id),
    col(ArticleRow.signature),
    col(ArticleRow.published),
    col(ArticleRow.body),
    col(ArticleRow.title),
).where(col(ArticleRow.id).in_(bindparam("ids", expanding=True)))


def matching_story(
    sess: Session,
    fingerprint: dedup.Fingerprint,
    text: str,
    published: date | None,
    crowded: set[str] | None = None,
    title: str | None = None,
    event: events.Signature | None = None,
) -> int | None:
    """The story of the stored candidate most surely the same story, if any is (``event``: the article's
    signature, when the caller has it already).

    MinHash estimates are noisy (about ±0.03) and the best of many candidates is biased upwards, so candidates
    are estimated first and the nearer ones checked on their exact shingle sets, then on their event signatures
    when dated within EVENT_DAYS; a story also spans at most STORY_DAYS between dated copies.
    """
    ids = band_candidates(sess, fingerprint.bands, crowded)
    if published is not None:
        event = event or events.signature(text, title)
        found = set(ids)
        keys = events.event_keys(event, published, events.EVENT_DAYS)
        ids += [i for i in event_candidates(sess, keys, crowded) if i not in found]
    if not ids:
        return None
    mine, best, best_story = frozenset[str](), 0.0, None
    for story_id, signature, other_date, body, other_title in sess.connection().execute(_CANDIDATES, {"ids": ids}):
        days = abs((published - other_date).days) if published and other_date else None
        if days is not None and days > STORY_DAYS:
            continue
        in_window = event is not None and days is not None and days <= events.EVENT_DAYS
        estimate = dedup.stored_similarity(fingerprint, signature)
        if estimate < (LOW_ESTIMATE if in_window else events.TEXT_ONLY_THRESHOLD - ESTIMATE_SLACK):
            continue
        mine = mine or dedup.shingles(text)
        if event is not None and in_window:
            theirs = events.signature(body, other_title)
            if events.event_score(min(1.0, estimate + ESTIMATE_SLACK), event, theirs) < events.EVENT_THRESHOLD:
                continue  # not even with the words as near as the estimate allows: no need to count them
            score = events.same_story(_words(mine, body), event, theirs, days)
        else:
            score = events.same_story(_words(mine, body), _NO_SIGNATURE, _NO_SIGNATURE, None)
        if score is not None and score > best:
            best, best_story = score, story_id
    return best_story


def _words(mine: frozenset[str], body: str) -> float:
    """Jaccard similarity of ``mine`` and the content words of ``body``."""
    theirs = dedup.shingles(body)
    return len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0


_NO_SIGNATURE = events.Signature(frozenset(), frozenset(), frozenset(), ())


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
    event = events.signature(data.text, data.title) if data.published is not None else None
    story_id = matching_story(sess, fingerprint, data.text, data.published, crowded, data.title, event)
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
    keys = list(fingerprint.bands)
    if event is not None and data.published is not None:
        keys += events.event_keys(event, data.published)
    if keys:
        conn.execute(insert(StoryBand), [{"band": key, "article_id": article_id} for key in dict.fromkeys(keys)])
    crash_point("article-insert")
    return article_id, story_id
