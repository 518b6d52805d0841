"""A year in an hour: half-hourly monitor passes and the daily and weekly digests on a simulated clock.

The real pipeline (``monitor_pass``, ``digest_pass``) runs against a loopback newsroom, a real SMTP server (aiosmtpd)
and a real SQLite store, with the time read through ``cpec_watch.clock.use_clock``: every pass happens at
its simulated half hour (feed rests, ``next_poll``, digest periods, the weekly digest's due-ness and every timestamp
the store records), so a year of feeds dying and resting takes an hour, not a year. Faults, each on its schedule:

- feeds die (HTTP 500 or 404) for an hour to a few days and come back; one is dead for 30 days (40+ failures in a
  row: the rest must not overflow);
- feeds move: their URL answers 301 to a new one from a random day on;
- items reuse an earlier item's GUID with another link, are listed twice in one feed, or come back to the top of the
  feed weeks after they left it;
- feeds answer slowly: within the timeout (the pass waits) or past it (the feed fails this pass);
- the SMTP server is stopped for a simulated day that holds a digest;
- the database is locked by a second connection holding a write transaction (``BEGIN IMMEDIATE``) while passes run:
  for a few seconds (the pass waits on SQLite's busy timeout) and, with ``--long-lock``, past it (the pass fails);
- the archive's disk is full for a simulated day: the archive folder is a tmpfs filled to the last byte (ENOSPC)
  when this process may mount one (root), else a regular file stands where the folder was (ENOTDIR);
- a pass is killed: some passes run as a child process (this script with ``--child``, the same ``monitor_pass`` at
  the same simulated time) and get SIGKILL at a random moment of the pass; the next pass must recover.

Checks at the end (exit 1 on any violation): every item a feed served is stored exactly once, and archived in one
file; every digest the outbox records as sent reached the SMTP server exactly once, no message twice, and each
subscription's sent periods follow one another without gap or overlap; no process started by the soak is left;
open descriptors, threads and resident memory sampled every ``--sample`` passes are flat (slopes per 1,000
passes); the store grows linearly with the articles. The report is Markdown on stdout and, with ``--json FILE``,
a JSON object.
"""

from __future__ import annotations

import argparse
import atexit
import email
import email.policy
import gc
import itertools
import json
import logging
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from soak import PLACES, VOCABULARY, resident_mib  # noqa: E402

START = datetime(2027, 1, 1, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)
DIGEST_AT = (3, 0)  # 08:00 Asia/Karachi, the digest deployment's schedule, in UTC
WINDOW = 25  # items a feed lists
SLOW_OK, SLOW_TOO = 0.4, 2.5  # seconds before headers: within and past the fetch deadline below
MARK = "YEAR_SOAK_RUN"  # in every child's environment, to find any process the soak left


# ---------------------------------------------------------------- the newsroom


@dataclass
class Item:
    feed: int
    number: int
    guid: str
    link_path: str
    published: datetime
    twice: bool = False  # listed twice in its feed


@dataclass
class Newsroom:
    """What every feed lists now, and the faults of this pass (set by the driver, read by the handler)."""

    feeds: int
    listed: dict[int, list[Item]] = field(default_factory=dict)
    down: dict[int, int] = field(default_factory=dict)  # feed -> status it answers with
    moved: set[int] = field(default_factory=set)
    slow: dict[int, float] = field(default_factory=dict)
    served: set[str] = field(default_factory=set)  # page paths listed in a 200 feed answer
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def feed_xml(self, feed: int, base: str) -> bytes:
        items = list(self.listed.get(feed, []))
        entries = []
        for item in items:
            entry = (
                f"<item><title>CPEC update {item.feed}-{item.number}</title><link>{base}{item.link_path}</link>"
                f'<guid isPermaLink="false">{item.guid}</guid>'
                f"<pubDate>{item.published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
                f"<description>China-Pakistan Economic Corridor news {item.feed}-{item.number}.</description></item>"
            )
            entries += [entry, entry] if item.twice else [entry]
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Newsroom {feed}</title>{"".join(entries)}'
            "</channel></rss>"
        ).encode()


def page_html(feed: int, number: int) -> bytes:
    rng = random.Random(feed * 1_000_003 + number)
    words = rng.sample(VOCABULARY, 90)  # a distinct story per page
    place = PLACES[(feed + number) % len(PLACES)]
    title = f"CPEC update {feed}-{number}: {place}"
    paragraphs = [
        f"ISLAMABAD: Under the China-Pakistan Economic Corridor, officials at {place} said {' '.join(words[:30])}.",
        f"{' '.join(words[30:60])}, report {feed}-{number} added.",
        f"{' '.join(words[60:])}, the {place} office said.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"
    return page.encode()


class Handler(BaseHTTPRequestHandler):
    server: NewsroomServer

    def do_GET(self) -> None:
        room = self.server.room
        parts = self.path.strip("/").split("/")
        room.requests[parts[0]] += 1
        if parts[0] in ("feed", "moved") and len(parts) == 2:
            feed = int(parts[1].removesuffix(".xml"))
            if parts[0] == "feed" and feed in room.moved:
                return self._send(301, b"", "text/plain", location=f"/moved/{feed}.xml")
            if feed in room.down:
                return self._send(room.down[feed], b"down", "text/plain")
            if feed in room.slow:
                time.sleep(room.slow[feed])
            with room.lock:
                body = room.feed_xml(feed, self.server.base)
                paths = {item.link_path for item in room.listed.get(feed, [])}
            if self._send(200, body, "application/rss+xml"):
                with room.lock:
                    room.served |= paths
            return None
        if parts[0] == "page" and len(parts) == 3:
            return self._send(200, page_html(int(parts[1]), int(parts[2].removesuffix(".html"))), "text/html")
        return self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, kind: str, location: str | None = None) -> bool:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:  # the client gave up (a slow answer past its deadline)
            return False
        return True

    def log_message(self, *args: object) -> None:
        pass


class NewsroomServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, room: Newsroom) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.room = room
        self.base = f"http://127.0.0.1:{self.server_address[1]}"


# ---------------------------------------------------------------- the fault schedule


@dataclass
class Schedule:
    """Every fault of the soak, decided up front from the seed: pass numbers (half hours since START)."""

    passes: int
    feeds: int
    rng: random.Random
    outages: list[tuple[int, int, int, int]] = field(default_factory=list)  # feed, first, last, status
    moves: dict[int, int] = field(default_factory=dict)  # feed -> first pass moved
    smtp_down: range = range(0)
    locked: list[int] = field(default_factory=list)  # passes run under a short write lock
    long_lock: int | None = None
    disk_full: range = range(0)
    kills: set[int] = field(default_factory=set)

    @classmethod
    def make(cls, passes: int, feeds: int, seed: int, kills: int, long_lock: bool) -> Schedule:
        rng = random.Random(seed)
        s = cls(passes, feeds, rng)
        day = 48
        for feed in range(feeds):  # about one outage a month a feed, an hour to 3 days long
            for _ in range(max(1, passes // (30 * day))):
                first = rng.randrange(passes)
                s.outages.append((feed, first, first + rng.randint(2, 3 * day), rng.choice((500, 500, 503, 404))))
        long_dead = rng.randrange(feeds)  # one outlet dead for a month (or the longest the run allows)
        first = rng.randrange(max(1, passes // 3))
        s.outages.append((long_dead, first, first + min(30 * day, passes // 2), 500))
        for feed in rng.sample(range(feeds), max(1, feeds // 5)):
            s.moves[feed] = rng.randrange(passes)
        third = max(day + 1, passes // 3)

        def span(length: int, lo: int) -> range:
            begin = rng.randrange(lo, max(lo + 1, passes - length - 2))
            return range(begin, begin + length)

        s.smtp_down = span(day, min(day, passes // 4))  # holds one 03:00 UTC digest
        s.disk_full = span(day, min(third, passes // 2))
        lock_start = rng.randrange(2, max(3, passes - 10))
        s.locked = list(range(lock_start, lock_start + 4))
        if long_lock:
            s.long_lock = rng.randrange(2, passes - 2)
        candidates = [p for p in range(1, passes - 1) if p not in s.disk_full]
        s.kills = set(rng.sample(candidates, min(kills, len(candidates))))
        return s

    def down(self, number: int) -> dict[int, int]:
        return {feed: status for feed, first, last, status in self.outages if first <= number <= last}


# ---------------------------------------------------------------- a pass in a child process


def child(args: argparse.Namespace) -> int:
    """One monitor pass at ``--at``, as a process of its own (the parent kills some of them)."""
    from cpec_watch.clock import use_clock
    from cpec_watch.config.settings import load_settings
    from cpec_watch.flows.runs import monitor_pass

    at = datetime.fromisoformat(args.at)
    settings = load_settings(db=args.db, archive=Path(args.archive), config=Path(args.config))
    logging.getLogger("cpec_watch").setLevel(logging.CRITICAL)
    print("ready", flush=True)
    with use_clock(lambda: at):
        summary = monitor_pass(settings, feeds_file=Path(args.feeds_file)).to_json()
    print(json.dumps({"new": summary["new"]}), flush=True)
    return 0


# ---------------------------------------------------------------- the driver


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    if n < 2:
        return 0.0
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def r_squared(points: list[tuple[float, float]]) -> float:
    n = len(points)
    if n < 3:
        return 1.0
    b = slope(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    total = sum((y - my) ** 2 for _, y in points)
    residual = sum((y - (my + b * (x - mx))) ** 2 for x, y in points)
    return 1 - residual / total if total else 1.0


def store_bytes(work: Path) -> int:
    """The store file (after a checkpoint, so the write-ahead log is in it) and the archive's files."""
    with sqlite3.connect(work / "store.db", timeout=60) as connection:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    connection.close()
    db = (work / "store.db").stat().st_size
    archive = work / "archive"
    files = sum(p.stat().st_size for p in archive.iterdir()) if archive.is_dir() else 0
    return db + files


def leftover_processes(token: str) -> list[int]:
    """Processes (other than this one) whose environment carries this run's mark."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"{MARK}={token}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


class Archive:
    """The archive folder, and how its disk is made full for a day."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir()
        self.mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", str(path)], capture_output=True, check=False
            ).returncode
            == 0
        )
        self.method = "tmpfs filled to ENOSPC" if self.mounted else "a file where the folder was (ENOTDIR)"
        self.full = False

    def fill(self) -> None:
        if self.mounted:
            with open(self.path / ".filler", "wb", buffering=0) as out:
                chunk = b"\0" * (1 << 20)
                try:
                    while True:
                        out.write(chunk)
                        out.flush()
                except OSError:
                    pass
                small = b"\0" * 512
                try:
                    while True:
                        out.write(small)
                        out.flush()
                except OSError:
                    pass
        else:
            self.path.rename(self.path.with_name("archive.aside"))
            self.path.write_text("not a folder")
        self.full = True

    def free(self) -> None:
        if self.mounted:
            (self.path / ".filler").unlink()
        else:
            self.path.unlink()
            self.path.with_name("archive.aside").rename(self.path)
        self.full = False

    def files(self) -> list[Path]:
        return [p for p in self.path.iterdir() if p.suffix == ".txt"]

    def close(self) -> None:
        if self.mounted:
            if subprocess.run(["umount", str(self.path)], capture_output=True, check=False).returncode:
                subprocess.run(["umount", "-l", str(self.path)], capture_output=True, check=False)  # still busy
            self.mounted = False


class SmtpServer:
    """aiosmtpd on a fixed port, stopped and started again for the SMTP outage."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.port = _free_port()
        self._controller_type = Controller
        self.controller: Any = None
        self.start()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def start(self) -> None:
        self.controller = self._controller_type(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
        self.controller = None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Locker:
    """A second connection holding SQLite's write lock for ``seconds``, on a thread of its own."""

    def __init__(self, db: Path, seconds: float) -> None:
        self.connection = sqlite3.connect(db, timeout=60, check_same_thread=False, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")
        self.timer = threading.Timer(seconds, self.release)
        self.timer.start()

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()

    def join(self) -> None:
        self.timer.join()


@dataclass
class Tally:
    passes: int = 0
    in_process: int = 0
    children: int = 0
    killed: int = 0
    child_exits: Counter[str] = field(default_factory=Counter)
    pass_errors: Counter[str] = field(default_factory=Counter)
    new: int = 0
    digest_runs: int = 0
    digest_statuses: Counter[str] = field(default_factory=Counter)
    lock_waits: list[float] = field(default_factory=list)
    long_lock: str = "not run"
    samples: list[dict[str, float]] = field(default_factory=list)
    disk_full_errors: int = 0
    cut_short: int | None = None
    faults: Counter[str] = field(default_factory=Counter)  # what happened, by kind


def run(options: argparse.Namespace) -> dict[str, Any]:
    token = f"{os.getpid()}-{time.time_ns()}"
    os.environ[MARK] = token
    os.environ["CPEC_WATCH_ALLOW_PRIVATE_NETWORKS"] = "1"
    os.environ.pop("PREFECT_API_URL", None)
    logging.getLogger("cpec_watch").setLevel(logging.CRITICAL)  # failures are the point: counted, not logged

    from sqlalchemy import create_engine, text

    from cpec_watch.alerts.email import digest_message_id
    from cpec_watch.clock import use_clock
    from cpec_watch.config.settings import load_settings
    from cpec_watch.flows.digests import digest_pass
    from cpec_watch.flows.runs import monitor_pass

    sched = Schedule.make(options.passes, options.feeds, options.seed, options.kills, options.long_lock)
    rng = sched.rng
    room = Newsroom(options.feeds)
    web = NewsroomServer(room)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    smtp = SmtpServer()
    os.environ.update(
        CPEC_WATCH_SMTP_HOST="127.0.0.1",
        CPEC_WATCH_SMTP_PORT=str(smtp.port),
        CPEC_WATCH_SMTP_SECURITY="none",
        CPEC_WATCH_SMTP_TIMEOUT="5",
        CPEC_WATCH_EMAIL_FROM="watch@example.org",
        CPEC_WATCH_EMAIL_TO="desk@example.org",
    )
    tally = Tally()
    tmp = tempfile.TemporaryDirectory(prefix="year-soak-", dir=options.workdir)
    work = Path(tmp.name)
    archive = Archive(work / "archive")
    atexit.register(archive.close)  # a crashed soak leaves no tmpfs mounted
    db_path = work / "store.db"
    feeds_file, config = work / "feeds.toml", work / "config.toml"
    feeds_file.write_text(
        "".join(f'[[feeds]]\nurl = "{web.base}/feed/{n}.xml"\nname = "Newsroom {n}"\n' for n in range(options.feeds))
    )
    config.write_text(
        "import_seeds = false\n[fetch]\nretries = 0\nconcurrency = 8\nper_host = 8\n"
        "connect_timeout = 2.0\nread_timeout = 1.0\n"
        "total_timeout = 1.5\n"
        '[[subscriptions]]\nname = "daily"\nchannel = "email"\ncadence = "daily"\nno_news = true\n'
        '[[subscriptions]]\nname = "weekly"\nchannel = "email"\ncadence = "weekly"\nno_news = true\n'
    )
    db_url = f"sqlite:///{db_path}"
    settings = load_settings(db=db_url, archive=archive.path, config=config)
    counter = {feed: 0 for feed in range(options.feeds)}
    history: dict[int, list[Item]] = {feed: [] for feed in range(options.feeds)}
    rate = options.articles_per_pass / options.feeds
    began = time.monotonic()
    pass_seconds: list[float] = []

    def publish(number: int, now: datetime) -> None:
        for feed in range(options.feeds):
            if rng.random() >= rate:
                continue
            counter[feed] += 1
            n = counter[feed]
            older = history[feed]
            roll = rng.random()
            guid = f"urn:newsroom:{feed}:{n}"
            if roll < 0.05 and older:  # reuses an earlier item's GUID with its own link
                guid = rng.choice(older).guid
                tally.faults["guid reused"] += 1
            item = Item(feed, n, guid, f"/page/{feed}/{n}.html", now, twice=0.05 <= roll < 0.08)
            tally.faults["listed twice"] += item.twice
            older.append(item)
            if roll > 0.97 and len(older) > WINDOW + 1:  # an item that left the feed comes back to the top
                older.append(rng.choice(older[: -WINDOW - 1]))
                tally.faults["came back"] += 1
            del older[: max(0, len(older) - 4 * WINDOW)]
            room.listed[feed] = older[-WINDOW:][::-1]

    def child_pass(at: datetime) -> None:
        env = {**os.environ}
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--at", at.isoformat(), "--db", db_url]
        command += ["--archive", str(archive.path), "--config", str(config), "--feeds-file", str(feeds_file)]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert process.stdout is not None
        process.stdout.readline()  # "ready": imports done, the pass begins
        typical = sorted(pass_seconds)[len(pass_seconds) // 2] if pass_seconds else 0.3
        try:
            process.wait(timeout=rng.uniform(0, 1.5 * typical))
            tally.child_exits[f"finished ({process.returncode})"] += 1
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            tally.killed += 1
            tally.child_exits["killed"] += 1
        process.stdout.close()
        tally.children += 1

    with use_clock(lambda: now):
        number = -1
        while number < options.passes:  # the last pass: every fault over, the newsroom settles
            number += 1
            now = START + number * HALF_HOUR
            last = number == options.passes or bool(options.deadline and time.time() > options.deadline)
            if last and number < options.passes:
                tally.cut_short, options.passes = number, number
            if not last:
                publish(number, now)
            elif smtp.controller is None or archive.full:  # cut short inside an outage: end it
                smtp.start() if smtp.controller is None else None
                archive.free() if archive.full else None
            room.down = {} if last else sched.down(number)
            room.moved = {f for f, first in sched.moves.items() if number >= first}
            room.slow = {}
            if not last and rng.random() < 0.02:
                delay = rng.choice((SLOW_OK, SLOW_OK, SLOW_TOO))
                room.slow[rng.randrange(options.feeds)] = delay
                tally.faults["slow within the deadline" if delay == SLOW_OK else "slow past the deadline"] += 1
            tally.faults["feed down (pass x feed)"] += len(room.down)
            if number == sched.smtp_down.start:
                smtp.stop()
            if number == sched.smtp_down.stop:
                smtp.start()
            if number == sched.disk_full.start:
                archive.fill()
            if number == sched.disk_full.stop:
                archive.free()
            locker = None
            if number in sched.locked:
                locker = Locker(db_path, rng.uniform(1.0, 4.0))
            elif number == sched.long_lock:
                locker = Locker(db_path, 40.0)  # past the 30 s busy timeout
            started = time.monotonic()
            if number in sched.kills and not last:
                child_pass(now)
            else:
                try:
                    tally.new += monitor_pass(settings, feeds_file=feeds_file).to_json()["new"]
                except Exception as exc:  # a pass that fails (the disk is full, the store locked too long)
                    tally.pass_errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
                    if archive.full:
                        tally.disk_full_errors += 1
                    if number == sched.long_lock:
                        tally.long_lock = f"failed: {type(exc).__name__}"
                else:
                    if number == sched.long_lock:
                        tally.long_lock = "completed after waiting"
                tally.in_process += 1
                pass_seconds.append(time.monotonic() - started)
            if locker is not None:
                if number in sched.locked:
                    tally.lock_waits.append(time.monotonic() - started)
                locker.join()
            if (now.hour, now.minute) == DIGEST_AT:
                tally.digest_runs += 1
                try:
                    for report in digest_pass(settings, print_stdout=False):
                        tally.digest_statuses[f"{report.subscription}: {report.status}"] += 1
                except Exception as exc:
                    tally.pass_errors[f"digest {type(exc).__name__}: {str(exc)[:80]}"] += 1
            tally.passes += 1
            if number % options.sample == 0 or last:
                gc.collect()  # a failed pass's engine is closed only when collected (open_pipeline does not dispose it)
                engine = create_engine(db_url)
                with engine.connect() as connection:
                    articles = connection.execute(text("SELECT count(*) FROM article")).scalar_one()
                engine.dispose()
                tally.samples.append(
                    dict(
                        pass_=number,
                        rss=resident_mib(),
                        fds=len(os.listdir("/proc/self/fd")),
                        threads=threading.active_count(),
                        articles=articles,
                        bytes=store_bytes(work) if not archive.full else -1,
                        wall=time.monotonic() - began,
                    )
                )
                if options.progress:
                    s = tally.samples[-1]
                    print(
                        f"pass {number}: {articles} articles, RSS {s['rss']:.0f} MiB, {s['fds']} fds, "
                        f"{s['threads']} threads, {s['wall']:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
    wall = time.monotonic() - began

    # ------------------------------------------------------------ the checks
    problems: list[str] = []
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT url, archive_file FROM article")).all()
        records = connection.execute(
            text("SELECT subscription, period_start, period_end, status FROM digestrecord ORDER BY id")
        ).all()
    engine.dispose()
    by_path = Counter(url.removeprefix(web.base) for url, _ in rows)
    twice = sorted(p for p, n in by_path.items() if n > 1)
    missing = sorted(room.served - set(by_path))
    unexpected = sorted(set(by_path) - room.served)
    if twice:
        problems.append(f"{len(twice)} served item(s) stored more than once, e.g. {twice[:3]}")
    if missing:
        problems.append(f"{len(missing)} served item(s) not stored, e.g. {missing[:3]}")
    if unexpected:
        problems.append(f"{len(unexpected)} stored article(s) never served, e.g. {unexpected[:3]}")
    names = [name for _, name in rows]
    files = archive.files()
    if None in names or len(set(names)) != len(names) or len(files) != len(rows):
        problems.append(
            f"archive: {names.count(None)} article(s) without a file, {len(names) - len(set(names))} file name(s) "
            f"shared, {len(files)} file(s) for {len(rows)} article(s)"
        )
    ids = Counter(str(m["Message-ID"]) for m in smtp.messages)
    sent = [r for r in records if r.status == "sent"]
    sent_ids = Counter(
        digest_message_id(f"{r.subscription}-{_aware(r.period_end).isoformat()}", "watch@example.org") for r in sent
    )
    if any(n > 1 for n in ids.values()):
        problems.append(f"{sum(n - 1 for n in ids.values() if n > 1)} digest message(s) received twice")
    if set(ids) != set(sent_ids) or any(n > 1 for n in sent_ids.values()):
        problems.append(
            f"outbox and SMTP disagree: {len(sent_ids)} sent record(s), {len(ids)} distinct message(s), "
            f"{len(set(sent_ids) - set(ids))} sent but not received, "
            f"{len(set(ids) - set(sent_ids))} received unrecorded"
        )
    gaps = 0
    per_sub: dict[str, int] = {}
    for sub in ("daily", "weekly"):
        periods = [(r.period_start, r.period_end) for r in records if r.subscription == sub and r.status == "sent"]
        per_sub[sub] = len(periods)
        gaps += sum(1 for (_, end), (start, _) in itertools.pairwise(periods) if start != end)
    if gaps:
        problems.append(f"{gaps} digest period(s) not following the previous one")
    unfinished = Counter(r.status for r in records if r.status not in ("sent", "failed"))
    if unfinished:
        problems.append(f"digest records left {dict(unfinished)}")
    smtp_down_failed = sum(1 for r in records if r.status == "failed")
    if sched.smtp_down and not smtp_down_failed and options.passes >= sched.smtp_down.stop:
        problems.append("the SMTP outage failed no digest: the fault did not happen")
    web.shutdown()
    smtp.stop()
    gc.collect()
    archive.close()
    tmp.cleanup()
    time.sleep(0.2)
    left = leftover_processes(token)
    if left:
        problems.append(f"process(es) left behind: {left}")

    steady = [s for s in tally.samples if s["pass_"] >= options.passes // 5] or tally.samples
    per_k = 1000.0
    flat = {key: slope([(s["pass_"], s[key]) for s in steady]) * per_k for key in ("rss", "fds", "threads")}
    first, final = steady[0], steady[-1]
    if final["fds"] > first["fds"] + 5:
        problems.append(f"descriptors grew from {first['fds']} to {final['fds']}")
    if final["threads"] > first["threads"] + 2:
        problems.append(f"threads grew from {first['threads']} to {final['threads']}")
    rss_growth = final["rss"] - first["rss"]
    if rss_growth > max(40.0, 0.25 * first["rss"]):
        problems.append(f"resident memory grew from {first['rss']:.0f} to {final['rss']:.0f} MiB")
    growth = [(s["articles"], s["bytes"]) for s in tally.samples if s["bytes"] >= 0 and s["articles"] > 0]
    per_article = slope(growth)
    fit = r_squared(growth)
    if len(growth) >= 5 and fit < 0.98:
        problems.append(f"store size is not linear in the articles (R² {fit:.3f})")
    return dict(
        passes=options.passes,
        cut_short_at=tally.cut_short,
        feeds=options.feeds,
        seed=options.seed,
        simulated=f"{START:%Y-%m-%d %H:%M} to {START + options.passes * HALF_HOUR:%Y-%m-%d %H:%M} UTC",
        wall_s=round(wall, 1),
        per_pass_ms=round(1000 * wall / max(1, tally.passes), 1),
        in_process_pass_ms_median=round(1000 * sorted(pass_seconds)[len(pass_seconds) // 2], 1) if pass_seconds else 0,
        served=len(room.served),
        stored=len(rows),
        new_in_process=tally.new,
        children=tally.children,
        killed=tally.killed,
        child_exits=dict(tally.child_exits),
        pass_errors=dict(tally.pass_errors),
        disk_full_method=archive.method,
        disk_full_errors=tally.disk_full_errors,
        lock_waits_s=[round(w, 2) for w in tally.lock_waits],
        long_lock=tally.long_lock,
        faults=dict(
            outages=len(sched.outages),
            moves=len(sched.moves),
            smtp_down=[str(START + sched.smtp_down.start * HALF_HOUR), str(START + sched.smtp_down.stop * HALF_HOUR)],
            disk_full=[str(START + sched.disk_full.start * HALF_HOUR), str(START + sched.disk_full.stop * HALF_HOUR)],
            locked_passes=len(sched.locked),
            kills=len(sched.kills),
            requests=dict(room.requests),
            **tally.faults,
        ),
        digest_runs=tally.digest_runs,
        digest_statuses=dict(tally.digest_statuses),
        digests_sent=per_sub,
        digests_failed=smtp_down_failed,
        messages=len(smtp.messages),
        rss_mib=[round(first["rss"], 1), round(final["rss"], 1)],
        fds=[first["fds"], final["fds"]],
        threads=[first["threads"], final["threads"]],
        slopes_per_1000_passes={k: round(v, 3) for k, v in flat.items()},
        store_bytes_per_article=round(per_article),
        store_linear_r2=round(fit, 4),
        store_bytes=tally.samples[-1]["bytes"],
        samples=tally.samples,
        problems=problems,
    )


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=17_520, help="half-hourly passes (default: a year)")
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--articles-per-pass", type=float, default=0.5, help="new items a pass, over all feeds")
    parser.add_argument("--kills", type=int, default=0, help="passes killed (default: one in 200)")
    parser.add_argument("--long-lock", action="store_true", help="once, hold the store's lock past the busy timeout")
    parser.add_argument("--sample", type=int, default=0, help="sample memory etc. every N passes (default: 1%%)")
    parser.add_argument("--workdir", help="where the store and the archive go (default: the system's temp folder)")
    parser.add_argument("--deadline", help="HH:MM (UTC): stop there, settle and check what ran")
    parser.add_argument("--json", type=Path, help="write the report here as JSON too")
    parser.add_argument("--progress", action="store_true", help="a line on stderr at every sample")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--at", "--db", "--archive", "--config", "--feeds-file"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return child(options)
    if options.deadline:
        hour, minute = map(int, options.deadline.split(":"))
        moment = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
        options.deadline = (moment if moment > datetime.now(UTC) else moment + timedelta(days=1)).timestamp()
    options.kills = options.kills or max(3, options.passes // 200)
    options.sample = options.sample or max(1, options.passes // 100)
    report = run(options)
    if options.json:
        options.json.write_text(json.dumps(report, indent=1, default=str))
    shown = {k: v for k, v in report.items() if k != "samples"}
    print("| measure | value |\n|---|---|")
    for key, value in shown.items():
        print(f"| {key} | {value} |")
    print("\nOK" if not report["problems"] else "\nPROBLEM: " + "; ".join(report["problems"]))
    return 0 if not report["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
