"""Soak: many feeds over several consecutive monitoring passes on a loopback newsroom, some feeds failing at random.

    .venv/bin/python bench/soak.py                      # 60 feeds x 15 items, 4 passes (a few minutes)
    .venv/bin/python bench/soak.py --feeds 500 --items 50 --passes 5

Each feed and page is generated on request (a CPEC story per page, distinct text); on every pass a random fifth
of the feeds answer 500, and a feed's newest items change from pass to pass. After each pass it prints resident memory,
open file descriptors and live threads, and at the end checks that every item served by a feed that answered at
least once is stored exactly once. Exits 1 when something leaked or an item is missing or stored twice.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import create_engine, text

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.runs import monitor_pass

PLACES = ["Rashakai", "Dhabeji", "Gwadar", "Khunjerab", "Bostan", "Faisalabad", "Kohat", "Karachi"]
SYLLABLES = ["ka", "ro", "mi", "tan", "shu", "bel", "gor", "dip", "lun", "zar", "fe", "qui", "nod", "har", "vex"]
VOCABULARY = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]  # 3,375 made-up words


class Newsroom(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if parts[0] == "feed":
            feed = int(parts[1].removesuffix(".xml"))
            if feed in self.server.failing:
                return self._send(500, b"down", "text/plain")
            return self._send(200, self.server.feed(feed), "application/rss+xml")
        feed, item = int(parts[1]), int(parts[2].removesuffix(".html"))
        words = random.Random(feed * 100_003 + item).sample(VOCABULARY, 60)  # a distinct story per page
        place = PLACES[(feed + item) % len(PLACES)]
        body = (
            f"<html><head><title>CPEC update {feed}-{item}: {place}</title></head><body><article>"
            f"<h1>CPEC update {feed}-{item}: {place}</h1>"
            f"<p>ISLAMABAD: Under the China-Pakistan Economic Corridor, officials at {place} said "
            f"{' '.join(words[:30])}.</p>"
            f"<p>{' '.join(words[30:])}, report {feed}-{item} added.</p>"
            "</article></body></html>"
        )
        self._send(200, body.encode(), "text/html; charset=utf-8")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, items: int) -> None:
        super().__init__(("127.0.0.1", 0), Newsroom)
        self.items, self.offset, self.failing = items, 0, set[int]()
        self.served: set[tuple[int, int]] = set()

    def feed(self, feed: int) -> bytes:
        window = range(self.offset, self.offset + self.items)  # each pass adds new items at the top
        self.served |= {(feed, item) for item in window}
        base = f"http://127.0.0.1:{self.server_address[1]}"
        entries = "".join(
            f"<item><title>CPEC update {feed}-{i}</title><link>{base}/page/{feed}/{i}.html</link>"
            f"<description>China-Pakistan Economic Corridor news {feed}-{i}.</description></item>"
            for i in window
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>N{feed}</title>{entries}</channel></rss>'.encode()
        )


def resident_mib() -> float:
    """The process's resident memory now (not the peak, which can only grow)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--feeds", type=int, default=60)
    args.add_argument("--items", type=int, default=15)
    args.add_argument("--passes", type=int, default=4)
    options = args.parse_args()
    logging.getLogger("cpec_watch").setLevel(logging.ERROR)  # the failing feeds are expected: count, not log
    site = Site(options.items)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = f"http://127.0.0.1:{site.server_address[1]}"
        (work / "feeds.toml").write_text(
            "".join(f'[[feeds]]\nurl = "{base}/feed/{n}.xml"\nname = "Newsroom {n}"\n' for n in range(options.feeds))
        )
        (work / "config.toml").write_text("import_seeds = false\n[fetch]\nretries = 0\nconcurrency = 8\n")
        os.environ["CPEC_WATCH_ALLOW_PRIVATE_NETWORKS"] = "1"
        settings = load_settings(db=f"sqlite:///{work / 's.db'}", archive=work / "a", config=work / "config.toml")
        print("| pass | new | failed feeds | RSS after, MiB | open fds | threads |\n|---|---|---|---|---|---|")
        seen: list[tuple[int, int]] = []
        for number in range(1, options.passes + 1):
            site.failing = set(rng.sample(range(options.feeds), options.feeds // 5))
            summary = monitor_pass(settings, feeds_file=work / "feeds.toml").to_json()
            rss = resident_mib()
            fds, threads = len(os.listdir("/proc/self/fd")), threading.active_count()
            seen.append((fds, threads))
            print(f"| {number} | {summary['new']} | {len(summary['feeds_failed'])} | {rss:.0f} | {fds} | {threads} |")
            site.offset += max(1, options.items // 4)
        engine = create_engine(f"sqlite:///{work / 's.db'}")
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*), count(DISTINCT url) FROM article")).one()
        engine.dispose()
    site.shutdown()
    expected = len(site.served)
    print(f"\nitems served by a feed that answered: {expected}; stored: {stored[0]} ({stored[1]} distinct URLs)")
    leak = seen[-1][0] > seen[0][0] + 5 or seen[-1][1] > seen[0][1] + 2
    ok = stored[0] == stored[1] == expected and not leak
    print("OK" if ok else "PROBLEM: " + ("a leak " if leak else "") + ("missing or duplicated items" if not ok else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
