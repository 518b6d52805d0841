"""PostgreSQL as a team's shared store: two ``cpec-watch run`` processes started at once over the same newsroom
(feeds sharing links, syndicated copies) store what one run alone stores, each thing once; two digests started
at once send each digest once (a real aiosmtpd server on loopback)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import _reset_postgres
from tests.support import cli_process
from tests.support.webserver import FixtureServer, serve_fixtures
from tests.test_digest import smtp_server

pytestmark = pytest.mark.postgres
MAIN_FEEDS = ("/feeds/dawn.xml", "/feeds/tribune.xml", "/feeds/app.atom", "/feeds/bing.xml", "/feeds/urdupoint.rdf")


@pytest.fixture
def shared_db(postgres_server_url: str | None) -> str:
    if postgres_server_url is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (CI always has one)")
    _reset_postgres(postgres_server_url)
    return postgres_server_url


def write_setup(folder: Path, web: FixtureServer, smtp_port: int) -> dict[str, str]:
    """Config (the five main feeds, each answering after 1 s so both runs poll them together) and environment."""
    folder.mkdir(parents=True, exist_ok=True)
    feeds = "".join(f'[[feeds]]\nurl = "{web.url(p)}?delay=1"\nname = "{Path(p).stem}"\n' for p in MAIN_FEEDS)
    (folder / "config.toml").write_text(
        f'import_seeds = true\n[fetch]\nretries = 0\n[[subscriptions]]\nname = "desk"\nchannel = "email"\n{feeds}'
    )
    smtp = {"CPEC_WATCH_SMTP_HOST": "127.0.0.1", "CPEC_WATCH_SMTP_PORT": str(smtp_port)}
    smtp |= {"CPEC_WATCH_SMTP_SECURITY": "none", "CPEC_WATCH_EMAIL_FROM": "watch@example.org"}
    smtp |= {"CPEC_WATCH_EMAIL_TO": "desk@example.org"}
    return cli_process.cli_env(folder, CPEC_WATCH_CONFIG=str(folder / "config.toml"), **smtp)


def at_once(args: list[str], env: dict[str, str], times: int = 2) -> list[tuple[int, str, str]]:
    """Start ``times`` processes back to back, then wait for all of them."""
    processes = [cli_process.start(args, env) for _ in range(times)]
    outputs = [p.communicate(timeout=300) for p in processes]
    return [(p.returncode, out, err) for p, (out, err) in zip(processes, outputs, strict=True)]


def new_articles(summary: str) -> int:
    return int(re.search(r"monitor: (\d+) new article", summary).group(1))  # type: ignore[union-attr]


def contents(url: str) -> dict[str, object]:
    """The store, told without its ids: articles, stories, updates and their sources by canonical URL path."""
    engine = create_engine(url)
    with engine.connect() as conn:
        articles = conn.execute(text("SELECT id, canonical_url, story_id, archive_file FROM article")).all()
        updates = conn.execute(text("SELECT id, item, story_id FROM itemupdate")).all()
        sources = conn.execute(text("SELECT update_id, article_id FROM updatesource")).all()
        seen = conn.execute(text("SELECT url_key FROM seenentry")).scalars().all()
        stories = conn.execute(text("SELECT count(*) FROM story")).scalar()
    engine.dispose()
    path = {a.id: urlsplit(a.canonical_url).path for a in articles}
    story = {s: frozenset(path[a.id] for a in articles if a.story_id == s) for s in {a.story_id for a in articles}}
    by_update = {u.id: (u.item, story[u.story_id]) for u in updates}
    return {
        "articles": Counter(path.values()),
        "archive_files": Counter(a.archive_file.split("_", 1)[1] for a in articles),  # numbered in storing order
        "archive_numbers_twice": [
            n for n, c in Counter(a.archive_file.split("_")[0] for a in articles).items() if c > 1
        ],
        "stories": Counter(story.values()),
        "empty_stories": stories - len(story),  # type: ignore[operator]
        "updates": Counter(by_update.values()),
        "sources": Counter((by_update[s.update_id], path[s.article_id]) for s in sources),
        "seen_twice": [key for key, n in Counter(seen).items() if n > 1],
    }


def test_two_runs_at_once_on_postgresql_store_everything_once(shared_db: str, tmp_path: Path) -> None:
    with serve_fixtures() as web, smtp_server() as (inbox, port):
        env = write_setup(tmp_path / "team", web, port)
        team = ["--db", shared_db, "--archive", str(tmp_path / "team" / "archive"), "--log-format", "json"]
        runs = at_once([*team, "run"], env)  # JSON logs: every warning and error reaches stderr
        assert [code for code, _, _ in runs] == [0, 0] and [err for _, _, err in runs] == ["", ""], runs
        assert sum(new_articles(out) for _, out, _ in runs) == 10  # each article counted by the one run storing it
        assert web.hits("/feeds/") == 2 * len(MAIN_FEEDS)  # both runs polled every feed
        both = contents(shared_db)

        alone_env = write_setup(tmp_path / "alone", web, port)
        alone_db = f"sqlite:///{tmp_path / 'alone' / 'c.db'}"
        alone = cli_process.run(["--db", alone_db, "--archive", str(tmp_path / "alone" / "archive"), "run"], alone_env)
        assert alone.returncode == 0, alone.stderr
        reference = contents(alone_db)

        assert set(both["articles"].values()) == {1} and set(both["archive_files"].values()) == {1}  # type: ignore[union-attr]
        assert len(both["articles"]) == 5 + 10  # type: ignore[arg-type]  # the seeds, the newsroom's CPEC texts
        jcc = frozenset(  # the wire story, its verbatim copy and its rewrite: one story
            {
                "/app/news/2025/09/26/jcc-14th-meeting-beijing",
                "/nation/2025/09/27/jcc-beijing-phase-two-focus",
                "/urdupoint/en/business/pakistan-china-open-14th-jcc-meeting-in-beijing-1912345.html",
            }
        )
        assert jcc in both["stories"]  # type: ignore[operator]
        assert set(both["updates"].values()) == {1} and set(both["sources"].values()) == {1}  # type: ignore[union-attr]
        assert both == reference and both["empty_stories"] == 0 and both["seen_twice"] == []
        assert both["archive_numbers_twice"] == [] and len(list((tmp_path / "team" / "archive").glob("*.txt"))) == 15

        digest = ["--db", shared_db, "--archive", str(tmp_path / "team" / "archive"), "digest", "--channel", "email"]
        sends = at_once(digest, env)
        assert [code for code, _, _ in sends] == [0, 0], [err for _, _, err in sends]
        assert len(inbox.messages) == 1  # one digest, sent once
        statuses = sorted(err.splitlines()[-1].split(": ", 1)[1].split(",")[0] for _, _, err in sends)
        assert statuses[1] == "sent" and statuses[0] in ("busy", "not-due", "nothing-new"), statuses
        engine = create_engine(shared_db)
        with engine.connect() as conn:
            records = conn.execute(text("SELECT status FROM digestrecord WHERE subscription = 'desk'")).scalars().all()
        engine.dispose()
        assert records == ["sent"]
