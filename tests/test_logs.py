"""Log lines about feeds and pages carry their fields: as key=value text with ``-v``, as JSON objects with
``--log-format json`` (or CPEC_WATCH_LOG_FORMAT=json), through the real CLI against the loopback newsroom."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from tests.support import cli_process
from tests.support.webserver import serve_fixtures


def setup(tmp_path: Path, base: str) -> tuple[list[str], dict[str, str]]:
    (tmp_path / "config.toml").write_text("import_seeds = false\n[fetch]\nretries = 0\n")
    (tmp_path / "feeds.toml").write_text(
        f'[[feeds]]\nurl = "{base}/feeds/tribune.xml"\nname = "Tribune"\n'
        f'[[feeds]]\nurl = "{base}/feeds/down.xml"\nname = "Down"\n'
    )
    common = ["--db", f"sqlite:///{tmp_path / 'c.db'}", "--archive", str(tmp_path / "archive")]
    return common, cli_process.cli_env(tmp_path, CPEC_WATCH_CONFIG=str(tmp_path / "config.toml"))


def test_json_log_lines_name_the_feed_and_the_stored_articles(tmp_path: Path) -> None:
    with serve_fixtures() as web:
        common, env = setup(tmp_path, web.base_url)
        result = cli_process.run(
            [*common, "-v", "--log-format", "json", "run", "--feeds", f"{tmp_path}/feeds.toml"], env
        )
    assert result.returncode == 3, result.stderr  # the down feed failed
    lines = [json.loads(line) for line in result.stderr.splitlines()]  # every line is one JSON object
    assert all({"ts", "level", "logger", "msg"} <= line.keys() for line in lines)
    stored = [line for line in lines if line.get("outcome") == "stored"]
    listed = json.loads(cli_process.run([*common, "articles", "--json"], env).stdout)
    assert sorted(line["article_id"] for line in stored) == sorted(article["id"] for article in listed)
    assert {line["feed"] for line in stored} == {web.url("/feeds/tribune.xml")}
    assert all(line["url"].startswith(web.url("/tribune/")) or "/redirect?" in line["url"] for line in stored)
    assert all(isinstance(line["feed_id"], int) and line["msg"] == "page stored" for line in stored)
    [down] = [line for line in lines if line.get("feed") == web.url("/feeds/down.xml")]
    assert down["level"] == "WARNING" and down["outcome"] == "failed" and "HTTP 500" in down["msg"]
    [tribune] = [line for line in lines if line.get("feed") == web.url("/feeds/tribune.xml") and "url" not in line]
    assert tribune["outcome"] == "ok" and tribune["level"] == "INFO"


def test_text_log_lines_show_the_fields_and_json_without_v_logs_warnings_only(tmp_path: Path) -> None:
    with serve_fixtures() as web:
        common, env = setup(tmp_path, web.base_url)
        text = cli_process.run([*common, "-v", "run", "--feeds", f"{tmp_path}/feeds.toml"], env)
        feed = web.url("/feeds/tribune.xml")
        assert re.search(
            rf"^page stored feed={re.escape(feed)} feed_id=\d+ url=\S+ article_id=\d+ outcome=stored$",
            text.stderr,
            re.M,
        )

        quiet = cli_process.run(
            [*common, "run", "--feeds", f"{tmp_path}/feeds.toml"], {**env, "CPEC_WATCH_LOG_FORMAT": "json"}
        )
    [warning] = [json.loads(line) for line in quiet.stderr.splitlines()]
    assert warning["level"] == "WARNING" and warning["feed"] == web.url("/feeds/down.xml")


def test_the_fields_are_attributes_of_the_log_record_and_pairs_in_its_text(sqlite_url: str) -> None:
    from cpec_watch.flows.logfields import log_event
    from cpec_watch.models import FeedSource, Outcome
    from cpec_watch.storage.db import open_engine, session
    from cpec_watch.storage.feeds import feed_id, validators

    engine = open_engine(sqlite_url)

    def ids(url: str) -> int | None:  # what Pipeline.feed_id looks up
        with session(engine) as sess:
            return feed_id(sess, url)

    with session(engine) as sess:
        validators(sess, FeedSource("https://dawn.example/feed", "Dawn"))  # creates the feed's row
    records: list[logging.LogRecord] = []
    log = logging.getLogger("cpec_watch.test_logs")
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        fields = dict(feed="https://dawn.example/feed", url="https://dawn.example/a%20b", article_id=7)
        log_event(log, logging.INFO, "page stored", ids=ids, outcome=Outcome.STORED, **fields)
        log_event(log, logging.DEBUG, "not logged", ids=ids, feed="https://dawn.example/feed")
    finally:
        log.removeHandler(handler)
        engine.dispose()
    [record] = records
    assert (record.feed, record.feed_id, record.url, record.article_id) == (  # type: ignore[attr-defined]
        "https://dawn.example/feed",
        1,
        "https://dawn.example/a%20b",
        7,
    )
    assert record.outcome == "stored" and record.event == "page stored"  # type: ignore[attr-defined]
    assert record.getMessage() == (
        "page stored feed=https://dawn.example/feed feed_id=1 url=https://dawn.example/a%20b"
        " article_id=7 outcome=stored"
    )
