"""The cost of a Prefect ``monitor`` flow run with nothing new, against a bare flow, under one real Prefect server.

A ``prefect server start`` subprocess on a free 127.0.0.1 port (temp ``PREFECT_HOME``, SQLite, no UI) is what a
deployment talks to (``PREFECT_API_URL`` set; no hidden ephemeral server). A loopback newsroom (``soak.Site``,
``--feeds`` feeds of ``--articles`` entries) is stored once by an untimed plain pass (seeds imported too); then,
interleaved with the order rotated, ``--runs`` times each in this process: ``monitor(...)`` (every feed answers 304;
one task per feed, the summary artifact, the Secret-block lookups), a bare ``@flow`` that returns at once, and the
same monitoring pass without Prefect (``monitor_pass``, thread mapper). Prefect settings are the defaults (sync
flows, so both flows pay the flow heartbeat). Finally one ``monitor`` run under cProfile: where its time goes.

    .venv/bin/python bench/prefect_bench.py [--runs 5] [--feeds 10] [--articles 10]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from soak import Site  # noqa: E402

CONFIG = "[fetch]\nretries = 0\n"
PREFECT_CALLS = {  # (function, file) of Prefect shown in the profile table
    ("run_flow_sync", "flow_engine.py"),
    ("_send_heartbeats", "flow_engine.py"),
    ("send", "base.py"),
    ("create_flow_run", "client.py"),
    ("set_flow_run_state", "client.py"),
    ("create_markdown_artifact", "artifacts.py"),
    ("load", "core.py"),
}


@contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    """A ``prefect server start`` subprocess on a free loopback port; yields its API URL once /health answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {"PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    command = [str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", "127.0.0.1"]
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [*command, "--port", str(port), "--no-ui"], env=env, stdout=log, stderr=log, start_new_session=True
    )
    api = f"http://127.0.0.1:{port}/api"
    start = time.perf_counter()
    try:
        while True:
            if server.poll() is not None or time.perf_counter() - start > 120:
                raise RuntimeError(f"prefect server did not start: {(home / 'server.log').read_text()[-800:]}")
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        print(f"prefect server answered after {time.perf_counter() - start:.1f} s", file=sys.stderr)
        yield api
    finally:
        os.killpg(server.pid, signal.SIGINT)  # its own session: the server and whatever it started
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--articles", type=int, default=10, help="entries (pages) per feed")
    args = parser.parse_args()
    site = Site(args.articles)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp, prefect_server(Path(tmp)) as api:
        os.environ.update(
            PREFECT_API_URL=api,
            PREFECT_HOME=tmp,
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            CPEC_WATCH_ALLOW_PRIVATE_NETWORKS="1",
        )
        measure(site, Path(tmp), args)
    site.shutdown()


def measure(site: Site, work: Path, args: argparse.Namespace) -> None:
    """Populate the store, time the variants interleaved, profile one monitor run, print the tables."""
    started = time.perf_counter()
    from prefect import flow
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    from cpec_watch.config.settings import load_settings
    from cpec_watch.flows.prefect_flows import monitor
    from cpec_watch.flows.runs import monitor_pass

    imported = time.perf_counter() - started
    base = f"http://127.0.0.1:{site.server_address[1]}"
    feeds = work / "feeds.toml"
    feeds.write_text("".join(f'[[feeds]]\nurl = "{base}/feed/{i}.xml"\nname = "N{i}"\n' for i in range(args.feeds)))
    (work / "config.toml").write_text(CONFIG, encoding="utf-8")
    store = {"db": f"sqlite:///{work}/p.db", "config": str(work / "config.toml"), "archive": str(work / "a")}
    settings = load_settings(db=store["db"], config=Path(store["config"]), archive=Path(store["archive"]))
    stored = monitor_pass(settings, feeds_file=feeds).to_json()
    print(f"imports {imported:.1f} s, store populated after {time.perf_counter() - started:.1f} s", file=sys.stderr)

    @flow(name="bench-noop")
    def noop() -> None:
        """A flow that does nothing."""

    variants: dict[str, Callable[[], object]] = {
        "bare @flow": noop,
        "monitor flow, nothing new": lambda: monitor(feeds=str(feeds), **store),
        "monitor_pass without Prefect": lambda: monitor_pass(settings, feeds_file=feeds),
    }
    first = time.perf_counter()
    noop()  # the client's first run pays its set-up: not one of the timed runs
    first = time.perf_counter() - first
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for run in range(args.runs):
        for name in names[run % 3 :] + names[: run % 3]:
            site.log.clear()
            start = time.perf_counter()
            variants[name]()
            times[name].append(time.perf_counter() - start)
            if any(s.kind == "page" or not s.conditional for s in site.log):
                print(f"WARNING: {name}: a page or an unconditional feed request: {site.log}", file=sys.stderr)
    print(f"timed runs done after {time.perf_counter() - started:.1f} s", file=sys.stderr)
    profile = cProfile.Profile()
    profile.runcall(variants["monitor flow, nothing new"])
    for worker in (APILogWorker, EventsWorker):  # the run logs and events reach the server before it stops
        worker.drain_all(timeout=10)
    report(times, profile, args, stored, imported, first)


def report(
    times: dict[str, list[float]], profile: cProfile.Profile, args: argparse.Namespace, stored: dict, *setup: float
) -> None:
    """The header line, the timing table with ratios, and the profile table."""
    imported, first = setup
    print(
        f"Prefect flow runs in one process against a `prefect server start` subprocess (SQLite, default settings, "
        f"sync flows), {args.runs} runs each interleaved; the monitor polls {args.feeds} stored feeds (all 304) of a "
        f"loopback newsroom ({stored['new']} articles stored beforehand; importing prefect and the flows took "
        f"{imported:.1f} s, the first, untimed bare flow run {first:.1f} s)\n"
    )
    print("| variant | median s | min-max s | ratio to bare flow |\n|---|---|---|---|")
    bare = statistics.median(times["bare @flow"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.3f} | {min(values):.3f}-{max(values):.3f} | {median / bare:.2f} |")
    stats = pstats.Stats(profile)
    rows = stats.stats.items()  # type: ignore[attr-defined]
    total = max(cumulative for _key, (_cc, _n, _tt, cumulative, _callers) in rows)
    print(f"\nOne monitor flow run under cProfile, {total:.2f} s in the calling thread: the project's functions and")
    print("Prefect's API calls, heartbeat and artifact; cumulative, nested calls included (task runs happen in worker")
    print("threads: the mapper's time is waiting for them)\n")
    print("| cumulative s | share | calls | function |\n|---|---|---|---|")
    for (path, line, func), (_cc, calls, _tt, cumulative, _callers) in sorted(rows, key=lambda r: -r[1][3]):
        own = path.startswith(str(ROOT)) and not path.startswith((str(ROOT / ".venv"), str(ROOT / "bench")))
        if cumulative >= 0.01 * total and (own or (func, Path(path).name) in PREFECT_CALLS):
            where = path.removeprefix(str(ROOT) + "/").split("site-packages/")[-1]
            print(f"| {cumulative:.3f} | {cumulative / total:.0%} | {calls} | `{func}` ({where}:{line}) |")


if __name__ == "__main__":
    main()
