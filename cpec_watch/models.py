"""Plain typed objects passed between stages (no network, no database here); every stage may import them.

FeedSource -> ParsedFeed/FeedEntry -> ExtractedPage -> Article -> Update -> Digest
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Outcome(StrEnum):
    """What became of one feed entry or URL in a pass (stored on its seen entry, counted in the summary)."""

    STORED = "stored"  # a new article
    DUPLICATE = "duplicate"  # the same URL or text is stored already
    IRRELEVANT = "irrelevant"  # its page was read: not CPEC news
    SCREENED = "screened"  # off topic by its title and summary: its page was never fetched
    FAILED = "failed"  # fetching or extracting failed; retried on later passes
    SKIPPED = "skipped"  # a link that cannot be fetched (an undecodable aggregator link)
    SEEN = "seen"  # handled on an earlier pass, or by another feed in this one
    OUTSIDE_WINDOW = "outside_window"  # a backfill entry dated outside --since/--until
    INTERRUPTED = "interrupted"  # the pass was stopped first: not recorded, done by the next pass


class Status(StrEnum):
    """What an article reports of a tracked item's state (``../shared/STATUS-GUIDE.md`` defines each)."""

    PROPOSED = "proposed"
    UNDER_REVIEW = "under-review"
    APPROVED = "approved"
    FINANCING = "financing"
    GROUNDBREAKING = "groundbreaking"
    UNDER_CONSTRUCTION = "under-construction"
    COMPLETED = "completed"
    INAUGURATED = "inaugurated"
    OPERATIONAL = "operational"
    DELAYED = "delayed"
    STALLED = "stalled"
    CANCELLED = "cancelled"
    MEETING_HELD = "meeting-held"  # committees only
    MENTIONED = "mentioned"  # named, with no state


@dataclass(frozen=True)
class FeedSource:
    """One feed to poll: its URL and the outlet it belongs to."""

    url: str
    name: str
    topical: bool = False  # a CPEC-only feed (a CPEC news search): every entry's page is read and judged


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, as the feed describes it."""

    link: str
    title: str = ""
    summary: str = ""  # plain text
    guid: str | None = None
    published: date | None = None
    content_html: str | None = None  # full article HTML when the feed carries it
    outlet: str | None = None  # the original publisher an aggregator names (<source>, Bing's <News:Source>)


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed. ``error`` is set (and entries may be partial) for malformed input."""

    entries: tuple[FeedEntry, ...] = ()
    title: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ExtractedPage:
    """What an article page says about itself."""

    title: str | None = None
    published: date | None = None
    canonical_url: str | None = None
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeedText:
    """An article in the seed-file format: optional date, optional title, body paragraphs."""

    published: date | None = None
    title: str | None = None
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """A clean article ready to store."""

    url: str  # the URL it was fetched from (after redirects)
    canonical_url: str  # normalized identity URL
    source: str  # outlet name
    title: str | None = None
    published: date | None = None
    paragraphs: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Update:
    """The state one article reports for one tracked item, with the evidence for it."""

    slug: str
    status: Status
    evidence: str
    times: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    confidence: float = 1.0  # the calibrated probability that the status is read right


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
    confidence: float = 1.0  # how sure the status reading is (0-1)


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
class OlderImports:
    """Reporting recorded in a digest's period but dated long before it (a backfill): counted, not listed."""

    articles: int
    updates: int
    before: datetime.date  # every one of them was reported before this day


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
    more: tuple[tuple[str, int], ...] = ()  # (item slug, updates left out past the per-item budget)
    older: OlderImports | None = None
    first: bool = False  # a subscription's first digest: it covers a recent window, and claims the beginning
    base_url: str | None = None  # the web view's, for links to timelines; None: name the timeline command

    @property
    def is_empty(self) -> bool:
        """True when nothing is new; feed problems alone do not make a digest worth sending."""
        return not (self.status_changes or self.updates or self.other_news or self.older)

    @property
    def more_count(self) -> int:
        """Updates counted but not listed (past the per-item budget)."""
        return sum(count for _, count in self.more)

    @property
    def update_count(self) -> int:
        """Status changes plus other updates, listed or not (older imports included)."""
        older = self.older.updates if self.older else 0
        return len(self.status_changes) + len(self.updates) + self.more_count + older

    @property
    def summary(self) -> str:
        """E.g. '3 status changes, 12 updates, 1 other article', or 'no news'."""
        counts = [
            _count(len(self.status_changes), "status change", "status changes"),
            _count(len(self.updates) + self.more_count, "update", "updates"),
            _count(len(self.other_news), "other article", "other articles"),
            _count(self.older.articles if self.older else 0, "older article", "older articles"),
        ]
        return ", ".join(c for c in counts if c) or "no news"

    @property
    def subject(self) -> str:
        """E.g. 'CPEC Watch digest — 2026-11-22: 3 status changes, 12 updates'."""
        title = " ".join(self.title.split())
        return f"{title} — {self.period_end.date().isoformat()}: {self.summary}"


def _count(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"{n} {one if n == 1 else many}"
