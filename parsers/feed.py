"""RSS 2.0, Atom and RDF feeds from fetched bytes to ``ParsedFeed`` (feedparser never fetches here).

Malformed XML gives ``ParsedFeed.error`` (feedparser's bozo exception on one line) plus whatever entries feedparser
recovered; input that is not a feed at all (an HTML page, an empty body) gives an error and no entries.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from bs4 import BeautifulSoup

from cpec_watch.models import FeedEntry, ParsedFeed
from cpec_watch.parsers.dates import parse_date

FULL_TEXT_MIN_CHARS = 600  # content:encoded / atom:content counts as a whole article above this much plain text
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_LEFTOVER_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def parse_feed(body: bytes, *, content_type: str | None = None, base_url: str | None = None) -> ParsedFeed:
    """Parse feed bytes; ``content_type`` is the HTTP header, ``base_url`` resolves relative entry links.

    The base is not handed to feedparser: it would also "resolve" opaque relative GUIDs into URLs.
    """
    if not body.strip():
        return ParsedFeed(error="empty body")
    headers = {}
    if content_type:
        headers["content-type"] = _trusted_content_type(content_type, body)
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except ValueError as exc:  # feedparser 6.0 crashes on a non-UTF-8 <?xml encoding> value, &#x110000; and the like
        return ParsedFeed(error=f"unparseable feed: {_one_line(exc)}")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        return ParsedFeed(error=f"not a feed: {_one_line(problem) if problem else 'no RSS, Atom or RDF root'}")
    entries = _entries(parsed.entries, base_url)
    title = _plain(parsed.feed.get("title", "")) or None
    error = _one_line(problem) if problem is not None and not isinstance(problem, _BENIGN_BOZO) else None
    return ParsedFeed(entries=entries, title=title, error=error)


def _trusted_content_type(content_type: str, body: bytes) -> str:
    """Drop a declared charset that cannot be right: a non-UTF-8 charset on a body that is valid, non-ASCII UTF-8."""
    message = Message()
    message["content-type"] = content_type
    charset = (message.get_content_charset() or "").replace("_", "-")
    if not charset or charset in ("utf-8", "utf8") or body.isascii():
        return content_type
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return content_type
    return message.get_content_type()


def _entries(raw_entries: list[dict[str, Any]], base_url: str | None) -> tuple[FeedEntry, ...]:
    """The usable entries, each once. An entry is its GUID and, since some CMSs give many items one GUID, its link
    too (as Miniflux tells them apart): the same GUID with another link is another item, with the same link a
    repeat. Copies under different GUIDs or links are the store's to recognise (URL key, text, near-duplicates)."""
    entries: list[FeedEntry] = []
    seen: set[tuple[str, str]] = set()
    for raw in raw_entries:
        guid = (raw.get("id") or "").strip() or None
        link = _link(raw, base_url)
        if link is None:
            continue
        if guid is not None:
            if (guid, link) in seen:
                continue
            seen.add((guid, link))
        entries.append(
            FeedEntry(
                link=link,
                title=_plain(raw.get("title", "")),
                summary=_plain(raw.get("summary", "")),
                guid=guid,
                published=_published(raw),
                content_html=_full_text(raw),
                outlet=_credited_publisher(raw),
            )
        )
    return tuple(entries)


def _credited_publisher(raw: dict[str, Any]) -> str | None:
    """The publisher an aggregator's item credits: RSS ``<source>`` or Bing's ``<News:Source>``."""
    source = raw.get("source")
    name = source.get("title") if isinstance(source, dict) else None
    name = name or raw.get("news_source")
    return " ".join(name.split()) if isinstance(name, str) and name.strip() else None


def _link(raw: dict[str, Any], base_url: str | None) -> str | None:
    """The entry's ``link``, else its guid when that is a permalink; absolute http(s) or None."""
    candidates = [raw.get("link")]
    if raw.get("guidislink", True):
        candidates.append(raw.get("id"))
    for candidate in candidates:
        if not candidate or not isinstance(candidate, str):
            continue
        try:
            link = urljoin(base_url, candidate.strip()) if base_url else candidate.strip()
            parts = urlsplit(link)
        except ValueError:  # e.g. "http://[broken"
            continue
        if parts.scheme in ("http", "https") and parts.netloc:
            return link
    return None


def _published(raw: dict[str, Any]) -> date | None:
    """The date as the publisher wrote it (its own time zone), else feedparser's UTC date."""
    for key in ("published", "updated"):
        found = parse_date(raw.get(key) or "")
        if found:
            return found
    for key in ("published_parsed", "updated_parsed"):
        stamp = raw.get(key)
        if stamp:
            return date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
    return None


def _full_text(raw: dict[str, Any]) -> str | None:
    """The longest content block when its plain text exceeds FULL_TEXT_MIN_CHARS."""
    bodies = [block.get("value") or "" for block in raw.get("content", [])]
    best = max(bodies, key=len, default="")
    return best if len(_plain(best)) > FULL_TEXT_MIN_CHARS else None


def _plain(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded (twice-escaped ones too), spaces collapsed."""
    if not markup:
        return ""
    text = BeautifulSoup(markup, "lxml").get_text(" ") if "<" in markup or "&" in markup else markup
    if _LEFTOVER_ENTITY.search(text):
        text = html.unescape(text)
    return " ".join(text.split())


def _one_line(problem: BaseException) -> str:
    return " ".join(f"{type(problem).__name__}: {problem}".split())
