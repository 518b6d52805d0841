"""The web commands as the README shows them: `web` after a first offline run, `export-feeds`, `feeds --opml`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import feedparser
import httpx
import pytest

from cpec_watch.parsers.feedlist import default_feeds, load_feed_list
from cpec_watch.parsers.items import load_catalogue
from tests.support_alerts import free_port
from tests.test_cli import invoke, workdir  # noqa: F401  (the fixture)

CPEC_WATCH = Path(sys.executable).parent / "cpec-watch"


def test_web_serves_the_seeds_after_the_first_run(workdir: Path) -> None:  # noqa: F811
    assert invoke("run", "--feeds", "feeds.toml").exit_code == 3  # completed; its one (closed) feed failed
    port = free_port()
    server = subprocess.Popen(
        [str(CPEC_WATCH), "web", "--port", str(port)], cwd=workdir, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stderr is not None
        assert f"read-only on http://127.0.0.1:{port}/" in server.stderr.readline()
        while True:  # until uvicorn listens (or the server died)
            assert server.poll() is None, server.stderr.read()
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/").text
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert f"{len(load_catalogue().items)} project(s)" in page and "Rashakai Special Economic Zone" in page
        assert "<mark>" in httpx.get(f"http://127.0.0.1:{port}/items/kohat-cargo-train").text
    finally:
        server.terminate()
        server.wait()


def test_web_on_a_missing_store_is_one_line_and_creates_nothing(workdir: Path) -> None:  # noqa: F811
    result = invoke("--db", f"sqlite:///{workdir / 'nothing.db'}", "web")
    assert result.exit_code == 2 and result.output.count("\n") == 1  # could not run
    assert "no store at" in result.output and not (workdir / "nothing.db").exists()


def test_export_feeds_writes_the_served_feeds_with_absolute_links_the_same_each_time(workdir: Path) -> None:  # noqa: F811
    assert invoke("run", "--feeds", "feeds.toml").exit_code == 3  # completed; its one (closed) feed failed
    first = invoke("export-feeds", "public/feeds", "--base-url", "https://cpec.example.org")
    assert first.exit_code == 0 and first.output.startswith("wrote ")
    second = invoke("export-feeds", "again", "--base-url", "https://cpec.example.org/")
    files = sorted(p.relative_to(workdir / "public/feeds") for p in (workdir / "public/feeds").rglob("*.atom"))
    assert Path("changes.atom") in files and Path("items/ml-1.atom") in files and Path("categories/sez.atom") in files
    assert second.exit_code == 0
    for name in files:
        assert (workdir / "public/feeds" / name).read_bytes() == (workdir / "again" / name).read_bytes()
    changes = feedparser.parse((workdir / "public/feeds/changes.atom").read_bytes())
    assert not changes.bozo and changes.feed.links[0].href == "https://cpec.example.org/feeds/changes.atom"
    for entry in changes.entries:
        assert entry.link.startswith("https://cpec.example.org/items/") and entry.id.startswith("tag:cpec-watch,")


@pytest.mark.parametrize("configured", [False, True])
def test_feeds_opml_prints_the_configured_feed_list(workdir: Path, configured: bool) -> None:  # noqa: F811
    if configured:
        (workdir / "config.toml").write_text('[[feeds]]\nurl = "https://example.org/a.xml"\nname = "A & B"\n')
    result = invoke("feeds", "--opml")
    assert result.exit_code == 0 and result.output.startswith("<opml")
    (workdir / "out.opml").write_text(result.output)
    expected = load_feed_list(workdir / "config.toml") if configured else default_feeds()
    assert [(f.url, f.name) for f in load_feed_list(workdir / "out.opml")] == [(f.url, f.name) for f in expected]
