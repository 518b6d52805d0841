"""An item's state follows the evidence (recent, probable, agreeing readings; a step back needs more of it), and a
change is announced only from a sure reading."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cpec_watch.models import Article, Update
from cpec_watch.parsers.changes import ItemState, is_regression
from cpec_watch.parsers.items import load_catalogue
from cpec_watch.parsers.status_reader import shipped_model
from cpec_watch.storage.articles import store_article
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.queries import item_rows
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


def walk(readings: list[tuple[str, float, date | None]], announce: float = 0.8) -> list[tuple[str | None, bool]]:
    """The (state after, announced) of each reading, read forward."""
    item = ItemState(announce)
    return [(step.state, step.change) for step in (item.read(*r) for r in readings)]


def test_the_first_reading_sets_the_state_and_a_sure_one_moves_it() -> None:
    assert walk([("approved", 0.9, date(2022, 1, 1)), ("under-construction", 0.9, date(2023, 1, 1))]) == [
        ("approved", False),  # a first state is news, not a change
        ("under-construction", True),
    ]


def test_an_unsure_reading_is_recorded_but_never_announced() -> None:
    steps = walk([("operational", 0.9, date(2024, 1, 1)), ("stalled", 0.6, date(2024, 6, 1))])
    assert steps == [("operational", False), ("stalled", False)]  # the state follows it, unannounced


def test_one_misreading_is_outvoted_by_the_readings_around_it() -> None:
    weekly = [("operational", 0.8, date(2025, 1, day)) for day in (1, 8, 15, 22)]
    steps = walk([*weekly, ("proposed", 0.7, date(2025, 1, 29)), ("operational", 0.8, date(2025, 2, 5))])
    assert [state for state, _ in steps] == ["operational"] * 6
    assert not any(change for _, change in steps)


def test_a_wrong_firm_reading_does_not_freeze_the_item() -> None:
    """ML-1 read "completed" in 2020 from "the preparations have been completed"; later reporting takes over."""
    steps = walk(
        [
            ("financing", 0.7, date(2019, 5, 1)),
            ("completed", 0.85, date(2020, 10, 1)),
            ("approved", 0.9, date(2022, 8, 31)),
            ("under-review", 0.85, date(2024, 3, 1)),
        ]
    )
    assert steps[-2:] == [("approved", True), ("under-review", True)]


def test_a_real_step_back_is_taken_and_a_regression_needs_more_evidence() -> None:
    assert walk([("operational", 0.9, date(2024, 1, 1)), ("stalled", 0.9, date(2024, 2, 1))])[-1] == ("stalled", True)
    regress = [("operational", 0.9, date(2024, 1, 1)), ("proposed", 0.9, date(2024, 2, 1))]
    assert walk(regress)[-1] == ("operational", False)  # a plan for a working port is no step back
    steps = walk([*regress, *(("proposed", 0.9, date(2024, 2, day)) for day in (2, 3, 4))])
    assert steps[-1][0] == "proposed" and ("proposed", True) in steps  # enough evidence turns it back


def test_undated_and_mentioned_readings_never_move_the_state() -> None:
    steps = walk([("approved", 0.9, None), ("approved", 0.9, date(2024, 1, 1)), ("mentioned", 0.99, date(2024, 2, 1))])
    assert steps == [(None, False), ("approved", False), ("approved", False)]
    assert walk([("approved", 0.9, date(2024, 1, 1)), ("cancelled", 0.99, None)])[-1] == ("approved", False)


def reads(status: str, confidence: float):  # type: ignore[no-untyped-def]
    """A finder that reads ``status`` for Gwadar port in any article."""
    return lambda title, paragraphs: [Update("gwadar-port", status, paragraphs[0], confidence=confidence)]


def test_the_timeline_announces_only_sure_changes(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'c.db'}")
    sure = shipped_model().announce
    unsure = round(sure - 0.2, 2)
    readings = [  # five distinct stories (their texts are their headlines) on five days, one undated
        ("operational", sure, date(2026, 1, 1), "Three ships carrying wheat berthed at Gwadar port on Monday."),
        ("proposed", sure, date(2026, 1, 2), "Officials said more berths are planned at Gwadar port by 2030."),
        ("cancelled", sure, None, "An undated page says Gwadar port was shelved."),
        ("stalled", unsure, date(2026, 1, 4), "A columnist in Lahore called Gwadar port idle in passing."),
        ("stalled", sure, date(2026, 1, 5), "Gwadar port has handled no cargo for months, the ministry admitted."),
    ]
    with session(engine) as sess:
        for number, (status, confidence, day, text) in enumerate(readings, start=1):
            url = f"https://news.example/gwadar/{number}"
            stored = store_article(sess, Article(url, url, "Dawn", text, day, (text,)), None)
            track_article(sess, stored.article_id, reads(status, confidence))
        entries = timeline(sess, "gwadar-port")
    engine.dispose()
    assert [(e.status, e.previous_status, e.state, e.is_change) for e in entries] == [
        ("cancelled", None, None, False),  # undated: first in the timeline, and it sets nothing
        ("operational", None, "operational", False),
        ("proposed", "operational", "operational", False),  # a plan for an operating port is no regression
        ("stalled", "operational", "operational", False),  # a setback read unsurely: outweighed, unannounced
        ("stalled", "operational", "stalled", True),  # a sure one with it: the port is stalled
    ]
    assert entries[0].date is None


def test_the_projects_page_marks_a_state_the_evidence_moved_but_did_not_announce(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    engine = open_engine(url)
    readings = [
        ("operational", 0.9, "Three ships carrying wheat berthed at Gwadar port on Monday."),
        ("stalled", 0.95, "Gwadar port has handled no cargo for months, the ministry admitted."),
    ]
    with session(engine) as sess:
        for day, (status, confidence, text) in enumerate(readings, start=1):
            link = f"https://news.example/gwadar/{day}"
            stored = store_article(sess, Article(link, link, "Dawn", text, date(2026, 2, day), (text,)), None)
            track_article(sess, stored.article_id, reads(status, confidence))
    engine.dispose()
    [port] = [row for row in item_rows(url, load_catalogue()) if row["slug"] == "gwadar-port"]
    assert (port["status"], port["unsure"], port["last_change"]) == ("stalled", True, None)
    [sure] = [row for row in item_rows(url, load_catalogue(), announce=0.5) if row["slug"] == "gwadar-port"]
    assert (sure["status"], sure["unsure"], sure["last_change"]) == ("stalled", False, "operational → stalled")
