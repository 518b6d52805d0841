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
    assert f"stopping ({signal.Signals(signum).name}): requests in flight aborted" in err  # what it does, said
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


def group_members(pgid: int) -> list[str]:
    """The live processes of process group ``pgid`` (zombies aside), as "pid (command)"."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command, fields = stat[stat.index("(") : stat.rindex(")") + 1], stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{entry.name} {command}")
    return found


def stored_keys(db: str) -> list[str]:
    from sqlmodel import select

    from cpec_watch.storage.db import open_engine, session
    from cpec_watch.storage.models import ArticleRow

    engine = open_engine(db)
    with session(engine) as sess:
        keys = list(sess.exec(select(ArticleRow.url_key)).all())
    engine.dispose()
    return keys


def worker_started(pgid: int) -> bool:
    """Whether a backfill worker process of group ``pgid`` has been spawned (it may still be starting up)."""
    return any("spawn_main" in member for member in group_commands(pgid))


def group_commands(pgid: int) -> list[str]:
    found = []
    for member in group_members(pgid):
        try:
            found.append(Path(f"/proc/{member.split()[0]}/cmdline").read_bytes().decode(errors="replace"))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process groups from /proc")
@pytest.mark.parametrize(
    "when, signals, code",
    [
        ("a batch is stored", (signal.SIGINT, signal.SIGINT), 130),  # Ctrl-C pressed twice in a terminal
        ("a worker is starting", (signal.SIGINT,), 130),  # Ctrl-C just as the pool starts
        ("a worker is starting", (signal.SIGTERM,), 143),  # systemd stops the whole group
    ],
)
def test_signals_to_a_backfills_group_leave_no_worker_behind(tmp_path: Path, when: str, signals, code: int) -> None:  # type: ignore[no-untyped-def]
    """Signals to a folder backfill's whole process group (as a terminal or systemd sends them): the main process
    exits 130 or 143 without a traceback, every worker and multiprocessing's resource tracker go with it, and a
    re-run stores the rest once."""
    from tests.support import cli_process
    from tests.support.corpus import write_corpus

    written = write_corpus(tmp_path / "old", 600)
    (tmp_path / "config.toml").write_text("import_seeds = false\n[backfill]\nbatch = 40\nworkers = 1\n")
    db = f"sqlite:///{tmp_path / 'c.db'}"
    args = [CLI, "--db", db, "--archive", str(tmp_path / "a"), "backfill", "--from-dir", str(tmp_path / "old")]
    env = cli_process.cli_env(tmp_path, CPEC_WATCH_CONFIG=str(tmp_path / "config.toml"))
    child = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 60
    stored = lambda: (tmp_path / "a").is_dir() and any((tmp_path / "a").iterdir())  # noqa: E731
    while not (stored() if when == "a batch is stored" else worker_started(child.pid)):
        assert child.poll() is None and time.monotonic() < deadline, child.communicate()
        time.sleep(0.005)
    for number, signum in enumerate(signals):
        time.sleep(0.1 if number else 0)
        os.killpg(child.pid, signum)
    try:
        assert child.wait(timeout=30) == code
        deadline = time.monotonic() + 5
        while group_members(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = group_members(child.pid)
        assert not left, f"left running: {left}"
    finally:
        for member in group_members(child.pid):  # nothing is left to the next test, whatever happened
            os.kill(int(member.split()[0]), signal.SIGKILL)
    _, err = child.communicate(timeout=10)  # its output's pipes are closed: no one holds them any more
    assert "Traceback" not in err, err

    first = stored_keys(db)
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    keys = stored_keys(db)
    assert len(keys) == len(set(keys)) == written["story"] + written["rewrite"] > len(first)
    archived = sorted(p.name for p in (tmp_path / "a").glob("*.txt"))
    assert len(archived) == len(keys)  # every stored article has its file, none twice
