"""A run killed halfway loses nothing and duplicates nothing: the next run finishes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.models import ArticleRow, SeenEntry
from tests.conftest import FIXTURES
from tests.support.webserver import FixtureServer, serve_fixtures

EXPECTED = json.loads((FIXTURES / "web" / "expected.json").read_text(encoding="utf-8"))


def run_command(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    command = [
        str(Path(sys.executable).parent / "cpec-watch"),
        "--db",
        f"sqlite:///{tmp_path / 'cpec.db'}",
        "--archive",
        str(tmp_path / "articles"),
        "run",
        "--feeds",
        str(tmp_path / "feeds.toml"),
        "--json",
    ]
    env = {**os.environ, "CPEC_WATCH_CONFIG": str(tmp_path / "config.toml")}
    env.pop("PREFECT_API_URL", None)
    (tmp_path / "config.toml").write_text("[fetch]\nretries = 0\nper_host = 1\nconcurrency = 1\n")
    return command, env


def write_feeds(tmp_path: Path, web: FixtureServer, extra: str = "") -> None:
    (tmp_path / "feeds.toml").write_text(
        extra
        + "".join(f'[[feeds]]\nurl = "{web.url(path)}"\nname = "{path}"\n' for path in EXPECTED["totals"]["main_feeds"])
    )


def finish_and_check(tmp_path: Path, command: list[str], env: dict[str, str]) -> None:
    """The next runs complete the job: every article once, tracked and archived, one file each, no leftovers."""
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    again = json.loads(subprocess.run(command, env=env, capture_output=True, text=True, timeout=120).stdout)
    assert again["new"] == 0
    engine = open_engine(f"sqlite:///{tmp_path / 'cpec.db'}")
    with session(engine) as sess:
        articles = sess.exec(select(ArticleRow)).all()
        stories = {a.story_id for a in articles if not a.url.startswith("urn:")}
        assert len(stories) == EXPECTED["totals"]["cpec_stories"]
        assert all(a.tracked and a.archive_file for a in articles)
        assert not sess.exec(select(SeenEntry).where(SeenEntry.outcome == "failed")).all()
    engine.dispose()
    files = sorted(p.name for p in (tmp_path / "articles").glob("*.txt"))
    assert files == sorted(a.archive_file for a in articles)  # one file per article, none twice
    assert len({name[4:] for name in files}) == len(files)
    assert not list((tmp_path / "articles").glob("*.tmp"))  # no half-written file left behind


def test_a_run_killed_mid_feed_is_completed_by_the_next_run(tmp_path: Path) -> None:
    command, env = run_command(tmp_path)
    with serve_fixtures() as web:
        write_feeds(tmp_path, web)
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while web.hits("/tribune/") + web.hits("/app/news/") < 1 and child.poll() is None:
            assert time.monotonic() < deadline, "the run never fetched a page"
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)  # halfway: some articles stored, the rest not yet fetched
        assert child.wait() == -signal.SIGKILL
        finish_and_check(tmp_path, command, env)


def test_a_run_killed_while_polling_a_feed_leaves_no_feed_stuck(tmp_path: Path) -> None:
    command, env = run_command(tmp_path)
    with serve_fixtures() as web:
        write_feeds(tmp_path, web, extra=f'[[feeds]]\nurl = "{web.url("/feeds/slow.xml?delay=2")}"\nname = "Slow"\n')
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while web.hits("/feeds/slow.xml") < 1 and child.poll() is None:  # the feed request is in flight
            assert time.monotonic() < deadline, "the run never polled the slow feed"
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
        finish_and_check(tmp_path, command, env)
        polled = json.loads(
            subprocess.run(
                [*command[:5], "feeds", "--json"], env=env, capture_output=True, text=True, timeout=60
            ).stdout
        )
        [slow] = [feed for feed in polled if "slow" in feed["url"]]
        assert slow["last_polled"] and slow["consecutive_failures"] == 0  # polled again, nothing stuck


@pytest.mark.parametrize("stage", ["article-insert", "archive-write", "archive-record"])
def test_a_run_killed_at_each_storage_stage_is_completed_by_the_next_run(tmp_path: Path, stage: str) -> None:
    command, env = run_command(tmp_path)
    with serve_fixtures() as web:
        write_feeds(tmp_path, web)
        killed = subprocess.run(command, env={**env, "CPEC_WATCH_CRASH_AT": stage}, capture_output=True, timeout=120)
        assert killed.returncode == -signal.SIGKILL  # it died at that point, with something half done
        finish_and_check(tmp_path, command, env)
