"""Digests from the store to real local SMTP and Slack-webhook servers, sent once."""

from __future__ import annotations

import email
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, timedelta
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlmodel import select

from cpec_watch.cli.main import cli
from cpec_watch.config.settings import load_settings
from cpec_watch.flows.digests import digest_pass
from cpec_watch.flows.runs import monitor_pass
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.models import ArticleRow, DigestRecord, Story, UpdateRow, UpdateSource
from tests.conftest import SEEDS
from tests.support.webserver import serve_fixtures
from tests.support.webview import REPORT
from tests.support_alerts import free_port, webhook_server


class Inbox:
    """An aiosmtpd handler keeping every message; ``on_data`` runs before the server answers 250."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.on_data = lambda: None

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[attr-defined]
        self.on_data()
        return "250 Message accepted for delivery"


# The digest's machinery under test, not the reader's caution: every reading the reader is fairly sure of
# announces the change it makes (the default asks for the weight of evidence that gives 90% precision).
ANNOUNCE_EVERY_SURE_READING = "[status]\nannounce = 0.5\n"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_env(monkeypatch: pytest.MonkeyPatch, port: int) -> dict[str, str]:
    env = {
        "CPEC_WATCH_SMTP_HOST": "127.0.0.1",
        "CPEC_WATCH_SMTP_PORT": str(port),
        "CPEC_WATCH_SMTP_SECURITY": "none",
        "CPEC_WATCH_EMAIL_FROM": "watch@example.org",
        "CPEC_WATCH_EMAIL_TO": "desk@example.org, analyst@example.org",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def write_config(folder: Path, webhook: str, *extra: str) -> Path:
    path = folder / "config.toml"
    path.write_text(
        "import_seeds = true\n[fetch]\nretries = 0\nread_timeout = 1.0\n"
        + ANNOUNCE_EVERY_SURE_READING
        + '[[subscriptions]]\nname = "desk"\nchannel = "email"\nfirst_window = 3650\n'  # the 2025 fixtures are news
        + f'[[subscriptions]]\nname = "sez-team"\nchannel = "slack"\ntarget = "{webhook}"\n'
        + 'categories = ["sez"]\nfirst_window = 3650\n'
        + "".join(extra)
    )
    return path


def test_digest_from_seeds_and_a_feed_run_arrives_by_email_and_slack_once(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (inbox, port), webhook_server() as hook, serve_fixtures() as web:
        smtp_env(monkeypatch, port)
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            f'[[feeds]]\nurl = "{web.url("/feeds/tribune.xml")}"\nname = "Express Tribune"\n'
            f'[[feeds]]\nurl = "{web.url("/feeds/dawn.xml")}"\nname = "Dawn"\n'
        )
        settings = load_settings(db=db_url, archive=tmp_path / "articles", config=write_config(tmp_path, hook.url))
        assert monitor_pass(settings, feeds_file=feeds).total("stored") >= 4

        reports = {r.subscription: r for r in digest_pass(settings)}
        assert reports["desk"].status == "sent" and reports["sez-team"].status == "sent", reports
        assert reports["desk"].updates > reports["sez-team"].updates > 0  # Slack follows only the SEZs

        [message] = inbox.messages
        assert message["Subject"].startswith("CPEC Watch digest — ")
        assert message["To"] == "desk@example.org, analyst@example.org"
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert text.index("STATUS CHANGES") < text.index("UPDATES")  # changes lead
        assert "Rashakai" in text
        assert "Dhabeji" in text and "Express Tribune" in text
        assert "<script" not in html and f'href="{web.base_url}/tribune/' in html
        slack_text = json.dumps(hook.received)
        assert "Dhabeji" in slack_text and "ML-1" not in slack_text

        again = digest_pass(settings)
        assert {r.status for r in again} == {"nothing-new"}
        assert len(inbox.messages) == 1 and len(hook.received) == reports["sez-team"].messages


def add_updates(
    db_url: str, count: int, item: str = "rashakai-sez", days_ago: Callable[[int], int] = lambda n: 0
) -> None:
    """``count`` updates, each from its own story, as the pipeline would have stored them, the n-th reported
    ``days_ago(n)`` days ago (today, unless told)."""
    engine = open_engine(db_url)
    with session(engine) as sess:
        for n in range(count):
            story = Story()
            sess.add(story)
            sess.flush()
            article = ArticleRow(
                url_key=hashlib.sha256(f"{item}{n}".encode()).hexdigest()[:16],
                url=f"https://example.org/{item}/{n}",
                canonical_url=f"https://example.org/{item}/{n}",
                source=f"Outlet {n % 7}",
                title=f"Update {n}",
                published=date.today() - timedelta(days=days_ago(n)),
                body=f"Body {n}",
                content_hash=f"{item}{n}",
                signature="1",
                story_id=story.id,
            )
            sess.add(article)
            sess.flush()
            update = UpdateRow(
                item=item,
                story_id=story.id,
                article_id=article.id,
                status="under-construction",
                evidence=f"Evidence {n}: work on the zone's block {n} <b>&amp; roads</b> @here is under way.",
                date=date.today() - timedelta(days=days_ago(n)),
            )
            sess.add(update)
            sess.flush()
            sess.add(UpdateSource(update_id=update.id, article_id=article.id))
        sess.commit()
    engine.dispose()


def test_a_slack_digest_of_200_updates_arrives_complete_in_valid_messages_and_resumes_after_failure(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPEC_WATCH_SMTP_HOST", raising=False)
    add_updates(sqlite_url, 200)
    with webhook_server(failures=(200, 200, 403)) as hook:  # the third message is refused
        config = tmp_path / "config.toml"
        config.write_text(
            f'[[subscriptions]]\nname = "slack"\nchannel = "slack"\ntarget = "{hook.url}"\nper_item = 200\n'
        )
        settings = load_settings(db=sqlite_url, config=config)
        [first] = digest_pass(settings)
        assert first.status == "partial" and first.messages == 2 and "HTTP 403" in (first.error or "")
        [resumed, nothing] = digest_pass(settings)
        assert resumed.status == "sent" and nothing.status == "nothing-new"
        evidence = [
            block["text"]["text"]
            for message in hook.received
            for block in message["blocks"]
            if block.get("type") == "section"
        ]
        joined = "\n".join(evidence)
        for n in range(200):
            assert joined.count(f"Evidence {n}:") == 1, n
        assert len(hook.received) >= 4 and all(len(m["blocks"]) <= 50 for m in hook.received)
        assert "@here" not in joined and "<b>" not in joined and "&lt;b&gt;" in joined


def test_a_failing_channel_does_not_block_the_others_and_is_retried_with_what_is_new(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_updates(sqlite_url, 3)
    with smtp_server() as (inbox, port), webhook_server(failures=(500,) * 4) as hook:
        smtp_env(monkeypatch, port)
        settings = load_settings(db=sqlite_url, config=write_config(tmp_path, hook.url))
        reports = {r.subscription: r for r in digest_pass(settings)}
        assert reports["sez-team"].status == "failed" and reports["desk"].status == "sent"
        add_updates(sqlite_url, 2, item="dhabeji-sez")
        reports = {r.subscription: r for r in digest_pass(settings)}
        assert reports["sez-team"].status == "sent" and reports["sez-team"].updates == 5  # old + new
        assert reports["desk"].updates == 2  # only what is new
        assert len(inbox.messages) == 2


def test_a_run_killed_after_the_smtp_server_accepted_does_not_send_again(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_updates(sqlite_url, 2)
    with smtp_server() as (inbox, port):
        env = {**os.environ, **smtp_env(monkeypatch, port), "CPEC_WATCH_DB": sqlite_url}
        command = [str(Path(sys.executable).parent / "cpec-watch"), "digest", "--channel", "email"]
        child = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        inbox.on_data = lambda: os.kill(child.pid, signal.SIGKILL)  # dies before it hears "250"
        assert child.wait(timeout=60) == -signal.SIGKILL
        assert len(inbox.messages) == 1
        inbox.on_data = lambda: None

        result = CliRunner().invoke(cli, ["--db", sqlite_url, "digest", "--channel", "email", "--json"])
        assert json.loads(result.output)[0]["status"] == "nothing-new"
        assert len(inbox.messages) == 1
    engine = open_engine(sqlite_url)
    with session(engine) as sess:
        assert [r.status for r in sess.exec(select(DigestRecord)).all()] == ["sending"]
    engine.dispose()


def test_digest_command_defaults_to_stdout_and_reports_json(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CPEC_WATCH_SMTP_HOST", "CPEC_WATCH_SLACK_WEBHOOK_URL", "CPEC_WATCH_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    (tmp_path / "config.toml").write_text(ANNOUNCE_EVERY_SURE_READING)
    archive = ["--archive", str(tmp_path / "articles"), "--config", str(tmp_path / "config.toml")]
    assert runner.invoke(cli, ["--db", sqlite_url, *archive, "backfill", "--from-dir", str(SEEDS)]).exit_code == 0
    later = tmp_path / "later"  # a report dated today, after the seeds': ML-1 from proposed to under construction
    later.mkdir()
    today = REPORT.replace("2025-10-20", date.today().isoformat()).format(title="ML-1 works under way")
    (later / "900_0123456789abcdef.txt").write_text(today, encoding="utf-8")
    assert runner.invoke(cli, ["--db", sqlite_url, *archive, "backfill", "--from-dir", str(later)]).exit_code == 0
    dry = json.loads(runner.invoke(cli, ["--db", sqlite_url, *archive, "digest", "--dry-run", "--json"]).output)
    assert dry[0]["status"] == "dry-run" and dry[0]["status_changes"] >= 1
    shown = runner.invoke(cli, ["--db", sqlite_url, *archive, "digest"])
    assert shown.exit_code == 0 and "# CPEC Watch digest" in shown.output and "## Status changes" in shown.output
    assert "nothing-new" in runner.invoke(cli, ["--db", sqlite_url, *archive, "digest"]).output
    for _ in range(2):  # an explicit period can be sent again, as often as asked
        command = ["--db", sqlite_url, *archive, "digest", "--since", "30d", "--json"]
        again = json.loads(runner.invoke(cli, command).output)
        assert again[0]["status"] == "sent" and "## Status changes" in again[0]["markdown"]
    missing = runner.invoke(cli, ["--db", sqlite_url, "digest", "--channel", "email"])
    assert missing.exit_code == 2 and "Error: no email subscription" in missing.output


def test_subscription_cadences_and_the_markdown_channel(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPEC_WATCH_SMTP_HOST", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[subscriptions]]\nname = "weekly-file"\nchannel = "markdown"\n'
        f'target = "{tmp_path / "digest.md"}"\ncadence = "weekly"\n'
        f'[[subscriptions]]\nname = "changes-now"\nchannel = "markdown"\n'
        f'target = "{tmp_path / "changes.md"}"\ncadence = "immediate"\n'
    )
    settings = load_settings(db=sqlite_url, config=config)
    add_updates(sqlite_url, 2)
    [weekly] = digest_pass(settings)  # the daily/weekly run leaves "immediate" subscriptions alone
    assert weekly.status == "sent" and "Evidence 1:" in (tmp_path / "digest.md").read_text()
    add_updates(sqlite_url, 1, item="dhabeji-sez")
    assert [r.status for r in digest_pass(settings)] == ["not-due"]  # a week has not passed
    assert [r.status for r in digest_pass(settings, since=weekly_start())] == ["sent"]
    [immediate] = digest_pass(settings, cadences=("immediate",))
    assert immediate.status == "nothing-new"  # no status change: updates alone wait for the digest


def weekly_start():  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta

    return datetime.now(UTC) - timedelta(days=7)


def test_immediate_subscriptions_are_served_at_the_end_of_each_monitor_run(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with webhook_server() as hook, serve_fixtures() as web:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{web.url("/feeds/dawn.xml")}"\nname = "Dawn"\n')
        config = tmp_path / "config.toml"
        config.write_text(
            "import_seeds = true\n"
            + ANNOUNCE_EVERY_SURE_READING
            + f'[[subscriptions]]\nname = "now"\nchannel = "slack"\ntarget = "{hook.url}"\ncadence = "immediate"\n'
            + "first_window = 3650\n"  # the seeds' and fixture feeds' 2025 changes are news here
        )
        settings = load_settings(db=sqlite_url, archive=tmp_path / "articles", config=config)
        first = monitor_pass(settings, feeds_file=feeds)
        [alert] = first.alerts
        assert (
            alert["status"] == "sent" and alert["status_changes"] >= 1 and alert["updates"] == alert["status_changes"]
        )
        assert "→" in json.dumps(hook.received, ensure_ascii=False)
        assert monitor_pass(settings, feeds_file=feeds).alerts[0]["status"] == "nothing-new"


def test_reindex_does_not_make_old_updates_new_again(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPEC_WATCH_SMTP_HOST", raising=False)
    runner = CliRunner()
    (tmp_path / "config.toml").write_text(ANNOUNCE_EVERY_SURE_READING)
    archive = ["--archive", str(tmp_path / "articles"), "--config", str(tmp_path / "config.toml")]
    assert runner.invoke(cli, ["--db", sqlite_url, *archive, "backfill", "--from-dir", str(SEEDS)]).exit_code == 0
    later = tmp_path / "later"  # a report dated today, after the seeds': ML-1 from proposed to under construction
    later.mkdir()
    today = REPORT.replace("2025-10-20", date.today().isoformat()).format(title="ML-1 works under way")
    (later / "900_0123456789abcdef.txt").write_text(today, encoding="utf-8")
    assert runner.invoke(cli, ["--db", sqlite_url, *archive, "backfill", "--from-dir", str(later)]).exit_code == 0
    first = json.loads(runner.invoke(cli, ["--db", sqlite_url, "digest", "--json"]).output)
    assert first[0]["status"] == "sent" and first[0]["updates"] > 10
    assert runner.invoke(cli, ["--db", sqlite_url, "reindex"]).exit_code == 0
    again = json.loads(runner.invoke(cli, ["--db", sqlite_url, "digest", "--json"]).output)
    assert again[0]["status"] == "nothing-new"


def test_two_runs_cannot_send_the_same_period(sqlite_url: str) -> None:
    from cpec_watch.config.subscriptions import Subscription
    from cpec_watch.models import Digest
    from cpec_watch.storage.digests import begin_send, finish_send
    from cpec_watch.storage.models import utcnow

    digest = Digest("CPEC Watch digest", utcnow(), None, utcnow(), (), (), (), ())
    sub = Subscription("desk", "email")
    engine = open_engine(sqlite_url)
    with session(engine) as first, session(engine) as second:
        record = begin_send(first, sub, digest, "content")
        assert record is not None and begin_send(second, sub, digest, "content") is None
        finish_send(first, record, "failed", error="refused")  # a failure frees the period for the next run
        assert begin_send(second, sub, digest, "content") is not None
    engine.dispose()


def test_an_apprise_url_receives_the_digest(sqlite_url: str, tmp_path: Path) -> None:
    add_updates(sqlite_url, 2)
    with webhook_server(slack=False) as hook:
        target = hook.url.replace("http://", "json://")  # Apprise's JSON webhook, to the local receiver
        config = tmp_path / "config.toml"
        config.write_text(f'[[subscriptions]]\nname = "ntfy-like"\nchannel = "apprise"\ntarget = "{target}"\n')
        [report] = digest_pass(load_settings(db=sqlite_url, config=config))
        assert report.status == "sent"
        [payload] = hook.received
        assert payload["title"].startswith("CPEC Watch digest") and "Evidence 1:" in payload["message"]
