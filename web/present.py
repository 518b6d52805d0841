"""How the web view shows stored values a person reads: moments, feed addresses, error texts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

SHORT_ERROR = 40  # characters of an error shown in a table (the whole text on hover)
_EXCEPTION = re.compile(r"^(?:[\w.]+(?:Error|Exception|Timeout)\w*): ")
_ERRNO = re.compile(r"\[Errno -?\d+\] ")


def when(value: str | None) -> str:
    """An ISO timestamp as '2026-12-08 01:50 UTC' ('' for None)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def where(url: str) -> str:
    """A feed URL's host and path ('www.dawn.com/feeds/home'), so two feeds of one outlet differ."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return parts.netloc + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")


def short_error(error: str) -> str:
    """An error as a person reads it in a table: one line, no exception class or errno, at most SHORT_ERROR
    characters ('HTTP 403', 'Connection refused', 'Name or service not known')."""
    text = _ERRNO.sub("", _EXCEPTION.sub("", " ".join(error.split())))
    return text if len(text) <= SHORT_ERROR else text[: SHORT_ERROR - 1].rstrip() + "…"
