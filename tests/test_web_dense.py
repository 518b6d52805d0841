"""The web view over a dense store (130 reports on ML-1 imported by one backfill, dated over 2.5 years), served by a
real uvicorn, on SQLite and PostgreSQL: Atom feeds stay bounded with a meaningful ``updated`` per entry, the
timeline is paginated, and its chart aggregates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlalchemy import text

from cpec_watch.storage.db import open_engine
from cpec_watch.web.app import PER_PAGE
from cpec_watch.web.atom import MAX_ENTRIES
from tests.support.dense_store import build_dense_store
from tests.support.webview import empty_store, serving

REPORTS = 130


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def dense(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str | None
) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp(f"dense-{request.param}")
    url = empty_store(request.param, folder, postgres_server_url)
    return url, build_dense_store(url, folder, REPORTS)


@pytest.fixture(scope="module")
def site(dense: tuple[str, Path]) -> Iterator[str]:
    with serving(*dense) as base:
        yield base


def stored(db_url: str, query: str) -> list[tuple[object, ...]]:
    engine = open_engine(db_url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(query))]
    engine.dispose()
    return rows


def instant(value: object) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_an_item_feed_carries_the_latest_updates_only_each_updated_when_recorded(
    dense: tuple[str, Path], site: str
) -> None:
    updates = stored(dense[0], "SELECT id, date, created_at FROM itemupdate WHERE item = 'ml-1'")
    assert len(updates) > MAX_ENTRIES
    feed = feedparser.parse(httpx.get(site + "/feeds/items/ml-1.atom").content)
    assert not feed.bozo and len(feed.entries) == MAX_ENTRIES
    latest = sorted(updates, key=lambda u: (str(u[1]), u[0]), reverse=True)[:MAX_ENTRIES]
    assert [e.id for e in feed.entries] == [f"tag:cpec-watch,2026:update/{u[0]}" for u in latest]
    assert [e.updated for e in feed.entries] == [instant(u[2]) for u in latest]
    assert len({e.updated for e in feed.entries}) == MAX_ENTRIES  # one backfill, yet no two alike
    assert feed.feed.updated == max(e.updated for e in feed.entries)
    changes = feedparser.parse(httpx.get(site + "/feeds/changes.atom").content)
    rail = feedparser.parse(httpx.get(site + "/feeds/categories/rail.atom").content)
    assert not changes.bozo and 0 < len(changes.entries) <= MAX_ENTRIES and len(rail.entries) == MAX_ENTRIES


def test_an_empty_feed_is_updated_at_the_stores_last_activity(dense: tuple[str, Path], site: str) -> None:
    assert not stored(dense[0], "SELECT id FROM itemupdate WHERE item = 'rashakai-sez'")
    feed = feedparser.parse(httpx.get(site + "/feeds/items/rashakai-sez.atom").content)
    assert not feed.bozo and not feed.entries
    last = max(instant(row[0]) for row in stored(dense[0], "SELECT max(created_at) FROM itemupdate"))
    fetched = max(instant(row[0]) for row in stored(dense[0], "SELECT max(fetched_at) FROM article"))
    assert feed.feed.updated == max(last, fetched) and not feed.feed.updated.startswith("1970")


def test_a_long_timeline_is_paginated_newest_first_with_page_links(dense: tuple[str, Path], site: str) -> None:
    updates = stored(dense[0], "SELECT id, date FROM itemupdate WHERE item = 'ml-1'")
    newest = [u[0] for u in sorted(updates, key=lambda u: (str(u[1]), u[0]), reverse=True)]
    pages = [httpx.get(f"{site}/items/ml-1?page={n}") for n in (1, 2, 3)]
    assert all(page.status_code == 200 for page in pages)
    ids = [[int(i) for i in re.findall(r'<li id="u(\d+)"', page.text)] for page in pages]
    assert [len(i) for i in ids] == [PER_PAGE, PER_PAGE, REPORTS - 2 * PER_PAGE]
    assert [i for page in ids for i in page] == newest
    first = pages[0].text
    assert f"{REPORTS} update(s)" in first and "page 1 of 3" in first
    assert 'rel="next" href="/items/ml-1?page=2"' in first and 'rel="prev"' not in first
    assert 'href="/items/ml-1?page=3"' in first and 'rel="prev" href="/items/ml-1?page=2"' in pages[2].text
    assert httpx.get(f"{site}/items/ml-1?page=4").status_code == 404
    assert httpx.get(f"{site}/items/ml-1?page=x").status_code == 200  # not a page number: the first
    assert max(len(page.content) for page in pages) < 120_000


def test_a_dense_chart_shows_the_state_band_monthly_counts_and_the_changes_only(
    dense: tuple[str, Path], site: str
) -> None:
    page = httpx.get(f"{site}/items/ml-1?page=2").text
    chart = page[page.index('<svg class="chart"') : page.index("</svg>")]
    months = {str(day)[:7] for (day,) in stored(dense[0], "SELECT date FROM itemupdate WHERE item = 'ml-1'")}
    bars = re.findall(r'<rect class="month" [^>]*><title>(\d{4}-\d\d): (\d+) update\(s\)</title>', chart)
    assert {month for month, _ in bars} == months and sum(int(n) for _, n in bars) == REPORTS
    assert '<circle class="point"' not in chart and '<circle class="change"' in chart
    on_page = set(re.findall(r'<li id="u(\d+)"', page))
    for href, update in re.findall(r'<a href="([^"]*)#u(\d+)"><circle class="change"', chart):
        assert (href == "") == (update in on_page)  # a change on another page links to that page
        if href:
            target = httpx.get(site + "/items/ml-1" + href.replace("&amp;", "&")).text
            assert f'<li id="u{update}"' in target
    width = int(re.search(r'viewBox="0 0 (\d+) ', chart).group(1))  # type: ignore[union-attr]
    right = re.search(r'<text class="tick end" x="([\d.]+)"', chart)
    assert right and float(right.group(1)) <= width  # the right-hand date ends inside the chart
    assert len(re.findall(r'<rect class="band', chart)) < 40  # one band per run of a state, not per update
