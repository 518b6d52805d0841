"""The relevance pre-filter in a real pass: a vague headline's page is read and kept on its body, off-topic
entries are never fetched, a topical feed has every entry read, and the summary says what that cost and saved.

Feeds and pages are served by a plain HTTP server on 127.0.0.1 from the test's temp folder.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.runs import monitor_pass

PAGES = {  # paraphrased, invented articles in the shapes of the development set
    "highway.html": (
        "Work begins on new highway section",
        "THAKOT: Construction began on Monday on the realigned Thakot-Raikot section of the Karakoram Highway, "
        "which China agreed to finance at the last Joint Cooperation Committee under CPEC.",
    ),
    "cricket.html": ("Babar hits a century as Pakistan level the series", "LAHORE: Babar Azam scored 112 runs."),
    "stocks.html": ("PSX gains 500 points on rate-cut hopes", "KARACHI: Shares rose on the stock exchange."),
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    root = tmp_path / "site"
    root.mkdir()
    for name, (title, body) in PAGES.items():
        html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{body}</p>"
        (root / name).write_text(html + "<p>More lines follow in the full story here.</p></article></body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    server.paths = []  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{server.server_address[1]}"
    items = "".join(
        f"<item><title>{title}</title><link>{base}/{name}</link><description>{title}.</description></item>"
        for name, (title, _) in PAGES.items()
    )
    (root / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, server.paths  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def run(tmp_path: Path, base: str, *, topical: bool) -> dict:
    (tmp_path / "config.toml").write_text(
        f'import_seeds = false\n[fetch]\nretries = 0\n[[feeds]]\nurl = "{base}/feed.xml"\nname = "News"\n'
        f"topical = {'true' if topical else 'false'}\n"
    )
    settings = load_settings(
        db=f"sqlite:///{tmp_path / 'p.db'}", archive=tmp_path / "a", config=tmp_path / "config.toml"
    )
    return monitor_pass(settings).to_json()


def test_vague_headlines_are_read_and_off_topic_entries_never_fetched(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    base, paths = site
    summary = run(tmp_path, base, topical=False)
    assert summary["new"] == 1 and summary["screened_out"] == 2 and summary["read_undecided"] == 1
    assert "/highway.html" in paths and "/cricket.html" not in paths and "/stocks.html" not in paths


def test_a_topical_feed_has_every_entry_read_and_judged_on_its_text(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    base, paths = site
    summary = run(tmp_path, base, topical=True)
    assert summary["new"] == 1 and summary["screened_out"] == 0 and summary["irrelevant"] == 2
    assert {"/highway.html", "/cricket.html", "/stocks.html"} <= set(paths)
    assert summary["read_undecided"] == 3
