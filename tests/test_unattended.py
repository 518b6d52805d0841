"""Months on a timer with nobody watching (issue 19): each trigger run through the real CLI in a process, against
loopback feeds and a real store. A long-dead feed, a mistyped store path, a pass that polled nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tests.support import cli_process
from tests.support.webserver import FixtureServer, serve_fixtures


@pytest.fixture
def web() -> Iterator[FixtureServer]:
    with serve_fixtures() as server:
        yield server


def setup(tmp_path: Path, web: FixtureServer, *paths: str) -> tuple[list[str], dict[str, str]]:
    """Global options and environment for a store in ``tmp_path``; ``feeds.toml`` lists ``paths``."""
    (tmp_path / "config.toml").write_text("import_seeds = false\n[fetch]\nretries = 0\n")
    (tmp_path / "feeds.toml").write_text(
        "".join(f'[[feeds]]\nurl = "{web.url(path)}"\nname = "{Path(path).stem}"\n' for path in paths)
    )
    common = ["--db", f"sqlite:///{tmp_path / 'c.db'}", "--archive", str(tmp_path / "archive")]
    return common, cli_process.cli_env(tmp_path, CPEC_WATCH_CONFIG=str(tmp_path / "config.toml"))


def set_failures(db: str, url: str, failures: int) -> None:
    """Make the feed at ``url`` one that has failed ``failures`` times in a row and may be polled now."""
    from cpec_watch.storage.db import open_engine, session
    from cpec_watch.storage.models import Feed

    engine = open_engine(db)
    with session(engine) as sess:
        feed = sess.exec(select(Feed).where(Feed.url == url)).first() or Feed(url=url, name=Path(url).stem)
        feed.consecutive_failures, feed.next_poll = failures, None
        feed.failing_since = datetime.now(UTC) - timedelta(days=failures)
        sess.add(feed)
        sess.commit()
    engine.dispose()


def feed_row(db: str, url: str) -> tuple[int, datetime | None]:
    from cpec_watch.storage.db import open_engine, session
    from cpec_watch.storage.models import Feed

    engine = open_engine(db)
    with session(engine) as sess:
        feed = sess.exec(select(Feed).where(Feed.url == url)).one()
    engine.dispose()
    return feed.consecutive_failures, feed.next_poll


@pytest.mark.parametrize("failures", [60, 10_000])
def test_a_long_dead_feed_fails_as_a_row_not_a_crash_run_after_run(
    tmp_path: Path, web: FixtureServer, failures: int
) -> None:
    common, env = setup(tmp_path, web, "/feeds/blocked.xml", "/feeds/dawn.xml")
    db, dead = common[1], web.url("/feeds/blocked.xml")
    set_failures(db, dead, failures)
    feeds = ["run", "--feeds", str(tmp_path / "feeds.toml")]

    first = cli_process.run([*common, *feeds], env)
    assert first.returncode == 3 and "Traceback" not in first.stderr, first.stderr
    assert "FAILED blocked" in first.stdout
    count, next_poll = feed_row(db, dead)
    assert count == failures + 1 and next_poll is not None  # committed: the next run sees it
    rest = next_poll.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(hours=23) < rest <= timedelta(days=1)  # the longest rest, not an overflow

    second = cli_process.run([*common, *feeds], env)
    assert second.returncode == 0 and "Traceback" not in second.stderr, second.stderr
    assert "resting blocked" in second.stdout and "sources: 1 ok, 0 failed, 1 resting" in second.stdout

    set_failures(db, dead, failures)  # rested long enough: polled, failing, counted again
    third = cli_process.run([*common, *feeds], env)
    assert third.returncode == 3 and "Traceback" not in third.stderr, third.stderr
    assert feed_row(db, dead)[0] == failures + 1


@pytest.mark.parametrize("command", [["run", "--feeds", "feeds.toml"], ["backfill", "--urls", "urls.txt"]])
def test_a_store_path_in_a_missing_folder_is_refused_not_created(
    tmp_path: Path, web: FixtureServer, command: list[str]
) -> None:
    _, env = setup(tmp_path, web, "/feeds/dawn.xml")
    (tmp_path / "urls.txt").write_text(web.url("/tribune/story/2025/09/03/rashakai-sez-progress") + "\n")
    typo = tmp_path / "nonexistent" / "dir" / "x.db"
    refused = in_folder(tmp_path, ["--db", f"sqlite:///{typo}", *command], env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.count("\n") == 1 and f"no folder {typo.parent}" in refused.stderr
    assert not (tmp_path / "nonexistent").exists() and not (tmp_path / "data").exists()  # nothing created
    assert web.hits("/") == 0


def test_the_default_store_location_is_still_created(tmp_path: Path, web: FixtureServer) -> None:
    _, env = setup(tmp_path, web, "/feeds/dawn.xml")
    first = in_folder(tmp_path, ["run", "--feeds", "feeds.toml"], env)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "data" / "cpec-watch.db").is_file()


def in_folder(folder: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``cpec-watch ARGS`` run in ``folder`` (relative paths, the default store and archive are found there)."""
    env = {key: value for key, value in env.items() if key not in ("CPEC_WATCH_DB", "CPEC_WATCH_ARCHIVE")}
    return subprocess.run([cli_process.CLI, *args], env=env, cwd=folder, capture_output=True, text=True, timeout=180)


def test_a_clone_without_the_team_notes_skips_the_tests_that_read_them(tmp_path: Path) -> None:
    """A user's clone has no ../shared: the tests that read it skip and say why (CI, which has it, still fails)."""
    from tests.conftest import ROOT

    clone = tmp_path / "clone"
    (clone / "tests").mkdir(parents=True)
    for name in ("pyproject.toml", "tests/__init__.py", "tests/conftest.py", "tests/test_status.py"):
        (clone / name).write_bytes((ROOT / name).read_bytes())
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    args = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
        "tests/test_status.py",
        "-k",
        "guide",
    ]
    alone = subprocess.run(args, cwd=clone, env=env, capture_output=True, text=True, timeout=120)
    assert alone.returncode == 0 and "1 skipped" in alone.stdout, alone.stdout
    assert "STATUS-GUIDE.md, which only the team's checkout has" in alone.stdout
    in_ci = subprocess.run(args, cwd=clone, env={**env, "CI": "true"}, capture_output=True, text=True, timeout=120)
    assert in_ci.returncode == 1 and "CI must have" in in_ci.stdout, in_ci.stdout


def test_a_pass_in_which_every_feed_rests_says_so_and_is_not_a_success(tmp_path: Path, web: FixtureServer) -> None:
    common, env = setup(tmp_path, web, "/feeds/blocked.xml", "/feeds/down.xml")
    feeds = ["run", "--feeds", str(tmp_path / "feeds.toml")]
    for path in ("/feeds/blocked.xml", "/feeds/down.xml"):
        set_failures(common[1], web.url(path), 5)
    failing = cli_process.run([*common, *feeds], env)  # both fail once more and start resting
    assert failing.returncode == 3 and "nothing polled: every feed failed" in failing.stdout, failing.stdout
    resting = cli_process.run([*common, *feeds], env)
    assert resting.returncode == 3, resting.stdout  # as when nothing could be polled: an outage, not a quiet day
    assert "nothing polled: every feed is resting" in resting.stdout
    assert "sources: 0 ok, 0 failed, 2 resting" in resting.stdout and web.hits("/feeds/") == 2


def test_a_feed_window_backfill_in_which_every_feed_failed_is_not_a_success(tmp_path: Path, web: FixtureServer) -> None:
    common, env = setup(tmp_path, web, "/feeds/blocked.xml", "/feeds/down.xml")
    window = ["--feeds", str(tmp_path / "feeds.toml"), "--since", "2025-01-01", "--until", "2025-12-31"]
    failed = cli_process.run([*common, "backfill", *window], env)
    assert failed.returncode == 3 and "nothing polled: every feed failed" in failed.stdout, failed.stdout
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # a busy machine starts it slowly
    as_flow = cli_process.run([*common, "backfill", "--prefect", *window, "--json"], env)
    assert as_flow.returncode == 3, as_flow.stderr
    assert "Finished in state Failed('nothing polled: every feed failed')" in as_flow.stderr
    assert len(json.loads(as_flow.stdout)["feeds_failed"]) == 2  # the summary is printed all the same


def test_a_folder_backfill_reports_files_not_feeds(tmp_path: Path, web: FixtureServer) -> None:
    from tests.conftest import SEEDS

    common, env = setup(tmp_path, web)
    folder = cli_process.run([*common, "backfill", "--from-dir", str(SEEDS)], env)
    assert folder.returncode == 0, folder.stderr
    assert "5 new article(s)" in folder.stdout and "sources:" not in folder.stdout and "feed" not in folder.stdout
