"""Feed lists in OPML and TOML, their errors, and the shipped default list."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpec_watch.models import FeedSource
from cpec_watch.parsers.feedlist import FeedListError, default_feeds, load_feed_list
from cpec_watch.parsers.urls import is_undecodable_aggregator

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>CPEC outlets</title></head>
  <body>
    <outline text="Pakistan">
      <outline text="Business" title="Business">
        <outline type="rss" text="Dawn Business" title="Dawn" xmlUrl="https://www.dawn.com/feeds/business"/>
        <outline type="rss" text="ProPakistani" xmlUrl="https://propakistani.pk/feed/"/>
      </outline>
      <outline type="rss" xmlUrl="https://pakobserver.net/feed/"/>
    </outline>
    <outline text="A folder with no feeds"/>
  </body>
</opml>
"""

TOML = """
[[feeds]]
url = "https://www.dawn.com/feeds/home"
name = "Dawn"

[[feeds]]
url = "https://tribune.com.pk/feed/home"
name = "The Express Tribune"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_opml_nested_outlines(tmp_path: Path) -> None:
    assert load_feed_list(write(tmp_path, "feeds.opml", OPML)) == [
        FeedSource(url="https://www.dawn.com/feeds/business", name="Dawn"),
        FeedSource(url="https://propakistani.pk/feed/", name="ProPakistani"),
        FeedSource(url="https://pakobserver.net/feed/", name="pakobserver.net"),
    ]


def test_toml(tmp_path: Path) -> None:
    assert load_feed_list(write(tmp_path, "feeds.toml", TOML)) == [
        FeedSource(url="https://www.dawn.com/feeds/home", name="Dawn"),
        FeedSource(url="https://tribune.com.pk/feed/home", name="The Express Tribune"),
    ]


def test_format_is_sniffed_without_a_known_extension(tmp_path: Path) -> None:
    assert len(load_feed_list(write(tmp_path, "feeds.list", OPML))) == 3
    assert len(load_feed_list(write(tmp_path, "feeds.conf", TOML))) == 2


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("feeds.toml", "[[feeds]\nurl = 1", "invalid TOML"),
        ("feeds.toml", 'feeds = "https://x.pk/rss"', "'feeds' must be an array of tables"),
        ("feeds.toml", '[[feeds]]\nurl = "https://x.pk/rss"\nname = "X"\nfulltext = true', "unknown key 'fulltext'"),
        ("feeds.toml", '[[feeds]]\nurl = "https://x.pk/rss"', "feeds[0]: 'name' must be a non-empty string"),
        ("feeds.toml", '[[feeds]]\nurl = "ftp://x.pk/rss"\nname = "X"', "not an http(s) URL"),
        ("feeds.toml", '[[feeds]]\nname = "X"', "'url' must be a string"),
        ("feeds.toml", '[[feeds]]\nurl = "https://x.pk/rss"\nname = "X"\nfull_text = true', "unknown key 'full_text'"),
        (
            "feeds.toml",
            '[[feeds]]\nurl = "https://x.pk/rss"\nname = "X"\n[[feeds]]\nurl = "https://x.pk/rss"\nname = "Y"',
            "feed listed twice",
        ),
        ("feeds.toml", "# nothing yet\n", "no feeds listed"),
        ("feeds.opml", "<opml><body><outline xmlUrl='https://x.pk/rss'></body></opml>", "invalid OPML"),
        ("feeds.opml", "<html><body/></html>", "root element is not <opml>"),
        (
            "feeds.opml",
            "<opml><body><outline text='x' xmlUrl='javascript:alert(1)'/></body></opml>",
            "not an http(s) URL",
        ),
        ("feeds.opml", "", "invalid OPML"),
    ],
)
def test_invalid_lists_raise_one_line_errors(tmp_path: Path, name: str, text: str, problem: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(FeedListError) as caught:
        load_feed_list(path)
    assert caught.value.message.startswith(str(path))
    assert problem in caught.value.message
    assert "\n" not in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FeedListError, match="cannot read"):
        load_feed_list(tmp_path / "absent.toml")


def test_opml_external_entities_are_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<opml><body><outline text="&x;" xmlUrl="https://x.pk/rss"/></body></opml>'
    )
    with pytest.raises(FeedListError, match=r"invalid OPML: .*external entity"):
        load_feed_list(write(tmp_path, "feeds.opml", text))


def test_default_feeds() -> None:
    feeds = default_feeds()
    names = {feed.name for feed in feeds}
    assert {
        "Dawn",
        "Business Recorder",
        "The Express Tribune",
        "Associated Press of Pakistan",
        "ProPakistani",
        "UrduPoint",
        "Pakistan Observer",
        "The Nation",
        "Arab News Pakistan",
        "Profit",
        "Bing News",
    } <= names
    assert any("bing.com/news/search" in feed.url and "format=rss" in feed.url for feed in feeds)
    assert not any("news.google.com" in feed.url or is_undecodable_aggregator(feed.url) for feed in feeds)
    assert len({feed.url for feed in feeds}) == len(feeds)
