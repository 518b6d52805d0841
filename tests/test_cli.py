"""The command line: JSON fields, one-line errors, no Prefect import for read-only commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cpec_watch.cli.main import cli
from tests.conftest import ROOT

CLOSED_FEEDS = '[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\nname = "Closed port"\n'
NO_RETRIES = "[fetch]\nretries = 0\n"


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    for name in ("CPEC_WATCH_DB", "CPEC_WATCH_ARCHIVE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "feeds.toml").write_text(CLOSED_FEEDS)
    (tmp_path / "config.toml").write_text(NO_RETRIES)
    monkeypatch.setenv("CPEC_WATCH_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


def test_run_stays_in_process_when_prefect_api_url_is_set_and_prints_one_summary(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # a server that is not there
    result = invoke("run", "--feeds", "feeds.toml")
    assert result.exit_code == 3, result.output  # completed; its one feed failed
    assert result.output.count("monitor: ") == 1 and "imported 5 seed article(s)" in result.output
    assert "sources: 0 ok," in result.output


def test_run_without_network_completes_imports_seeds_and_says_why_feeds_failed(workdir: Path) -> None:
    result = invoke("run", "--feeds", "feeds.toml", "--json")
    assert result.exit_code == 3, result.output
    summary = json.loads(result.output)
    assert summary["seeds_imported"] == 5 and summary["new"] == 0
    assert summary["feeds_failed"][0]["error"].startswith("ConnectError")
    assert sorted(p.name for p in (workdir / "data" / "articles").iterdir() if p.suffix == ".txt") == sorted(
        p.name for p in (ROOT / "seeds").glob("*.txt")
    )
    for seed in (ROOT / "seeds").glob("*.txt"):
        assert (workdir / "data" / "articles" / seed.name).read_bytes() == seed.read_bytes()

    rows = json.loads(invoke("articles", "--json").output)
    assert len(rows) == 5
    assert set(rows[0]) >= {
        "id",
        "url",
        "canonical_url",
        "title",
        "published",
        "source",
        "story",
        "items",
        "archive_file",
    }
    by_file = {row["archive_file"]: row for row in rows}
    assert by_file["002_81a317b85942699c.txt"]["story"] == by_file["003_9c0dc566686552c5.txt"]["story"]
    assert by_file["000_a1585c22ca6705fb.txt"]["published"] == "2025-08-31"
    assert by_file["002_81a317b85942699c.txt"]["published"] is None
    assert json.loads(invoke("articles", "--since", "2025-09-01", "--json").output) != rows

    feeds = json.loads(invoke("feeds", "--json").output)
    assert feeds == [{**feeds[0], "url": "http://127.0.0.1:9/feed.xml", "last_status": None, "entries_seen": 0}]
    assert set(feeds[0]) >= {"url", "last_status", "last_error", "last_polled", "entries_seen"}

    again = json.loads(invoke("run", "--feeds", "feeds.toml", "--json").output)
    assert again["seeds_imported"] == 0 and len(json.loads(invoke("articles", "--json").output)) == 5


def test_settings_come_from_options_and_environment(workdir: Path) -> None:
    db = f"sqlite:///{workdir / 'other.db'}"
    result = invoke("--archive", "arch", "run", "--feeds", "feeds.toml", env={"CPEC_WATCH_DB": db})
    assert result.exit_code == 3  # the closed port failed
    assert (workdir / "other.db").exists() and len(list((workdir / "arch").glob("*.txt"))) == 5
    assert not (workdir / "data").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--db", "nonsense://", "articles"], "Error: "),
        (["--config", "missing.toml", "articles"], "Error: config file not found: missing.toml"),
        (["run", "--feeds", "nowhere.opml"], "Error: "),
        (["backfill"], "Error: backfill needs --from-dir, --urls or --feeds"),
        (["backfill", "--urls", "feeds.toml"], "Error: feeds.toml: not an http(s) URL"),
        (["articles", "--since", "yesterday"], "Error: Invalid value for '--since'"),
        (["--db", "sqlite:///no/such/store.db", "feeds"], "Error: no store at no/such/store.db yet"),
        (["backfill", "--feeds", "feeds.toml", "--since", "2025-10-01", "--until", "2025-09-01"], "is after --until"),
        (["digest", "--since", "99999999999d"], "Error: Invalid value for --since"),
    ],
)
def test_user_errors_are_one_line_without_traceback(workdir: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2  # could not run
    assert message in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1


def test_invalid_config_file_is_reported_with_its_name(workdir: Path) -> None:
    (workdir / "bad.toml").write_text("[fetch\nretries = 1")
    result = CliRunner().invoke(cli, ["--config", "bad.toml", "feeds"])
    assert result.exit_code == 2 and "invalid TOML in bad.toml" in result.output


def test_backfill_from_a_seed_format_folder(workdir: Path) -> None:
    result = invoke("backfill", "--from-dir", str(ROOT / "seeds"), "--json")
    assert json.loads(result.output)["new"] == 5
    again = json.loads(invoke("backfill", "--from-dir", str(ROOT / "seeds"), "--json").output)
    assert (again["new"], again["already_seen"]) == (0, 5)  # recognised by their file names, not read again


def test_read_only_commands_do_not_import_prefect(workdir: Path) -> None:
    code = (
        "import sys; from cpec_watch.cli.main import cli; "
        f"cli(['backfill', '--from-dir', {str(ROOT / 'seeds')!r}], standalone_mode=False); "
        "cli(['articles', '--json'], standalone_mode=False); cli(['feeds'], standalone_mode=False); "
        "cli(['items'], standalone_mode=False); cli(['timeline', 'ml-1'], standalone_mode=False); "
        "cli(['status'], standalone_mode=False); cli(['export-feeds', 'out'], standalone_mode=False); "
        "cli(['feeds', '--opml'], standalone_mode=False); "
        "assert 'prefect' not in sys.modules, 'prefect imported'"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=workdir,
        check=True,
        capture_output=True,
        env={"PATH": "", "PYTHONPATH": str(ROOT), "CPEC_WATCH_CONFIG": str(workdir / "config.toml")},
    )


@pytest.mark.parametrize(
    "config, message",
    [
        ("[fetch]\nper_host = 0\n", "invalid setting fetch.per_host"),
        ("relevance = 3\n", "[relevance] must be a table"),
        ("items = 3\n", "'items' must be [[items]] tables"),
        ('[[feeds]]\nurl = "http://[::1/feed"\nname = "X"\n', "not a valid URL"),
        ('[[subscriptions]]\nchannel = "pigeon"\n', "unknown channel 'pigeon'"),
        ('[[subscriptions]]\nchannel = "slack"\nitems = ["ml-2"]\n', "unknown tracked item or category 'ml-2'"),
        ('[[subscriptions]]\nchannel = "slack"\nitems = "ml-1"\n', "items must be a list of strings"),
    ],
)
def test_bad_config_files_fail_at_once_with_one_line(workdir: Path, config: str, message: str) -> None:
    (workdir / "bad.toml").write_text(config)
    result = CliRunner().invoke(cli, ["--config", "bad.toml", "run", "--feeds", "feeds.toml"])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and not (workdir / "data").exists()  # nothing was run


def test_feeds_listed_in_the_config_file_are_polled(workdir: Path) -> None:
    (workdir / "config.toml").write_text(NO_RETRIES + CLOSED_FEEDS)
    summary = json.loads(invoke("run", "--json").output)
    assert [f["name"] for f in summary["feeds_failed"]] == ["Closed port"]


def test_an_archive_path_that_is_a_file_is_a_clear_error(workdir: Path) -> None:
    (workdir / "not-a-folder").write_text("")
    result = CliRunner().invoke(cli, ["--archive", "not-a-folder", "run", "--feeds", "feeds.toml"])
    assert result.exit_code == 2 and "cannot use not-a-folder as the archive folder" in result.output


def test_article_text_cannot_send_escape_sequences_to_the_terminal(workdir: Path) -> None:
    folder = workdir / "hostile"
    folder.mkdir()
    (folder / "000_0123456789abcdef.txt").write_text(
        " date 2025-09-01 \x1b]0;pwned\x07\x1b[2J\x1b[31mML-1 approved\x1b[0m\n\nThe ML-1 railway was approved.\n",
        encoding="utf-8",
    )
    assert invoke("backfill", "--from-dir", str(folder)).exit_code == 0
    listing = invoke("articles").output + invoke("timeline", "ml-1").output
    assert "ML-1 approved" in listing and "\x1b" not in listing and "\x07" not in listing


def test_status_says_where_everything_is_and_whether_it_answers(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = CliRunner().invoke(cli, ["status"])
    assert missing.exit_code == 1 and "PROBLEM: no store at" in missing.output
    assert invoke("backfill", "--from-dir", str(ROOT / "seeds")).exit_code == 0
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens there
    shown = invoke("status")
    assert shown.exit_code == 0
    assert "ok, 5 article(s)" in shown.output and "ok, 5 file(s)" in shown.output
    assert "prefect  http://127.0.0.1:9/api" in shown.output and "PROBLEM: ConnectError" in shown.output
    masked = CliRunner().invoke(cli, ["--db", "postgresql://cpec:s3cret@127.0.0.1:1/x", "status"])
    assert masked.exit_code == 1 and "s3cret" not in masked.output and "cpec:***@" in masked.output
