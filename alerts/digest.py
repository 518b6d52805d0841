"""The typed digest the lead builds from the database and the channels render."""
from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLink:
    """One outlet reporting an update, with the article URL."""

    outlet: str
    url: str


@dataclass(frozen=True)
class DigestUpdate:
    """What one article says about one tracked item (status, evidence sentence, sources)."""

    item_slug: str
    item_name: str
    status: str
    previous_status: str | None
    evidence: str
    date: datetime.date | None
    sources: tuple[SourceLink, ...]
    times: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestArticle:
    """A CPEC article that mentions no tracked item."""

    title: str
    outlet: str
    url: str
    date: datetime.date | None


@dataclass(frozen=True)
class FeedProblem:
    """A feed that has been failing since ``since``."""

    outlet: str
    error: str
    since: datetime.datetime


@dataclass(frozen=True)
class Digest:
    """Everything new in one period, in the order it is shown."""

    title: str
    generated_at: datetime.datetime
    period_start: datetime.datetime | None
    period_end: datetime.datetime
    status_changes: tuple[DigestUpdate, ...]
    updates: tuple[DigestUpdate, ...]
    other_news: tuple[DigestArticle, ...]
    feed_problems: tuple[FeedProblem, ...]

    @property
    def is_empty(self) -> bool:
        """True when nothing is new; feed problems alone do not make a digest worth sending."""
        return not (self.status_changes or self.updates or self.other_news)

    @property
    def update_count(self) -> int:
        """Status changes plus other updates."""
        return len(self.status_changes) + len(self.updates)

    @property
    def summary(self) -> str:
        """E.g. '3 status changes, 12 updates, 1 other article', or 'no news'."""
        counts = [
            _count(len(self.status_changes), "status change", "status changes"),
            _count(len(self.updates), "update", "updates"),
            _count(len(self.other_news), "other article", "other articles"),
        ]
        return ", ".join(c for c in counts if c) or "no news"

    @property
    def subject(self) -> str:
        """E.g. 'CPEC Watch digest — 2026-11-22: 3 status changes, 12 updates'."""
        title = " ".join(self.title.split())
        return f"{title} — {self.period_end.date().isoformat()}: {self.summary}"


def _count(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"{n} {one if n == 1 else many}"
