"""Soak: many feeds over several consecutive monitoring passes on a loopback newsroom, some feeds failing at random.

    .venv/bin/python bench/soak.py                      # 60 feeds x 15 items, 4 passes (a few minutes)
    .venv/bin/python bench/soak.py --feeds 500 --items 50 --passes 5

Each feed and page is generated on request (a CPEC story per page, distinct text); on every pass a random fifth
of the feeds answer 500, and a feed's newest items change from pass to pass. After each pass it prints resident memory,
open file descriptors and live threads, and at the end checks that every item served by a feed that answered at
least once is stored exactly once. Exits 1 when something leaked or an item is missing or stored twice.

``Site`` is also the newsroom of ``bench/newsroom_bench.py`` and ``bench/prefect_bench.py``: feeds carry an ``ETag``
and answer 304 to a matching ``If-None-Match``, every response is logged (``Site.log``), and ``page_kb`` pads each
page to 50-150 KB of menus, scripts, styles and comments around a longer article (``heavy_page``).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import create_engine, text

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.runs import monitor_pass

PLACES = ["Rashakai", "Dhabeji", "Gwadar", "Khunjerab", "Bostan", "Faisalabad", "Kohat", "Karachi"]
SYLLABLES = ["ka", "ro", "mi", "tan", "shu", "bel", "gor", "dip", "lun", "zar", "fe", "qui", "nod", "har", "vex"]
VOCABULARY = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]  # 3,375 made-up words


class Served(NamedTuple):
    """One response of the newsroom: ``feed`` or ``page``, whether the request was conditional, body bytes."""

    kind: str
    conditional: bool
    size: int


class Newsroom(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if parts[0] == "feed":
            feed = int(parts[1].removesuffix(".xml"))
            conditional = "If-None-Match" in self.headers
            if feed in self.server.failing:
                return self._send(500, b"down", "text/plain", "feed", conditional)
            body = self.server.feed(feed)
            etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", "application/rss+xml", "feed", conditional, etag)
            return self._send(200, body, "application/rss+xml", "feed", conditional, etag)
        feed, item = int(parts[1]), int(parts[2].removesuffix(".html"))
        rng = random.Random(feed * 100_003 + item)
        words = rng.sample(VOCABULARY, 60)  # a distinct story per page
        place = PLACES[(feed + item) % len(PLACES)]
        title = f"CPEC update {feed}-{item}: {place}"
        paragraphs = [
            f"ISLAMABAD: Under the China-Pakistan Economic Corridor, officials at {place} said {' '.join(words[:30])}.",
            f"{' '.join(words[30:])}, report {feed}-{item} added.",
        ]
        if self.server.page_kb is None:
            page = (
                f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                + "".join(f"<p>{p}</p>" for p in paragraphs)
                + "</article></body></html>"
            )
        else:
            paragraphs += [f"{' '.join(rng.sample(VOCABULARY, 45))}, the {place} office said." for _ in range(6)]
            page = heavy_page(title, paragraphs, rng.randint(*self.server.page_kb) * 1024, rng)
        self._send(200, page.encode(), "text/html; charset=utf-8", "page", False)

    def _send(self, status: int, body: bytes, kind: str, what: str, conditional: bool, etag: str | None = None) -> None:
        self.server.log.append(Served(what, conditional, len(body)))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


SECTIONS = ["Pakistan", "World", "Business", "Sport", "Opinion", "Technology", "Culture", "Weather", "Videos"]


def heavy_page(title: str, paragraphs: list[str], target: int, rng: random.Random) -> str:
    """A news page of about ``target`` bytes: the article amid a site's menus, scripts, styles and comments."""

    def words(n: int) -> str:
        return " ".join(rng.choices(VOCABULARY, k=n))

    def menu(n: int) -> str:
        links = "".join(
            f'<li class="menu-item"><a href="/{rng.choice(SECTIONS).lower()}/{words(1)}">{words(2).title()}</a>'
            f'<ul class="sub-menu"><li><a href="/tag/{words(1)}">{words(1).title()}</a></li></ul></li>'
            for _ in range(n)
        )
        return f'<nav class="main-menu" aria-label="Sections"><ul>{links}</ul></nav>'

    def script(n: int) -> str:
        calls = ";".join(
            f'window.dataLayer.push({{"event":"{words(1)}","slot":"div-gpt-{rng.randint(1, 99)}"}})' for _ in range(n)
        )
        return f"<script>window.dataLayer=window.dataLayer||[];{calls};</script>"

    def style(n: int) -> str:
        rules = "".join(f".{words(1)}-{i}{{margin:{i % 9}px;color:#{rng.randrange(16**6):06x}}}" for i in range(n))
        return f"<style>{rules}</style>"

    def related(n: int) -> str:
        heads = "".join(f'<li><a href="/story/{words(1)}">{words(8).capitalize()}</a></li>' for _ in range(n))
        return f'<aside class="sidebar"><h3>Most read</h3><ul class="related">{heads}</ul></aside>'

    story = "".join(f"<p>{p}</p>" for p in paragraphs)
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Corridor Times</title>'
        f'<meta property="og:title" content="{title}"><link rel="stylesheet" href="/static/site.css">'
        f"{style(40)}{script(20)}</head><body><!-- header -->"
        f'<header class="masthead"><div class="top-bar">{menu(12)}</div>'
        f'<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/pakistan">Pakistan</a></div></header>'
    )
    article = (
        f'<main><article class="story"><h1>{title}</h1><div class="byline">By Staff Reporter</div>'
        f'<div class="story-body">{story}</div><div class="share-buttons"><a href="#">Share</a></div></article>'
    )
    tail = f'</main><footer class="site-footer">{menu(8)}<p>&copy; 2025 Corridor Times</p></footer>'
    fillers = [
        lambda: menu(10),
        lambda: script(15),
        lambda: style(30),
        lambda: related(12),
        lambda: f"<!-- {words(60)} -->",
    ]
    before: list[str] = []
    after: list[str] = []
    size = len(head) + len(article) + len(tail)
    while size < target:
        piece = rng.choice(fillers)()
        (before if rng.random() < 0.4 else after).append(piece)
        size += len(piece)
    return head + "".join(before) + article + "".join(after) + tail + script(10) + "</body></html>"


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, items: int, page_kb: tuple[int, int] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Newsroom)
        self.items, self.offset, self.failing, self.page_kb = items, 0, set[int](), page_kb
        self.served: set[tuple[int, int]] = set()
        self.log: list[Served] = []  # every response, in order (list.append is atomic)

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
