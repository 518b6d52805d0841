"""The web view over a dense store (130 reports on ML-1 imported by one backfill, dated over 2.5 years), served by a
real uvicorn, on SQLite and PostgreSQL: Atom feeds stay bounded with a meaningful ``updated`` per entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlalchemy import text

from cpec_watch.storage.db import open_engine
from cpec_watch.web.atom import MAX_ENTRIES
from tests.conftest import _reset_postgres
from tests.support.dense_store import build_dense_store
from tests.support.webview import serving

REPORTS = 130


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def dense(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str | None
) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp(f"dense-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'cpec.db'}"
    elif postgres_server_url is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (CI always has one)")
    else:
        _reset_postgres(postgres_server_url)
        url = postgres_server_url
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
