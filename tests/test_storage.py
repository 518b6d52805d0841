"""Storage on real SQLite and PostgreSQL: migrations, uniqueness, stories, the archive."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import select

from cpec_watch.models import Article, FeedSource, SeedText
from cpec_watch.parsers import seedformat
from cpec_watch.storage import archive
from cpec_watch.storage.articles import is_new_entry, list_articles, record_entry, store_article
from cpec_watch.storage.db import StorageError, open_engine, session
from cpec_watch.storage.feeds import (
    REST_AFTER,
    is_stale,
    list_feeds,
    record_feed_error,
    record_feed_success,
    resting_until,
    validators,
)
from cpec_watch.storage.models import ArticleRow, SeenEntry, Story

BODY = (
    "The Rashakai Special Economic Zone has received its first Chinese investors, officials said.",
    "Work on the boundary wall and internal roads is already under way, the zone developer added.",
    "The zone sits on the motorway between Peshawar and Islamabad and is part of CPEC Phase II.",
)


def article(url: str, paragraphs: tuple[str, ...] = BODY, source: str = "Dawn") -> Article:
    return Article(url, url, source, "Rashakai zone gets investors", date(2025, 9, 1), paragraphs)


def test_migrations_create_every_table_and_are_idempotent(db_url: str) -> None:
    engine = open_engine(db_url)
    open_engine(db_url).dispose()  # a second open finds the schema at head and changes nothing
    tables = set(inspect(engine).get_table_names())
    assert {"feed", "story", "article", "storyband", "seenentry", "alembic_version"} <= tables
    engine.dispose()


def test_bad_database_urls_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="not a database URL"):
        open_engine("definitely not a url")
    with pytest.raises(StorageError, match="cannot open database"):
        open_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_same_url_and_same_text_are_stored_once(db_url: str, tmp_path: Path) -> None:
    engine = open_engine(db_url)
    with session(engine) as sess:
        first = store_article(sess, article("https://dawn.com/news/1"), tmp_path)
        again = store_article(sess, article("https://dawn.com/news/1"), tmp_path)
        copy = store_article(sess, article("https://nation.com.pk/copy", source="The Nation"), tmp_path)
        assert first.outcome == "stored"
        assert (again.outcome, again.reason, again.article_id) == ("duplicate", "same url", first.article_id)
        assert (copy.outcome, copy.reason, copy.article_id) == ("duplicate", "same text", first.article_id)
        assert len(list_articles(sess)) == 1
        key = sess.get(ArticleRow, first.article_id).url_key
    assert [p.name for p in archive.archive_files(tmp_path)] == [f"000_{key}.txt"]
    engine.dispose()


def test_seeds_002_and_003_become_one_story_and_others_do_not(db_url: str, seeds_dir: Path) -> None:
    engine = open_engine(db_url)
    with session(engine) as sess:
        stories = {}
        for path in sorted(seeds_dir.glob("*.txt")):
            seed = seedformat.parse(path.read_text(encoding="utf-8"))
            data = Article(
                f"urn:test:{path.stem}", f"urn:test:{path.stem}", "seed", seed.title, seed.published, seed.paragraphs
            )
            stories[path.name[:3]] = store_article(sess, data, None).story_id
        assert stories["002"] == stories["003"]
        assert len(set(stories.values())) == 4
        assert len(sess.exec(select(Story)).all()) == 4
    engine.dispose()


def test_concurrent_writers_cannot_duplicate_an_article(db_url: str, tmp_path: Path) -> None:
    engine = open_engine(db_url)
    results, barrier = [], threading.Barrier(4)

    def store() -> None:
        barrier.wait()
        with session(engine) as sess:
            results.append(store_article(sess, article("https://dawn.com/news/race"), tmp_path))

    threads = [threading.Thread(target=store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session(engine) as sess:
        assert len(sess.exec(select(ArticleRow)).all()) == 1
    assert sorted(r.outcome for r in results) == ["duplicate"] * 3 + ["stored"]
    assert len({r.article_id for r in results}) == 1
    assert len(archive.archive_files(tmp_path)) == 1
    engine.dispose()


def test_seen_entries_fetch_once_but_retry_failures_up_to_the_limit(db_url: str) -> None:
    engine = open_engine(db_url)
    with session(engine) as sess:
        assert is_new_entry(sess, "k1")
        record_entry(sess, "k1", "https://a/1", "irrelevant")
        assert not is_new_entry(sess, "k1")
        for _attempt in range(3):
            assert is_new_entry(sess, "k2")
            record_entry(sess, "k2", "https://a/2", "failed", detail="HTTP 500")
        assert not is_new_entry(sess, "k2")
        assert sess.exec(select(SeenEntry).where(SeenEntry.url_key == "k2")).one().attempts == 3
    engine.dispose()


def test_feed_health_counts_failures_and_resets_on_success(db_url: str) -> None:
    engine = open_engine(db_url)
    source = FeedSource("https://example.org/feed", "Example")
    with session(engine) as sess:
        assert validators(sess, source) == (None, None)  # created on first sight
        record_feed_error(sess, source, "HTTP 503 Service Unavailable", 503)
        record_feed_error(sess, source, "timed out (ReadTimeout)")
        [feed] = list_feeds(sess)
        assert (feed.consecutive_failures, feed.last_status, feed.last_error) == (2, None, "timed out (ReadTimeout)")
        assert feed.failing_since is not None
        record_feed_success(sess, source, 200, etag='"v1"', last_modified="Mon, 01 Sep 2025 10:00:00 GMT", entries=5)
        record_feed_success(sess, source, 304, etag=None, last_modified=None, entries=0)
        [again] = list_feeds(sess)
        assert (again.consecutive_failures, again.failing_since, again.entries_seen) == (0, None, 5)
        assert validators(sess, source) == ('"v1"', "Mon, 01 Sep 2025 10:00:00 GMT")
    engine.dispose()


def test_archive_numbers_on_from_the_highest_file(tmp_path: Path, seeds_dir: Path) -> None:
    for path in seeds_dir.glob("*.txt"):
        assert archive.copy_file(tmp_path, path) == path.name
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()
    name = archive.write_article(tmp_path, "0123456789abcdef", SeedText(date(2025, 9, 2), "A title", ("One.", "Two.")))
    assert name == "005_0123456789abcdef.txt"
    assert archive.write_article(tmp_path, "0123456789abcdef", SeedText()) == name  # written once
    text = (tmp_path / name).read_text(encoding="utf-8")
    assert seedformat.parse(text) == SeedText(date(2025, 9, 2), "A title", ("One.", "Two."))
    for other in ("README.md", "x_1.txt", "12_aaaaaaaaaaaaaaaa.txt", "0041_aaaaaaaaaaaaaaaa.txt"):
        (tmp_path / other).write_text("not an article file but the last", encoding="utf-8")
    imported = tmp_path / "elsewhere" / "000_bbbbbbbbbbbbbbbb.txt"  # a number a seed has too: the name is its own
    imported.parent.mkdir()
    imported.write_text("Title\n\nBody.\n", encoding="utf-8")
    assert archive.copy_file(tmp_path, imported) == imported.name
    assert (
        archive.write_article(tmp_path, "fedcba9876543210", SeedText(None, "T", ("B.",))) == "042_fedcba9876543210.txt"
    )


def test_a_store_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    open_engine(url).dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StorageError, match="written by a newer CPEC Watch"):
        open_engine(url)


def _store_seed(url: str, seed_path: str, barrier) -> None:  # type: ignore[no-untyped-def]
    seed = seedformat.parse(Path(seed_path).read_text(encoding="utf-8"))
    data = Article(
        f"urn:test:{seed_path}", f"urn:test:{seed_path}", "seed", seed.title, seed.published, seed.paragraphs
    )
    engine = open_engine(url)
    barrier.wait()
    with session(engine) as sess:
        store_article(sess, data, None)
    engine.dispose()


def test_two_processes_storing_copies_of_one_story_at_once_make_one_story(tmp_path: Path, seeds_dir: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # fork is unsafe once other tests started threads
    for round_ in range(3):
        url = f"sqlite:///{tmp_path / f'race{round_}.db'}"
        open_engine(url).dispose()
        barrier = context.Barrier(2)
        workers = [
            context.Process(target=_store_seed, args=(url, str(seeds_dir / name), barrier))
            for name in ("002_81a317b85942699c.txt", "003_9c0dc566686552c5.txt")
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
            assert worker.exitcode == 0
        engine = open_engine(url)
        with session(engine) as sess:
            assert len({a.story_id for a in sess.exec(select(ArticleRow)).all()}) == 1
        engine.dispose()


def test_a_feed_that_keeps_failing_rests_longer_each_time_until_it_answers(db_url: str) -> None:
    engine = open_engine(db_url)
    source = FeedSource("https://example.org/down", "Down")
    with session(engine) as sess:
        for _ in range(REST_AFTER - 1):
            record_feed_error(sess, source, "HTTP 500")
        now = datetime.now(UTC)
        assert resting_until(sess, source, now) is None  # two failures: polled as usual
        record_feed_error(sess, source, "HTTP 500")
        first = resting_until(sess, source, now)
        assert first is not None and timedelta(minutes=29) < first - now <= timedelta(minutes=31)
        record_feed_error(sess, source, "HTTP 500")
        second = resting_until(sess, source, now)
        assert second is not None and second - now > timedelta(minutes=59)  # doubled
        for _ in range(20):
            record_feed_error(sess, source, "HTTP 500")
        longest = resting_until(sess, source, now)
        assert longest is not None and longest - now <= timedelta(days=1, minutes=1)  # at most a day
        record_feed_success(sess, source, 200, etag=None, last_modified=None, entries=3, new_entries=1)
        assert resting_until(sess, source, now) is None
        [feed] = list_feeds(sess)
        assert not is_stale(feed, now) and is_stale(feed, now + timedelta(hours=49))
    engine.dispose()
