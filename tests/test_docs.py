"""README stays true: every command and option is documented, the two set-up commands are there."""

from __future__ import annotations

import re

import click

from cpec_watch.cli.main import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_and_its_options_are_documented() -> None:
    for name, command in cli.commands.items():
        assert f"`cpec-watch {name}" in README, f"command {name} is not in README"
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert any(opt in README for opt in param.opts), f"{name} {param.opts} is not in README"
    for param in cli.params:
        if isinstance(param, click.Option) and param.name not in ("help", "version"):
            assert any(opt in README for opt in param.opts), f"global {param.opts} is not in README"


def test_readme_names_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    assert "python3 tasks.py run" in README and "python3 tasks.py test" in README
    assert "python3 tasks.py test" in (ROOT / ".ci" / "run").read_text()


def test_every_environment_setting_the_code_reads_is_documented() -> None:
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for folder in ("alerts", "cli", "config", "flows", "storage")
        for p in (ROOT / folder).glob("*.py")
    )
    for name in set(re.findall(r"CPEC_WATCH_[A-Z_]+", code)):
        assert name in README, f"{name} is not in README"
