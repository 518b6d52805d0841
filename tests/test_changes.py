"""Status changes a reader can trust: firm readings only, and no step back without a setback cue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cpec_watch.models import Article, Update
from cpec_watch.parsers.changes import FIRM, is_change, is_regression, moves_state
from cpec_watch.storage.articles import store_article
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.tracking import timeline, track_article


@pytest.mark.parametrize(
    "previous, status, regression",
    [
        ("operational", "proposed", True),
        ("inaugurated", "approved", True),
        ("under-construction", "under-review", True),
        ("approved", "financing", False),  # one stage: either order
        ("financing", "approved", False),
        ("proposed", "groundbreaking", False),
        ("operational", "stalled", False),  # a setback is explicit
        ("stalled", "operational", False),  # and so is the recovery ("reopened", "resumed")
        ("proposed", "meeting-held", False),  # committees meet again and again
    ],
)
def test_regressions(previous: str, status: str, regression: bool) -> None:
    assert is_regression(previous, status) is regression


def test_a_change_is_firm_informative_and_new() -> None:
    assert is_change("approved", "under-construction", FIRM)
    assert not is_change("approved", "under-construction", FIRM - 0.01)  # a tentative reading
    assert not is_change("approved", "approved", 1.0)
    assert not is_change("approved", "mentioned", 1.0)
    assert not is_change(None, "approved", 1.0)  # a first state is news, not a change
    assert moves_state(None, "approved", 0.1) and not moves_state("operational", "proposed", 1.0)


def reads(status: str, confidence: float):  # type: ignore[no-untyped-def]
    """A finder that reads ``status`` for Gwadar port in any article."""
    return lambda title, paragraphs: [Update("gwadar-port", status, paragraphs[0], confidence=confidence)]


def test_the_timeline_announces_only_trustworthy_changes(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'c.db'}")
    readings = [  # four distinct stories on four days
        ("operational", 0.67, "Three ships carrying wheat for the government berthed at Gwadar port on Monday."),
        ("proposed", 0.67, "Officials told a seminar in Quetta that more berths are planned at Gwadar port by 2030."),
        ("stalled", 0.3, "A columnist writing about tax reform in Lahore called Gwadar port idle in passing."),
        ("stalled", 0.67, "Gwadar port has handled no cargo for months, the maritime ministry admitted to senators."),
    ]
    with session(engine) as sess:
        for day, (status, confidence, text) in enumerate(readings, start=1):
            url = f"https://news.example/gwadar/{day}"
            stored = store_article(sess, Article(url, url, "Dawn", f"Gwadar {day}", date(2026, 1, day), (text,)), None)
            track_article(sess, stored.article_id, reads(status, confidence))
        entries = timeline(sess, "gwadar-port")
    engine.dispose()
    assert [(e.status, e.previous_status, e.is_change) for e in entries] == [
        ("operational", None, False),
        ("proposed", "operational", False),  # a plan for an operating port is no regression to announce
        ("stalled", "operational", False),  # not firm: shown, not announced
        ("stalled", "operational", True),
    ]
    assert [e.confidence for e in entries] == [0.67, 0.67, 0.3, 0.67]
