"""Exit statuses a cron job can act on, through the real CLI in a process against the loopback newsroom:
0 all good, 3 completed but a feed, page or digest channel failed, 2 could not run (cli/exits.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.support import cli_process
from tests.support.webserver import FixtureServer, serve_fixtures
from tests.support_alerts import free_port


@pytest.fixture
def web() -> Iterator[FixtureServer]:
    with serve_fixtures() as server:
        yield server


def setup(tmp_path: Path, web: FixtureServer, *paths: str) -> tuple[list[str], dict[str, str]]:
    """Global options and environment for a store in ``tmp_path``; ``feeds.toml`` lists ``paths``."""
    (tmp_path / "config.toml").write_text(
        'import_seeds = false\n[fetch]\nretries = 0\n[[subscriptions]]\nname = "desk"\nchannel = "email"\n'
        '[[subscriptions]]\nname = "screen"\nchannel = "stdout"\n'
    )
    (tmp_path / "feeds.toml").write_text(
        "".join(f'[[feeds]]\nurl = "{web.url(path)}"\nname = "{Path(path).stem}"\n' for path in paths)
    )
    common = ["--db", f"sqlite:///{tmp_path / 'c.db'}", "--archive", str(tmp_path / "archive")]
    smtp = {"CPEC_WATCH_SMTP_HOST": "127.0.0.1", "CPEC_WATCH_SMTP_PORT": str(free_port())}  # nothing listens
    smtp |= {"CPEC_WATCH_SMTP_SECURITY": "none", "CPEC_WATCH_SMTP_TIMEOUT": "5"}
    smtp |= {"CPEC_WATCH_EMAIL_FROM": "watch@example.org", "CPEC_WATCH_EMAIL_TO": "desk@example.org"}
    env = cli_process.cli_env(tmp_path, CPEC_WATCH_CONFIG=str(tmp_path / "config.toml"), **smtp)
    return common, env


def test_a_clean_run_exits_0_and_a_failing_feed_makes_it_3(tmp_path: Path, web: FixtureServer) -> None:
    common, env = setup(tmp_path, web, "/feeds/dawn.xml")
    clean = cli_process.run([*common, "run", "--feeds", str(tmp_path / "feeds.toml")], env)
    assert clean.returncode == 0, clean.stderr
    assert "sources: 1 ok, 0 failed" in clean.stdout

    setup(tmp_path, web, "/feeds/dawn.xml", "/feeds/down.xml")
    partial = cli_process.run([*common, "run", "--feeds", str(tmp_path / "feeds.toml")], env)
    assert partial.returncode == 3, partial.stderr
    assert partial.stdout.count("sources: ") == 1 and "FAILED down" in partial.stdout

    as_json = cli_process.run([*common, "run", "--feeds", str(tmp_path / "feeds.toml"), "--json"], env)
    assert as_json.returncode == 3, as_json.stderr
    data = json.loads(as_json.stdout)  # one JSON document on stdout, and no status inside it
    assert [f["name"] for f in data["feeds_failed"]] == ["down"] and "exit_code" not in data


def test_a_page_that_fails_makes_a_backfill_partial(tmp_path: Path, web: FixtureServer) -> None:
    common, env = setup(tmp_path, web)
    (tmp_path / "urls.txt").write_text(
        web.url("/tribune/story/2025/09/03/rashakai-sez-progress") + "\n" + web.url("/tribune/no-such-page") + "\n"
    )
    partial = cli_process.run([*common, "backfill", "--urls", str(tmp_path / "urls.txt")], env)
    assert partial.returncode == 3, partial.stderr
    assert "1 new article(s)" in partial.stdout and "1 page(s) failed" in partial.stdout
    clean = cli_process.run([*common, "backfill", "--from-dir", str(SEEDS)], env)
    assert clean.returncode == 0, clean.stderr


def test_a_digest_whose_channel_fails_exits_3_and_one_that_delivers_0(tmp_path: Path, web: FixtureServer) -> None:
    common, env = setup(tmp_path, web)
    assert cli_process.run([*common, "backfill", "--from-dir", str(SEEDS)], env).returncode == 0
    failed = cli_process.run([*common, "digest", "--channel", "email", "--json"], env)
    assert failed.returncode == 3, failed.stderr
    assert [r["status"] for r in json.loads(failed.stdout)] == ["failed"]
    shown = cli_process.run([*common, "digest", "--channel", "stdout"], env)
    assert shown.returncode == 0 and "screen (stdout): sent" in shown.stderr
    again = cli_process.run([*common, "digest", "--channel", "stdout"], env)
    assert again.returncode == 0 and "screen (stdout): nothing-new" in again.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--archive", "{tmp}/config.toml", "run"], "cannot use"),
        (["--db", "nosuchdb://x", "backfill", "--from-dir", str(SEEDS)], "unknown database type"),
        (["--db", "sqlite:///{tmp}/none.db", "digest"], "no store at"),
        (["--config", "{tmp}/feeds.toml", "digest", "--channel", "slack"], "no slack subscription"),
        (["run", "--feeds", "{tmp}/missing.opml"], "missing.opml"),
        (["timeline", "no-such-item"], "unknown tracked item: no-such-item"),  # 1 is for crashes
    ],
)
def test_could_not_run_exits_2_with_one_line(tmp_path: Path, web: FixtureServer, args: list[str], message: str) -> None:
    common, env = setup(tmp_path, web)
    (tmp_path / "feeds.toml").write_text("")  # an empty config file: no subscriptions
    result = cli_process.run([*common, *(arg.replace("{tmp}", str(tmp_path)) for arg in args)], env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == "" and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.prefect
def test_a_prefect_run_exits_as_the_same_run_in_process(tmp_path: Path, web: FixtureServer) -> None:
    common, env = setup(tmp_path, web, "/feeds/dawn.xml", "/feeds/down.xml")
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # a busy machine starts it slowly
    partial = cli_process.run([*common, "run", "--prefect", "--feeds", str(tmp_path / "feeds.toml"), "--json"], env)
    assert partial.returncode == 3, partial.stderr
    data = json.loads(partial.stdout)
    assert data["new"] == 3 and [f["name"] for f in data["feeds_failed"]] == ["down"]
    unusable = [*common[:2], "--archive", str(tmp_path / "config.toml"), "run", "--prefect"]
    cannot = cli_process.run([*unusable, "--feeds", str(tmp_path / "feeds.toml")], env)
    assert cannot.returncode == 2, cannot.stderr
    assert cannot.stdout == "" and "\nError: cannot use" in cannot.stderr  # after Prefect's log of the failed run
