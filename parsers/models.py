"""Plain typed objects passed between stages (no network, no database here).

FeedSource -> FetchResult -> ParsedFeed/FeedEntry -> ExtractedPage -> Article
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class FeedSource:
    """One feed to poll: its URL and the outlet it belongs to."""

    url: str
    name: str


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
