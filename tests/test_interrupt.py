"""Ctrl-C and SIGTERM: the pass stops starting work, aborts requests in flight, reports what finished and exits
130 (143 for SIGTERM) promptly; a second signal exits at once; a feed that was not polled is never shown as ok."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.webserver import FixtureServer, serve_fixtures

CLI = str(Path(sys.executable).parent / "cpec-watch")


@pytest.fixture
def web() -> Iterator[FixtureServer]:
    with serve_fixtures() as server:
        yield server


def start(tmp_path: Path, web: FixtureServer) -> tuple[subprocess.Popen, list[str], dict[str, str]]:
    """`cpec-watch run` over a feed that answers after 20 s and one that answers at once, one feed at a time."""
    (tmp_path / "config.toml").write_text(
        "import_seeds = false\n[fetch]\nretries = 2\nconcurrency = 1\nread_timeout = 30\n"
    )
    (tmp_path / "feeds.toml").write_text(
        f'[[feeds]]\nurl = "{web.url("/feeds/slow.xml?delay=20")}"\nname = "Slow"\n'
        f'[[feeds]]\nurl = "{web.url("/feeds/dawn.xml")}"\nname = "Dawn"\n'
    )
    common = [CLI, "--db", f"sqlite:///{tmp_path / 'c.db'}", "--archive", str(tmp_path / "a")]
    env = {**os.environ, "CPEC_WATCH_CONFIG": str(tmp_path / "config.toml")}
    env.pop("PREFECT_API_URL", None)
    child = subprocess.Popen(
        [*common, "run", "--feeds", str(tmp_path / "feeds.toml")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while web.hits("/feeds/slow.xml") < 1:  # the slow request is in flight
        assert child.poll() is None and time.monotonic() < deadline, "the run never asked for the slow feed"
        time.sleep(0.01)
    time.sleep(0.2)
    return child, common, env


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_one_signal_stops_the_pass_cleanly_and_reports_it(tmp_path: Path, web: FixtureServer, signum, code) -> None:  # type: ignore[no-untyped-def]
    child, common, env = start(tmp_path, web)
    child.send_signal(signum)
    out, err = child.communicate(timeout=10)  # not the 20 s the slow feed would take
    assert child.returncode == code, err
    assert f"interrupted by {signal.Signals(signum).name}: 2 feed(s) not polled or not finished" in out
    assert "Traceback" not in err and web.hits("/feeds/dawn.xml") == 0  # nothing new was started
    feeds = subprocess.run([*common, "feeds"], env=env, capture_output=True, text=True, timeout=30).stdout
    assert "Slow" in feeds and "never polled" in feeds and " ok " not in feeds
    (tmp_path / "dawn.toml").write_text(f'[[feeds]]\nurl = "{web.url("/feeds/dawn.xml")}"\nname = "Dawn"\n')
    again = subprocess.run(
        [*common, "run", "--feeds", str(tmp_path / "dawn.toml")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0 and web.hits("/feeds/dawn.xml") == 1  # the next run does what was left


def test_a_second_signal_exits_at_once_without_a_traceback(tmp_path: Path, web: FixtureServer) -> None:
    child, _, _ = start(tmp_path, web)
    child.send_signal(signal.SIGINT)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=10)
    assert child.returncode == 130 and "Traceback" not in err
