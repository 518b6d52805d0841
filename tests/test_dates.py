"""parse_date: machine formats and the visible bylines of news pages."""

from __future__ import annotations

from datetime import date

import pytest

from cpec_watch.parsers.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-08-31T17:30:00+05:00", date(2025, 8, 31)),
        ("2025-08-31T23:30:00-05:00", date(2025, 8, 31)),  # the local date as written, not UTC
        ("2025-08-31", date(2025, 8, 31)),
        ("2025/09/02 10:00", date(2025, 9, 2)),
        ("Sun, 31 Aug 2025 12:30:00 GMT", date(2025, 8, 31)),
        ("Tue, 02 Sep 2025 07:05:00 +0500", date(2025, 9, 2)),
        ("Published August 31, 2025 | 05:30 PM", date(2025, 8, 31)),
        ("31st Aug, 2025", date(2025, 8, 31)),
        ("PESHAWAR, (UrduPoint / Pakistan Point News - 31st Aug, 2025) Provincial", date(2025, 8, 31)),
        ("Updated 26 Sep, 2025 10:12am", date(2025, 9, 26)),
        ("September 26, 2025", date(2025, 9, 26)),
        ("Sept. 3, 2025", date(2025, 9, 3)),
        ("3rd of March 2025", date(2025, 3, 3)),
        ("14-Sep-2025", date(2025, 9, 14)),
        ("31/08/2025", date(2025, 8, 31)),
    ],
)
def test_parses_known_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "no date here", "2025-02-30", "August 2025", "Room 12, Block 2025"])
def test_rejects_what_is_not_a_full_date(text: str) -> None:
    assert parse_date(text) is None


def test_skips_an_impossible_date_for_a_later_valid_one() -> None:
    assert parse_date("ref 2025-13-45, published 2025-09-01") == date(2025, 9, 1)
