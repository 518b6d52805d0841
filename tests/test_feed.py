"""Feed parsing from bytes: RSS 2.0, Atom, RDF, malformed and non-feed input, charsets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cpec_watch.parsers.feed import FULL_TEXT_MIN_CHARS, parse_feed

UNIT = Path(__file__).resolve().parent / "fixtures" / "feeds_unit"
RSS_TYPE = "application/rss+xml; charset=utf-8"


def load(name: str) -> bytes:
    return (UNIT / name).read_bytes()


def test_rss20_entries() -> None:
    feed = parse_feed(
        load("rss20_full_text.xml"), content_type=RSS_TYPE, base_url="https://www.example-daily.pk/feeds/business"
    )
    assert feed.error is None
    assert feed.title == "Example Daily – Business"
    first, updated, gwadar, rashakai = feed.entries  # link-less item skipped
    assert updated.guid == "example-daily-1900001" and updated.link.endswith("-timeline-updated")  # its own link
    assert first.link == "https://www.example-daily.pk/news/1900001/jcc-approves-ml-1-financing-timeline"
    assert first.title == "JCC approves ML-1 financing timeline ’within weeks’"
    assert first.summary == "The committee met in Islamabad & agreed a timeline for the railway."
    assert first.guid == "example-daily-1900001"
    assert first.published == date(2025, 9, 1)  # the publisher's own date (UTC would say Aug 31)
    assert first.content_html is not None and "<p>The Joint Cooperation Committee" in first.content_html
    gwadar_url = "https://www.example-daily.pk/news/1900002/gwadar-desalination-plant-trial-runs"
    assert gwadar.link == gwadar.guid == gwadar_url
    assert gwadar.published == date(2025, 8, 30)
    assert gwadar.content_html is None  # a one-line content:encoded is not a full article
    assert rashakai.guid is None and rashakai.published is None and rashakai.summary == ""


def test_atom_entries() -> None:
    feed = parse_feed(load("atom.xml"), content_type="application/atom+xml")
    assert feed.error is None
    assert feed.title == "Corridor & Ports Watch"
    dhabeji, kohat = feed.entries
    assert dhabeji.link == "https://corridor-watch.example.org/2025/09/dhabeji-bids"  # rel=alternate, not related
    assert dhabeji.title == "Dhabeji SEZ bids open in March"
    assert dhabeji.summary == "Sindh invites developers for the zone near Port Qasim."
    assert dhabeji.guid == "tag:corridor-watch.example.org,2025:dhabeji-bids"
    assert dhabeji.published == date(2025, 9, 26)  # updated-only, as written (-04:00)
    assert dhabeji.content_html is None
    assert kohat.published == date(2025, 9, 25)  # published wins over updated
    assert kohat.content_html is not None and "Kohat" in kohat.content_html


def test_rdf_entries() -> None:
    feed = parse_feed(load("rdf.xml"), content_type="application/rdf+xml")
    assert feed.error is None and feed.title == "Example Wire"
    (entry,) = feed.entries
    assert entry.link == "https://wire.example.pk/story/77"
    assert entry.title == "Khunjerab border market plan advances"
    assert entry.published == date(2025, 9, 20)


def test_an_aggregators_item_names_its_publisher() -> None:
    feed = parse_feed(
        b'<?xml version="1.0"?><rss version="2.0" xmlns:News="https://www.bing.com/news"><channel>'
        b"<item><title>A</title><link>https://a.pk/1</link><News:Source>The Nation</News:Source></item>"
        b'<item><title>B</title><link>https://b.pk/2</link><source url="https://b.pk/rss">Dawn</source>'
        b"</item><item><title>C</title><link>https://c.pk/3</link></item></channel></rss>"
    )
    assert [e.outlet for e in feed.entries] == ["The Nation", "Dawn", None]


def test_full_text_threshold() -> None:
    def feed_with(chars: int) -> bytes:
        text = "word " * (chars // 5)
        return (
            f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t'
            f"</title><item><link>https://x.pk/1</link><content:encoded><![CDATA[<p>{text}</p>]]>"
            f"</content:encoded></item></channel></rss>"
        ).encode()

    assert parse_feed(feed_with(FULL_TEXT_MIN_CHARS + 50)).entries[0].content_html is not None
    assert parse_feed(feed_with(FULL_TEXT_MIN_CHARS - 50)).entries[0].content_html is None


def test_malformed_xml_reports_error_and_keeps_recovered_entries() -> None:
    feed = parse_feed(load("malformed.xml"), content_type=RSS_TYPE)
    assert feed.error is not None and "mismatched tag" in feed.error and "\n" not in feed.error
    assert feed.entries[0].title == "First item survives"
    assert feed.entries[0].guid == "broken-1"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", None, "empty body"),
        (b"  \n\t ", RSS_TYPE, "empty body"),
        ((UNIT / "not_a_feed.html").read_bytes(), "text/html; charset=utf-8", "not a feed"),
        ((UNIT / "not_a_feed.html").read_bytes(), RSS_TYPE, "not a feed"),
        (b"\x00\xff\xfe\x89PNG garbage", "application/octet-stream", "not a feed"),
        (b'{"items": [{"url": "https://x.pk/1"}]}', "application/json", "not a feed"),
    ],
)
def test_non_feeds_give_an_error_and_no_entries(body: bytes, content_type: str | None, message: str) -> None:
    feed = parse_feed(body, content_type=content_type)
    assert feed.entries == ()
    assert feed.error is not None and feed.error.startswith(message) and "\n" not in feed.error


def test_feed_served_as_text_html_still_parses() -> None:
    feed = parse_feed(load("rdf.xml"), content_type="text/html")
    assert feed.error is None and len(feed.entries) == 1


CAFE = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Karachi café news</title><item>'
    "<title>Pakistan’s café owners</title><link>https://x.pk/1</link></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (CAFE.encode("utf-8"), "text/xml; charset=windows-1252"),  # wrong declared charset
        (CAFE.encode("utf-8"), "application/rss+xml; charset=iso-8859-1"),
        (CAFE.encode("utf-8"), "text/xml"),  # RFC 3023 says us-ascii
        (CAFE.encode("utf-8"), None),
    ],
)
def test_utf8_body_survives_a_wrong_charset(body: bytes, content_type: str | None) -> None:
    feed = parse_feed(body, content_type=content_type)
    assert feed.error is None
    assert feed.title == "Karachi café news"
    assert feed.entries[0].title == "Pakistan’s café owners"


def test_declared_single_byte_charset_is_honoured() -> None:
    body = CAFE.replace("’", "'").encode("windows-1252")
    assert parse_feed(body, content_type="text/xml; charset=windows-1252").entries[0].title == "Pakistan's café owners"
    declared = body.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="windows-1252"?>')
    assert parse_feed(declared).entries[0].title == "Pakistan's café owners"


def test_relative_link_without_base_is_skipped() -> None:
    body = b'<rss version="2.0"><channel><title>t</title><item><link>/news/5</link></item></channel></rss>'
    assert parse_feed(body).entries == ()
    assert parse_feed(body, base_url="https://www.dawn.com/feeds/home").entries[0].link == "https://www.dawn.com/news/5"


def test_feedparser_never_fetches_a_url_given_as_body() -> None:
    feed = parse_feed(b"http://127.0.0.1:9/feed.xml")
    assert feed.entries == () and feed.error is not None


@pytest.mark.parametrize(
    "body",
    [
        load("malformed.xml").replace(b"First item survives", b"First &#x110000; item"),  # feedparser raises ValueError
        b'<?xml version="1.0" encoding="\xf6"?><rss version="2.0"><channel><title>t</title></channel></rss>',
    ],
)
def test_inputs_that_crash_feedparser_become_errors(body: bytes) -> None:
    feed = parse_feed(body)
    assert feed.entries == () and feed.error is not None and feed.error.startswith("unparseable feed")


def test_unparseable_link_is_skipped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><link>http://[broken/x</link></item>'
        b"<item><link>https://ok.pk/1</link></item></channel></rss>"
    )
    assert [entry.link for entry in parse_feed(body).entries] == ["https://ok.pk/1"]


def test_items_that_reuse_a_guid_are_told_apart_by_their_links() -> None:
    """Identity is the GUID and, when the GUID repeats with another link, the link too (as Miniflux does): items
    sharing a GUID are not dropped; the same GUID with the same link is one item."""
    feed = parse_feed(load("guid_reused.xml"), content_type=RSS_TYPE)
    assert [entry.link.rsplit("/", 1)[1] for entry in feed.entries] == ["rashakai-power", "gwadar-cargo-flight"]
    assert {entry.guid for entry in feed.entries} == {"cpec-category"}
