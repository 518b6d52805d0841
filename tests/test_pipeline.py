"""End to end against the fixture web server: feeds -> clean articles -> deduplicated store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.runs import backfill_pass, monitor_pass
from cpec_watch.parsers import seedformat
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.models import ArticleRow, Feed, SeenEntry
from tests.conftest import FIXTURES
from tests.support.webserver import FixtureServer, serve_fixtures

EXPECTED = json.loads((FIXTURES / "web" / "expected.json").read_text(encoding="utf-8"))
QUIRK_FEEDS = {  # feed path -> what the feed's health must say (None: polled fine)
    "/feeds/flaky.xml": None,
    "/feeds/rate-limited.xml": None,
    "/feeds/mislabeled-charset.xml": None,
    "/feeds/windows-1252.xml": None,
    "/feeds/malformed.xml": None,
    "/feeds/down.xml": "HTTP 500",
    "/feeds/blocked.xml": "HTTP 403",
    "/feeds/missing.xml": "HTTP 404",
    "/feeds/slow.xml": "timed out",
    "/feeds/huge.xml": "too large",
    "/feeds/endless.xml": "too large",
    "/feeds/not-a-feed.xml": "not a usable feed",
}
CONFIG = """
import_seeds = false
[fetch]
read_timeout = 1.0
total_timeout = 5.0
max_bytes = 2000000
retries = 1
backoff = 0.05
"""


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with serve_fixtures() as running:  # a new server each test: "fail once" feeds fail again
        yield running


def feed_list(server: FixtureServer, folder: Path, paths: list[str]) -> Path:
    path = folder / "feeds.toml"
    path.write_text("".join(f'[[feeds]]\nurl = "{server.url(p)}"\nname = "{p.rsplit("/", 1)[-1]}"\n' for p in paths))
    return path


def settings_for(db_url: str, folder: Path):  # type: ignore[no-untyped-def]
    (folder / "config.toml").write_text(CONFIG)
    return load_settings(db=db_url, archive=folder / "articles", config=folder / "config.toml")


def test_monitor_pass_stores_each_cpec_article_once_and_a_second_pass_fetches_nothing(
    db_url: str, tmp_path: Path, server: FixtureServer
) -> None:
    feeds = feed_list(server, tmp_path, EXPECTED["totals"]["main_feeds"] + list(QUIRK_FEEDS))
    settings = settings_for(db_url, tmp_path)

    first = monitor_pass(settings, feeds_file=feeds)

    engine = open_engine(db_url)
    with session(engine) as sess:
        articles = sess.exec(select(ArticleRow)).all()
        health = {f.url.removeprefix(server.base_url): f for f in sess.exec(select(Feed)).all()}
    # Every CPEC story is there, each in exactly one story, and nothing else is.
    by_path = {a.canonical_url.split("127.0.0.1", 1)[-1].split("/", 1)[-1]: a for a in articles}
    story_of = {"/" + path: a.story_id for path, a in by_path.items()}
    for name, story in EXPECTED["stories"].items():
        stored = {story_of[p.rstrip("/")] for p in story["articles"] if p.rstrip("/") in story_of}
        if story["cpec"]:
            assert len(stored) == 1, f"story {name} is stored as {len(stored)} stories"
        else:
            assert not stored, f"irrelevant story {name} was stored"
    assert len({a.story_id for a in articles}) == EXPECTED["totals"]["cpec_stories"]
    assert first.total("stored") == len(articles) >= EXPECTED["totals"]["cpec_stories"]
    # Tracking parameters, redirects, AMP and Bing's url= wrapper never reach the identity URL.
    for article in articles:
        assert "utm_" not in article.canonical_url and "/amp" not in article.canonical_url
        assert "bing.com" not in article.canonical_url and "/redirect" not in article.canonical_url
    # An aggregator's entry is credited to the publisher it points at, not to the aggregator.
    assert by_path["frontier/kohat-afghanistan-cargo-train-feasibility-study"].source == "Frontier Ledger"
    # Titles and dates come from the pages (or the feed for full-text feeds).
    for path, page in {**EXPECTED["pages"], **EXPECTED["full_text_entries"]}.items():
        article = by_path.get(path.strip("/"))
        if article is not None:
            assert article.title == page["title"]
            if page["date"]:  # a page without a date takes its feed entry's date
                assert article.published.isoformat() == page["date"]
            for snippet in page["must_contain"]:
                assert snippet in article.body
            for snippet in page.get("must_not_contain", []):
                if path != "/urdupoint/en/business/pakistan-china-open-14th-jcc-meeting-in-beijing-1912345.html":
                    assert snippet not in article.body, f"{snippet!r} leaked into {path}"
    # Failing feeds are recorded with a reason and never stopped the others.
    for path, error in QUIRK_FEEDS.items():
        feed = health[path]
        if error is None:
            assert feed.consecutive_failures == 0 and feed.last_status == 200, (path, feed.last_error)
        else:
            assert error in (feed.last_error or ""), (path, feed.last_error)
            assert feed.consecutive_failures == 1
    assert health["/feeds/dawn.xml"].entries_seen == 4
    with session(engine) as sess:  # the print edition's identical text is remembered as a copy, and why
        copies = sess.exec(select(SeenEntry).where(SeenEntry.detail == "same text")).all()
    assert any("/tribune/" in copy.url and copy.article_id for copy in copies)
    # The full-text feed's pages are never fetched; each archive file is the seed format.
    assert server.hits("/dawn/") == 0
    files = sorted((tmp_path / "articles").glob("*.txt"))
    assert [f.name for f in files] == sorted(a.archive_file for a in articles)
    assert [f.name[:3] for f in files] == [f"{i:03d}" for i in range(len(files))]
    for path in files:
        parsed = seedformat.parse(path.read_text(encoding="utf-8"))
        stored = next(a for a in articles if a.archive_file == path.name)
        assert parsed.published == stored.published and parsed.title == stored.title

    server.reset_log()
    second = monitor_pass(settings, feeds_file=feeds)
    assert second.total("stored") == 0 and second.total("failed") == 0
    page_requests = [r for r in server.requests if not r.path.startswith("/feeds/")]
    assert page_requests == [], "a second pass fetched pages again"
    main_statuses = {r.url.removeprefix(server.base_url): r.status for r in second.reports}
    for path in EXPECTED["totals"]["main_feeds"]:
        assert main_statuses[path] == 304
    with session(engine) as sess:
        assert len(sess.exec(select(ArticleRow)).all()) == len(articles)
    engine.dispose()


def test_failed_pages_are_retried_on_later_passes_even_when_the_feed_is_unchanged(
    sqlite_url: str, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    (site / "feeds").mkdir(parents=True)
    (site / "feeds" / "one.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>One</title><item>'
        "<title>Gwadar port opens a second container berth</title><link>{{BASE}}/news/berth.html</link>"
        "<guid>berth-1</guid><pubDate>Mon, 01 Sep 2025 10:00:00 +0500</pubDate></item></channel></rss>"
    )
    with serve_fixtures(site) as server:
        feeds = feed_list(server, tmp_path, ["/feeds/one.xml"])
        settings = settings_for(sqlite_url, tmp_path)
        first = monitor_pass(settings, feeds_file=feeds)
        assert (first.total("failed"), first.total("stored")) == (1, 0)  # the page is not there yet (404)
        (site / "news").mkdir()
        (site / "news" / "berth.html").write_text(
            "<html><head><title>Gwadar berth</title></head><body><article><h1>Gwadar port opens a second berth</h1>"
            + "".join(
                f"<p>The Gwadar port authority said the new berth {i} can take larger container ships, "
                f"and CPEC officials expect transit cargo to grow this year.</p>"
                for i in range(4)
            )
            + "</article></body></html>"
        )
        second = monitor_pass(settings, feeds_file=feeds)
        assert second.reports[0].status == 304 and second.total("stored") == 1
        third = monitor_pass(settings, feeds_file=feeds)
        assert third.total("stored") == 0 and server.hits("/news/") == 2


def test_backfill_window_keeps_only_entries_published_inside_it(
    sqlite_url: str, tmp_path: Path, server: FixtureServer
) -> None:
    from datetime import date

    feeds = feed_list(server, tmp_path, ["/feeds/dawn.xml"])
    summary = backfill_pass(
        settings_for(sqlite_url, tmp_path), feeds_file=feeds, since=date(2025, 9, 10), until=date(2025, 9, 20)
    )
    assert summary.total("stored") == 1  # only the Gwadar story (15 September) is inside the window
    assert summary.total("outside_window") == 3


def test_backfill_from_a_url_list_stores_what_the_user_chose(
    sqlite_url: str, tmp_path: Path, server: FixtureServer
) -> None:
    urls = [
        server.url("/tribune/story/2025/09/03/rashakai-sez-progress?utm_source=list"),
        server.url("/old/tribune/story/2025/09/05/karachi-heatwave-advisory"),  # two 301s; not CPEC
        server.url("/tribune/story/2025/09/03/rashakai-sez-progress"),
    ]
    summary = backfill_pass(settings_for(sqlite_url, tmp_path), urls=urls)
    assert (summary.total("stored"), summary.total("seen")) == (2, 1)
    engine = open_engine(sqlite_url)
    with session(engine) as sess:
        titles = sorted(a.title for a in sess.exec(select(ArticleRow)).all())
    engine.dispose()
    assert "Karachi" in titles[0] and titles[1].startswith("Rashakai SEZ")


def test_a_page_no_parser_expected_is_a_failed_entry_and_the_run_goes_on(sqlite_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "feeds").mkdir(parents=True)
    (site / "news").mkdir()
    items = "".join(
        f"<item><title>Gwadar port story {n}</title><link>{{{{BASE}}}}/news/{n}.html</link></item>" for n in (1, 2)
    )
    (site / "feeds" / "f.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    )
    body = "".join(
        f"<p>Gwadar port handled more CPEC cargo this month, officials said, part {i}.</p>" for i in range(4)
    )
    (site / "news" / "1.html").write_text(
        f'<html><head><link rel="canonical" href="http://[::1/broken">'
        f"</head><body><article>{body}</article></body></html>"
    )
    (site / "news" / "2.html").write_text(f"<html><body><article><h1>Second</h1>{body}</article></body></html>")
    with serve_fixtures(site) as server:
        summary = monitor_pass(
            settings_for(sqlite_url, tmp_path), feeds_file=feed_list(server, tmp_path, ["/feeds/f.xml"])
        )
    assert (summary.total("failed"), summary.total("stored")) == (1, 1)
    engine = open_engine(sqlite_url)
    with session(engine) as sess:
        [failed] = sess.exec(select(SeenEntry).where(SeenEntry.outcome == "failed")).all()
    engine.dispose()
    assert failed.detail.startswith("ValueError") and failed.url.endswith("/news/1.html")


def test_a_windowed_backfill_leaves_the_rest_of_the_feed_to_the_next_run(
    sqlite_url: str, tmp_path: Path, server: FixtureServer
) -> None:
    from datetime import date

    feeds = feed_list(server, tmp_path, ["/feeds/dawn.xml"])
    settings = settings_for(sqlite_url, tmp_path)
    assert (
        backfill_pass(settings, feeds_file=feeds, since=date(2025, 9, 10), until=date(2025, 9, 20)).total("stored") == 1
    )
    after = monitor_pass(settings, feeds_file=feeds)
    assert after.reports[0].status == 200 and after.total("stored") == 2  # not a 304 that hides them


def test_a_page_reached_directly_and_through_a_redirector_is_fetched_once(db_url: str, tmp_path: Path, server) -> None:  # type: ignore[no-untyped-def]
    page = "/tribune/story/2025/09/20/khunjerab-border-trade-reopens"
    feeds = feed_list(server, tmp_path, ["/feeds/malformed.xml", "/feeds/mislabeled-charset.xml", "/feeds/tribune.xml"])
    summary = monitor_pass(settings_for(db_url, tmp_path), feeds_file=feeds)
    assert server.hits(page) == 1  # the redirector's Location was enough to know it
    assert summary.total("duplicate") + summary.total("seen") >= 2


def test_a_feed_that_keeps_failing_rests_and_the_summary_says_so(db_url: str, tmp_path: Path, server) -> None:  # type: ignore[no-untyped-def]
    feeds = feed_list(server, tmp_path, ["/feeds/down.xml", "/feeds/dawn.xml"])
    settings = settings_for(db_url, tmp_path)
    for _ in range(3):  # three failing passes in a row
        assert [f["name"] for f in monitor_pass(settings, feeds_file=feeds).to_json()["feeds_failed"]] == ["down.xml"]
    asked = server.hits("/feeds/down.xml")
    fourth = monitor_pass(settings, feeds_file=feeds)
    assert server.hits("/feeds/down.xml") == asked  # resting: not asked again yet
    assert [r["name"] for r in fourth.to_json()["feeds_resting"]] == ["down.xml"]
    assert "resting down.xml: failing again and again, next polled after" in fourth.to_text()
    assert "sources: 1 ok, 0 failed, 1 resting" in fourth.to_text()
