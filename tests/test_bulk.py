"""A folder backfill built for volume: worker processes, one transaction per chunk, resuming, bounded candidates.

The corpus is generated (tests/support/corpus.py): distinct invented stories, rewrites, exact copies, files misnamed
or empty. Stored in bulk it must come out as it does when the same files are stored one at a time.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import func, select

from cpec_watch.config.settings import load_settings
from cpec_watch.flows import backfill
from cpec_watch.flows.backfill import import_folder
from cpec_watch.flows.pipeline import open_pipeline
from cpec_watch.flows.stopping import Stop
from cpec_watch.models import Article
from cpec_watch.parsers import dedup, seedformat
from cpec_watch.storage.articles import store_article
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.models import ArticleRow, StoryBand, UpdateRow
from cpec_watch.storage.stories import BAND_CAP, TOP_CANDIDATES, band_candidates
from tests.support.corpus import invented_story, write_corpus


def story_partition(db_url: str) -> tuple[set[frozenset[str]], Counter[tuple[str, str]]]:
    """The articles grouped by story (as sets of file keys), and the (item, status) updates."""
    with session(open_engine(db_url)) as sess:
        stories: dict[int, set[str]] = {}
        for key, story in sess.exec(select(ArticleRow.url_key, ArticleRow.story_id)).all():
            stories.setdefault(story, set()).add(key)
        updates = Counter((u.item, u.status) for u in sess.exec(select(UpdateRow)).all())
    return {frozenset(keys) for keys in stories.values()}, updates


def test_a_large_folder_is_stored_as_one_at_a_time_would(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "old"
    written = write_corpus(folder, backfill.POOL_FROM)
    config = tmp_path / "c.toml"
    config.write_text("import_seeds = false\n[backfill]\nbatch = 60\nworkers = 2\n")
    settings = load_settings(db=db_url, archive=tmp_path / "archive", config=config)
    with open_pipeline(settings) as pipe:
        report = import_folder(pipe, folder)
    new = written["story"] + written["rewrite"]
    assert report.counts == {"stored": new, "duplicate": written["copy"], "skipped": 2}

    one_by_one = f"sqlite:///{tmp_path / 'single.db'}"
    with open_pipeline(load_settings(db=one_by_one, archive=tmp_path / "single")) as pipe:
        for path in sorted(folder.glob("*.txt")):
            parts = seedformat.split_archive_name(path.name)
            seed = seedformat.parse(path.read_text(encoding="utf-8"))
            if parts and seed.paragraphs:
                url = f"urn:cpec-watch:archive:{path.stem}"
                with session(pipe.engine) as sess:
                    stored = store_article(
                        sess,
                        Article(url, url, "archive", seed.title, seed.published, seed.paragraphs),
                        None,
                        key=parts[1],
                    )
                pipe.track(stored.article_id)
    bulk_stories, bulk_updates = story_partition(db_url)
    single_stories, single_updates = story_partition(one_by_one)
    assert bulk_stories == single_stories
    assert sum(len(s) == 2 for s in bulk_stories) == written["rewrite"]  # each rewrite joined its original
    assert bulk_updates == single_updates and sum(bulk_updates.values()) >= written["story"]

    archived = {p.name: p.read_bytes() for p in (tmp_path / "archive").glob("*.txt")}
    assert len(archived) == new
    assert all(archived[name] == (folder / name).read_bytes() for name in archived)


def test_a_stopped_backfill_resumes_without_reading_finished_files(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old"
    written = write_corpus(folder, 40)
    config = tmp_path / "c.toml"
    config.write_text("import_seeds = false\n[backfill]\nbatch = 10\n")
    settings = load_settings(db=sqlite_url, archive=tmp_path / "archive", config=config)
    stop = Stop()
    with open_pipeline(settings, stop) as pipe:
        first = import_folder(pipe, folder, progress=lambda done: stop.request("SIGINT"))
    assert first.interrupted and sum(first.counts.values()) == 10  # the first chunk, whole
    with open_pipeline(settings) as pipe:
        assert backfill.count_stored(pipe, folder) == first.stored  # by the names' keys; notes.txt is not one
    read: list[str] = []
    original = backfill.prepare_file
    monkeypatch.setattr(backfill, "prepare_file", lambda path, *args: read.append(path.name) or original(path, *args))
    with open_pipeline(settings) as pipe:
        second = import_folder(pipe, folder)
    files = sorted(p.name for p in folder.glob("*.txt"))
    assert set(read) >= set(files[10:])
    assert len(set(files[:10]) - set(read)) == first.stored  # the stored files were recognised by their names
    assert second.counts["seen"] == first.stored
    assert first.stored + second.stored == written["story"] + written["rewrite"]
    with open_pipeline(settings) as pipe, session(pipe.engine) as sess:
        assert sess.exec(select(func.count()).select_from(ArticleRow)).one() == first.stored + second.stored


def test_boilerplate_bands_are_not_candidate_sources(sqlite_url: str, tmp_path: Path) -> None:
    """Stories that all print one long boilerplate paragraph share bands; those bands are not read."""
    rng = random.Random(9)
    boilerplate = (
        "The China-Pakistan Economic Corridor (CPEC) is a flagship project of the Belt and Road Initiative linking "
        "Gwadar port with Kashgar through roads, railways, pipelines and special economic zones"
    )
    stories = [invented_story(rng, n) for n in range(BAND_CAP * 3)]
    with open_pipeline(load_settings(db=sqlite_url, archive=tmp_path / "a")) as pipe, session(pipe.engine) as sess:
        for number, (title, paragraphs) in enumerate(stories):
            url = f"urn:test:{number}"
            article = Article(url, url, "test", title, None, (boilerplate, paragraphs[0]))
            store_article(sess, article, None)
        crowded = sess.exec(
            select(StoryBand.band).group_by(StoryBand.band).having(func.count() > BAND_CAP)  # type: ignore[arg-type]
        ).all()
        assert crowded  # the boilerplate made bands shared by many stories
        title, paragraphs = stories[5]
        again = dedup.fingerprint(f"{boilerplate}\n\n{paragraphs[0]}")
        candidates = band_candidates(sess, again.bands)
        assert 1 <= len(candidates) <= TOP_CANDIDATES
        first = sess.exec(select(ArticleRow).where(ArticleRow.url == "urn:test:5")).one()
        assert candidates[0] == first.id  # the story itself shares the most informative bands
        found: set[str] = set()  # a bulk import remembers the crowded bands and does not read them again
        assert band_candidates(sess, again.bands, found) == candidates
        assert found and found <= set(crowded)
        assert band_candidates(sess, again.bands, found) == candidates
        copy = Article("urn:test:copy", "urn:test:copy", "other", None, None, (paragraphs[0], boilerplate))
        assert store_article(sess, copy, None).story_id == first.story_id
