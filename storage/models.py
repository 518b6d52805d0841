"""SQLModel tables. They stay inside ``storage/``; other stages see plain dataclasses.

Identity is enforced by the database: unique URL keys, unique content hashes, one
seen-entry row per canonical link, so re-runs and concurrent runs cannot duplicate.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cpec_watch.clock import utcnow
from cpec_watch.models import SeedText


def row_id(row: SQLModel) -> int:
    """The primary key of a row that was loaded from or flushed to the database (so it is set)."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise ValueError(f"{type(row).__name__} has no id yet")
    return value


class Feed(SQLModel, table=True):
    """A polled feed and its health."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    name: str
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_polled: datetime | None = None
    last_success: datetime | None = None
    failing_since: datetime | None = None
    consecutive_failures: int = 0
    entries_seen: int = 0
    last_new_entry: datetime | None = None  # the last poll that brought an entry not seen before
    next_poll: datetime | None = None  # a failing feed rests until then


class Story(SQLModel, table=True):
    """One news story, carried by one or more articles (syndicated or rewritten copies)."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class ArticleRow(SQLModel, table=True):
    """One stored article (table ``article``); ``url_key`` is the first 16 hex of SHA-256 of the canonical URL."""

    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    url_key: str = Field(unique=True, max_length=16)
    url: str
    canonical_url: str = Field(unique=True)
    source: str
    title: str | None = None
    published: date | None = Field(default=None, index=True)
    fetched_at: datetime = Field(default_factory=utcnow, index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(unique=True, max_length=64)
    signature: str = Field(sa_column=Column(Text, nullable=False))  # MinHash values, space-separated
    story_id: int = Field(foreign_key="story.id", index=True)
    archive_file: str | None = None
    tracked: bool = Field(default=False, index=True)  # its tracked-item updates are recorded

    def seed_text(self) -> SeedText:
        """The stored article in the seed format (its body's paragraphs are separated by blank lines)."""
        return SeedText(self.published, self.title, tuple(p for p in self.body.split("\n\n") if p))


class StoryBand(SQLModel, table=True):
    """LSH band keys of an article's MinHash: candidates for the same story share a band."""

    band: str = Field(primary_key=True)
    article_id: int = Field(primary_key=True, foreign_key="article.id")


class SeenEntry(SQLModel, table=True):
    """A link already handled, so its page is fetched once.

    ``outcome``: stored, duplicate (``article_id`` is the article with the same text: another
    outlet's copy), irrelevant, skipped or failed (retried on later runs until ``attempts``
    reaches the limit).
    """

    __table_args__ = (Index("ix_seenentry_outcome", "outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    url_key: str = Field(unique=True, max_length=16)
    url: str
    feed_url: str | None = None
    source: str | None = None
    outcome: str
    detail: str | None = None
    attempts: int = 1
    article_id: int | None = Field(default=None, foreign_key="article.id")
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)


class UpdateRow(SQLModel, table=True):
    """What one story reports about one tracked item (one row per item per story)."""

    __tablename__ = "itemupdate"
    __table_args__ = (UniqueConstraint("item", "story_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(index=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    article_id: int = Field(foreign_key="article.id")  # the first article that reported it
    status: str
    confidence: float = 1.0  # how sure the status reading is (parsers/status_model.py)
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    times: str = ""  # time expressions, " | "-separated
    amounts: str = ""  # amounts, " | "-separated
    date: dt.date | None = None  # the story's earliest publication date, else the fetch day (None: undated import)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class UpdateSource(SQLModel, table=True):
    """An article (outlet) that carried an update's story."""

    update_id: int = Field(primary_key=True, foreign_key="itemupdate.id")
    article_id: int = Field(primary_key=True, foreign_key="article.id")


class DigestRecord(SQLModel, table=True):
    """The outbox: a digest recorded before it is sent and marked after.

    ``status``: sending (an attempt began; if the run died there the message may have gone out,
    so it is never sent again), sent, failed (nothing went out: the next digest covers the same
    period plus what is new), partial (Slack: ``delivered`` of the messages went out; the rest
    are sent next run).
    """

    __table_args__ = (Index("ix_digestrecord_subscription_status", "subscription", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription: str
    channel: str
    period_start: datetime | None = None
    period_end: datetime
    status: str
    content: str = Field(sa_column=Column(Text, nullable=False))  # what was (to be) sent, as rendered
    delivered: int = 0
    updates: int = 0
    error: str | None = None
    claim: str | None = Field(default=None, unique=True)  # "<subscription>:<period start>" while it may go out
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
