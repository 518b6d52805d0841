"""A few simulated days of ``bench/year_soak.py``: every fault at least once, and nothing lost, doubled or leaked.

The soak runs as its own process (it mounts a tmpfs for the archive's full disk when it may, and kills passes with
SIGKILL), on a simulated clock: 240 half-hourly passes (five days, a weekly digest and four daily ones) over six
feeds on a loopback newsroom, a real SMTP server and a SQLite store in ``tmp_path``. Its own checks decide the exit
status; the report says which faults happened, so a fault that stopped happening fails here too. No wall-clock
assertion: a slower machine takes longer, nothing more.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpec_watch.clock import use_clock, utcnow

SOAK = Path(__file__).resolve().parent.parent / "bench" / "year_soak.py"


def test_use_clock_sets_now_for_the_block_and_every_thread():
    import threading

    moment = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
    seen: list[datetime] = []
    with use_clock(lambda: moment):
        assert utcnow() == moment
        thread = threading.Thread(target=lambda: seen.append(utcnow()))
        thread.start()
        thread.join()
    assert seen == [moment]
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_few_simulated_days_lose_nothing_send_each_digest_once_and_leak_nothing(tmp_path: Path):
    report_file = tmp_path / "report.json"
    command = [sys.executable, str(SOAK), "--passes", "240", "--feeds", "6", "--articles-per-pass", "1.0"]
    command += ["--kills", "5", "--seed", "7", "--sample", "12", "--workdir", str(tmp_path), "--json", str(report_file)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    report = json.loads(report_file.read_text())
    assert done.returncode == 0, (report["problems"], done.stderr[-2000:])
    assert report["problems"] == []
    assert report["stored"] == report["served"] > 100
    faults = report["faults"]
    for kind in ("guid reused", "listed twice", "came back", "slow within the deadline", "feed down (pass x feed)"):
        assert faults.get(kind, 0) > 0, kind
    assert faults["requests"].get("moved", 0) > 0  # a feed answered 301 and its new address was polled
    assert report["killed"] >= 1  # a pass was killed mid-way, and the next one recovered (nothing lost above)
    assert len(report["lock_waits_s"]) == 4  # passes waited out another connection's write lock
    assert report["disk_full_errors"] >= 1  # the archive's disk was full for a day
    assert report["digests_failed"] >= 1  # the SMTP server was down when a digest was due
    assert report["digests_sent"]["daily"] >= 3 and report["digests_sent"]["weekly"] == 1
    assert report["messages"] == sum(report["digests_sent"].values())
