"""A typo in the config file or in a CPEC_WATCH_ variable is an error naming the key and the closest valid one,
not a setting silently left at its default (issue 19). Through the real CLI in a process; `feeds --opml` reads
the settings and no store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import cli_process


def opml(tmp_path: Path, config: str, **env: str) -> tuple[int, str]:
    (tmp_path / "config.toml").write_text(config)
    result = cli_process.run(
        ["--config", str(tmp_path / "config.toml"), "feeds", "--opml"], cli_process.cli_env(tmp_path, **env)
    )
    return result.returncode, result.stderr


@pytest.mark.parametrize(
    "config, message",
    [
        ('archve = "old"\n', "unknown setting 'archve' (did you mean 'archive'?)"),
        ('smtp_host = "mail.example.org"\n', "'smtp_host' is read from the environment: CPEC_WATCH_SMTP_HOST"),
        ("[fetchh]\nretries = 1\n", "unknown section [fetchh] (did you mean [fetch]?)"),
        ("[fetch]\nretires = 1\n", "unknown setting 'retires' in [fetch] (did you mean 'retries'?)"),
        ("[backfill]\nworker = 2\n", "unknown setting 'worker' in [backfill] (did you mean 'workers'?)"),
        ('[relevance]\nterm = ["x"]\n', "unknown setting 'term' in [relevance] (did you mean 'terms'?)"),
        (
            '[[subscriptions]]\nname = "a"\nchannel = "stdout"\ncadance = "weekly"\n',
            "subscription #1: unknown setting 'cadance' (did you mean 'cadence'?)",
        ),
        (
            '[[feeds]]\nurl = "https://example.org/feed"\nname = "Example"\ntopic = true\n',
            "feeds[0]: unknown key 'topic' (expected url, name, topical)",
        ),
    ],
)
def test_an_unknown_key_in_the_config_file_is_a_one_line_error(tmp_path: Path, config: str, message: str) -> None:
    status, err = opml(tmp_path, config)
    assert status == 2 and message in err and err.count("\n") == 1, err


def test_an_unknown_environment_variable_is_a_one_line_error(tmp_path: Path) -> None:
    status, err = opml(tmp_path, "", CPEC_WATCH_ARCHVE="old")
    assert status == 2 and err.count("\n") == 1, err
    assert "unknown environment variable CPEC_WATCH_ARCHVE (did you mean CPEC_WATCH_ARCHIVE?)" in err
    status, err = opml(tmp_path, "", CPEC_WATCH_SMTP_HOTS="mail.example.org")
    assert status == 2 and "(did you mean CPEC_WATCH_SMTP_HOST?)" in err, err


def test_every_documented_key_is_accepted(tmp_path: Path) -> None:
    """The README's full config example, and every variable the README names, pass the check."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("can set any of this:\n\n```toml\n", 1)[1].split("```", 1)[0]
    example = example.replace('db = "postgresql://cpec@db.example.org/cpec"', f'db = "sqlite:///{tmp_path}/c.db"')
    example = example.replace('archive = "/srv/cpec/articles"', f'archive = "{tmp_path}/a"')
    env = {name: "1" for name in re.findall(r"CPEC_WATCH_[A-Z_]*[A-Z](?![A-Z_*])", readme)}
    env |= {"CPEC_WATCH_SMTP_SECURITY": "none", "CPEC_WATCH_LOG_FORMAT": "text", "CPEC_WATCH_DB": "sqlite://"}
    env |= {"CPEC_WATCH_CONFIG": str(tmp_path / "config.toml"), "CPEC_WATCH_ARCHIVE": str(tmp_path / "a")}
    status, err = opml(tmp_path, example, **env)
    assert status == 0, err


def test_an_unknown_key_of_a_tracked_item_is_a_one_line_error(tmp_path: Path) -> None:
    config = '[[items]]\nslug = "port-link"\nname = "Port link"\naliases = ["port link"]\nexclude = ["x"]\n'
    status, err = opml(tmp_path, config)
    assert status == 2 and err.count("\n") == 1, err
    assert "item #1: unknown setting 'exclude' (did you mean 'excludes'?)" in err
