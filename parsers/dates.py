"""Tolerant publication-date parsing (stdlib + regex, no dateutil).

Accepts machine formats (ISO 8601, RFC 822) and the visible bylines of news pages:
"Published August 31, 2025 | 05:30 PM", "31st Aug, 2025", "Updated 26 Sep, 2025 10:12am",
"September 26, 2025", "2025/08/31"; RFC 822 dates match the "31 Aug 2025" form. Only the calendar date is
kept: a page's own date is what readers see, so an ISO timestamp's local date is used as written.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
MONTH_NAME = (  # any month, full or abbreviated (shared with the time expressions of parsers/status.py)
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH = rf"(?P<month>{MONTH_NAME})"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?<!\d)(?P<year>(?:19|20)\d\d)[-/.](?P<month>[01]?\d)[-/.](?P<day>[0-3]?\d)(?!\d)",  # 2025-08-31
        rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b",  # August 31, 2025
        rf"(?<!\d){_DAY}(?:\s+of)?[\s-]+{_MONTH},?[\s-]+{_YEAR}\b",  # 31st Aug, 2025 / 31-Aug-2025
        r"(?<!\d)(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>(?:19|20)\d\d)(?!\d)",  # 31/08/2025
    )
)


def parse_date(text: str) -> date | None:
    """The first plausible calendar date in ``text``, or None."""
    if not text:
        return None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found = _build(match)
            if found:
                return found
    return None


def _build(match: re.Match[str]) -> date | None:
    month_text = match.group("month").lower().rstrip(".")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    if month is None:
        return None
    return _safe_date(int(match.group("year")), month, int(match.group("day")))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
