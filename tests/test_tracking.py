"""Tracked-item updates in the store: the seeds' expected updates, one per story, timelines, reindex."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from cpec_watch.cli.main import cli
from cpec_watch.config.settings import load_settings
from cpec_watch.flows.backfill import import_folder
from cpec_watch.flows.pipeline import open_pipeline
from cpec_watch.models import Article
from cpec_watch.parsers.items import load_catalogue
from cpec_watch.parsers.status import updates_finder
from cpec_watch.parsers.status_reader import shipped_model
from cpec_watch.storage.articles import store_article
from cpec_watch.storage.db import session
from cpec_watch.storage.models import ArticleRow
from cpec_watch.storage.tracking import reindex, timeline, track_article
from tests.conftest import SEEDS

# What the seeds must yield (issue #3's acceptance list), by seed file number.
SEED_ITEMS = {
    "000": {"kohat-cargo-train", "rashakai-sez"},
    "001": {"rashakai-sez", "dhabeji-sez", "aiic-faisalabad", "gwadar-port", "jcc", "jwg-industrial-cooperation"},
    "002": {"ml-1", "gwadar-port", "mining-corridor", "khunjerab-border", "torkham-border", "jcc"},
    "004": {
        "jwg-industrial-cooperation",
        "rashakai-sez",
        "dhabeji-sez",
        "aiic-faisalabad",
        "bostan-sez",
        "pakistan-steel-mills",
        "kccdz",
    },
}


@pytest.fixture
def seeded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = load_settings(db=db_url, archive=tmp_path / "articles")
    with open_pipeline(settings) as pipe:
        assert import_folder(pipe, SEEDS, "seed").stored == 5
        yield pipe


def test_seeds_yield_the_expected_updates_once_per_story(seeded) -> None:  # type: ignore[no-untyped-def]
    with session(seeded.engine) as sess:
        entries = timeline(sess)
        files = {a.id: a.archive_file[:3] for a in sess.exec(select(ArticleRow)).all()}
    by_seed: dict[str, dict[str, str]] = {}
    for entry in entries:
        by_seed.setdefault(files[entry.article_id], {})[entry.item] = entry.status
    for seed, items in SEED_ITEMS.items():
        assert items <= set(by_seed[seed]), (seed, set(by_seed[seed]))
    assert set(by_seed["003"]) == {"digital-silk-road"}  # same story as 002: only what 002 did not report
    assert by_seed["000"]["kohat-cargo-train"] in {"under-review", "under-construction"}
    assert by_seed["001"]["gwadar-port"] == "stalled"
    assert by_seed["002"]["jcc"] == "meeting-held"
    assert by_seed["004"]["jwg-industrial-cooperation"] == "meeting-held"
    rashakai_001 = next(e for e in entries if e.item == "rashakai-sez" and files[e.article_id] == "001")
    assert "in September" in rashakai_001.times
    jcc = next(e for e in entries if e.item == "jcc" and files[e.article_id] == "002")
    assert [files[a.id] for a in _articles(seeded, jcc.sources)] == ["002", "003"]


def _articles(pipe, sources):  # type: ignore[no-untyped-def]
    with session(pipe.engine) as sess:
        return [sess.exec(select(ArticleRow).where(ArticleRow.url == url)).one() for _, url in sources]


def test_a_later_report_moves_the_state_and_is_announced_when_sure_enough(seeded) -> None:  # type: ignore[no-untyped-def]
    later = Article(
        "https://dawn.com/news/ml1-ground",
        "https://dawn.com/news/ml1-ground",
        "Dawn",
        "Groundbreaking of ML-1 railway upgrade performed",
        date(2026, 11, 20),
        (
            "Prime Minister performed the groundbreaking of the ML-1 railway upgrade in Karachi on "
            "Thursday, officials said.",
            "The first section runs from Karachi to Hyderabad.",
        ),
    )
    with session(seeded.engine) as sess:
        stored = store_article(sess, later, None)
        track_article(sess, stored.article_id, seeded.find_updates)
        ml1 = timeline(sess, "ml-1")
        lenient = timeline(sess, "ml-1", announce=0.5)
    assert (ml1[-1].status, ml1[-1].state) == ("groundbreaking", "groundbreaking")  # the evidence moves the state
    assert ml1[-1].confidence < shipped_model().announce and not ml1[-1].is_change  # one story is not enough
    assert lenient[-1].is_change and lenient[-1].previous_status == ml1[-2].state  # unless asked to announce it


def test_reindex_applies_a_changed_catalogue_without_fetching(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "items.toml"
    extra.write_text(
        '[[items]]\nslug = "china-window"\nname = "China Window Peshawar"\n'
        'aliases = ["China Window"]\ncategory = "culture"\n'
    )
    with session(seeded.engine) as sess:
        before = len(timeline(sess))
        assert not timeline(sess, "china-window")
        assert reindex(sess, updates_finder(load_catalogue(extra))) == before + 1
        assert [e.item for e in timeline(sess, "china-window")] == ["china-window"]
        assert reindex(sess, updates_finder(load_catalogue())) == before  # and back


def test_items_timeline_and_articles_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["backfill", "--from-dir", str(SEEDS)]).exit_code == 0
    items = json.loads(runner.invoke(cli, ["items", "--json"]).output)
    by_slug = {row["slug"]: row for row in items}
    assert by_slug["jcc"]["status"] == "meeting-held" and by_slug["gwadar-airport"]["status"] is None
    assert {"slug", "name", "status", "date"} <= set(items[0])
    rows = json.loads(runner.invoke(cli, ["timeline", "gwadar-port", "--json"]).output)
    assert {row["item"] for row in rows} == {"gwadar-port"}
    assert {"item", "status", "date", "article_url", "evidence"} <= set(rows[0])
    assert all(row["evidence"] for row in rows)
    articles = json.loads(runner.invoke(cli, ["articles", "--json"]).output)
    assert "jcc" in next(a for a in articles if a["archive_file"].startswith("003"))["items"]
    missing = runner.invoke(cli, ["timeline", "no-such-item"])
    assert missing.exit_code == 2 and "unknown tracked item: no-such-item" in missing.output
    assert "reindexed:" in runner.invoke(cli, ["reindex"]).output
