"""A digest's size budget, from the store to real local servers (aiosmtpd, a Markdown file), on SQLite and
PostgreSQL: at most ``per_item`` updates per item and "and M more" linking to the item's timeline, a first digest
that covers a recent window, and a backfill said in one line instead of listed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from cpec_watch.config.errors import ConfigError
from cpec_watch.config.settings import load_settings
from cpec_watch.config.subscriptions import load_subscriptions
from cpec_watch.flows.backfill import import_folder
from cpec_watch.flows.digests import digest_pass
from cpec_watch.flows.pipeline import open_pipeline
from tests.support.dense_store import build_dense_store, write_reports
from tests.support.webview import REPORT
from tests.test_digest import ANNOUNCE_EVERY_SURE_READING, add_updates, smtp_env, smtp_server


def markdown_config(folder: Path, *extra: str) -> Path:
    path = folder / "config.toml"
    path.write_text(
        ANNOUNCE_EVERY_SURE_READING
        + f'[[subscriptions]]\nname = "file"\nchannel = "markdown"\ntarget = "{folder / "digest.md"}"\n'
        + "".join(extra)
    )
    return path


def test_at_most_five_updates_per_item_then_and_more_linking_to_its_timeline(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPEC_WATCH_SMTP_HOST", raising=False)
    add_updates(db_url, 12, days_ago=lambda n: n % 6)
    add_updates(db_url, 2, item="dhabeji-sez")
    [report] = digest_pass(load_settings(db=db_url, config=markdown_config(tmp_path)))
    digest = (tmp_path / "digest.md").read_text()
    assert report.status == "sent" and report.updates == 14  # all counted, not all listed
    rashakai = digest[digest.index("### Rashakai") :]
    shown = [n for n in range(12) if f"Evidence {n}:" in rashakai]
    assert len(shown) == 5 and {0, 6, 1, 7} < set(shown) and all(n % 6 < 3 for n in shown)  # the latest reporting
    assert "and 7 more: `cpec-watch timeline rashakai-sez`" in rashakai
    assert "Evidence 0:" in digest[: digest.index("### Rashakai")] and digest.count("more:") == 1

    monkeypatch.setenv("CPEC_WATCH_BASE_URL", "https://cpec.example.org/")
    config = markdown_config(tmp_path, "per_item = 3\n")
    [again] = digest_pass(load_settings(db=db_url, config=config), since=datetime.now(UTC) - timedelta(days=30))
    digest = (tmp_path / "digest.md").read_text()
    assert again.status == "sent" and digest.count("Evidence") == 3 + 2
    assert "and 9 more: [timeline](https://cpec.example.org/items/rashakai-sez)" in digest


def test_the_first_digest_covers_a_recent_window_and_a_backfill_is_one_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = build_dense_store(db_url, tmp_path, 130)  # ML-1 reporting of 2022-2024, imported now
    today = tmp_path / "today"
    today.mkdir()
    report = REPORT.replace("2025-10-20", date.today().isoformat()).format(title="ML-1 works under way")
    (today / "900_0123456789abcdef.txt").write_text(report, encoding="utf-8")
    config = markdown_config(tmp_path, '[[subscriptions]]\nname = "desk"\nchannel = "email"\n')
    settings = load_settings(db=db_url, archive=archive, config=config)
    with open_pipeline(settings) as pipe:
        import_folder(pipe, today, "seed")
    with smtp_server() as (inbox, port):
        smtp_env(monkeypatch, port)
        settings = load_settings(db=db_url, archive=archive, config=config)
        assert {r.status for r in digest_pass(settings)} == {"sent"}
        digest = (tmp_path / "digest.md").read_text()
        [message] = inbox.messages
        text = message.get_body(("plain",)).get_content()
        assert "Railway report" not in digest + text and "Karachi–Rohri section" in digest  # today's report
        window = datetime.now(UTC).date() - timedelta(days=7)
        older = f"130 older articles imported (reported before {window}), not listed"
        assert digest.count(older) == 1 and text.count(older) == 1
        assert "cpec-watch timeline <item>" in text
        assert len(message.as_bytes()) < 20_000 and len(digest.encode()) < 3_000

        later = write_reports(tmp_path / "later", 20, first=date(2019, 1, 7), seed=5)
        with open_pipeline(settings) as pipe:
            import_folder(pipe, later, "seed")
        assert {r.status for r in digest_pass(settings)} == {"sent"}
        digest = (tmp_path / "digest.md").read_text()
        assert "20 older articles imported (reported before " in digest
        assert "Railway report" not in digest and "Main Line-1" not in digest


def test_per_item_and_first_window_are_positive_whole_numbers() -> None:
    [sub] = load_subscriptions({"subscriptions": [{"channel": "stdout"}]})
    assert (sub.per_item, sub.first_window) == (5, 7)
    [sub] = load_subscriptions({"subscriptions": [{"channel": "stdout", "per_item": 20, "first_window": 30}]})
    assert (sub.per_item, sub.first_window) == (20, 30)
    for bad in ({"per_item": 0}, {"first_window": "7d"}, {"per_item": True}):
        with pytest.raises(ConfigError, match="must be a whole number"):
            load_subscriptions({"subscriptions": [{"channel": "stdout", **bad}]})
