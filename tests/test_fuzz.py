"""Properties under arbitrary input (hypothesis), and hostile XML.

The default run is short for CI (``max_examples`` below); a long run:
``HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpec_watch.models import SeedText
from cpec_watch.parsers import seedformat
from cpec_watch.parsers.article import extract_page
from cpec_watch.parsers.feed import parse_feed
from cpec_watch.parsers.items import load_catalogue
from cpec_watch.parsers.status import item_updates
from cpec_watch.parsers.urls import canonical_url

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CATALOGUE = load_catalogue()
URLS = st.builds(
    "{}://{}{}{}".format,
    st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    st.text(st.characters(codec="ascii"), max_size=30),
    st.text(max_size=30),
    st.sampled_from(["", "?utm_source=x&id=1", "#frag", "?a=1&a=2", "/amp/", ":8080/x"]),
)
WORDS = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=40).map(str.strip)


@given(st.one_of(URLS, st.text(max_size=80)))
def test_canonical_urls_never_raise_and_are_idempotent(url: str) -> None:
    try:
        once = canonical_url(url)
    except ValueError:
        return  # a clear refusal of a URL that cannot be one
    assert canonical_url(once) == once


@given(
    st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2099, 12, 31))),
    st.one_of(st.none(), WORDS.filter(bool)),
    st.lists(WORDS.filter(bool), min_size=1, max_size=5),
)
def test_the_seed_format_round_trips(published, title, paragraphs) -> None:  # type: ignore[no-untyped-def]
    seed = SeedText(published, title, tuple(" ".join(p.split()) for p in paragraphs))
    assert seedformat.parse(seedformat.render(seed)) == seedformat.parse(
        seedformat.render(seedformat.parse(seedformat.render(seed)))
    )


@given(st.binary(max_size=2000))
def test_feed_parsing_of_any_bytes_returns_a_result(body: bytes) -> None:
    parsed = parse_feed(body, content_type="application/xml")
    assert parsed.entries or parsed.error or parsed.title is not None or parsed == parse_feed(body)


@given(st.text(max_size=2000))
def test_extraction_of_any_html_returns_a_page(html: str) -> None:
    page = extract_page(f"<html><body>{html}</body></html>", "https://example.org/a")
    assert isinstance(page.paragraphs, tuple)


@given(
    st.lists(
        st.sampled_from(["ML-1", "Gwadar port", "was approved", "will be", "not", "stalled", ".", "JCC"]), max_size=30
    )
)
def test_status_reading_is_deterministic(words: list[str]) -> None:
    text = " ".join(words)
    assert item_updates("Title", [text], CATALOGUE) == item_updates("Title", [text], CATALOGUE)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t &xxe;</title>
<item><title>&xxe;</title><link>https://example.org/a</link></item></channel></rss>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY a "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>
<rss version="2.0"><channel><title>&g;</title><item><title>&g;</title><link>https://example.org/b</link></item>
</channel></rss>"""


def test_a_feed_cannot_read_local_files_through_external_entities() -> None:
    parsed = parse_feed(XXE, content_type="application/rss+xml")
    text = " ".join([parsed.title or "", *(e.title for e in parsed.entries)])
    assert "root:" not in text


def test_entity_expansion_cannot_blow_up_memory() -> None:
    parsed = parse_feed(LAUGHS, content_type="application/rss+xml")
    sizes = [len(parsed.title or "")] + [len(e.title) for e in parsed.entries]
    assert max(sizes) < 100_000  # a billion laughs would be 10 million "lol"s


def test_a_page_cannot_read_local_files_through_external_entities() -> None:
    doctype = b'<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    html = b'<?xml version="1.0"?>' + doctype + b"<html><body><p>&x; text</p></body></html>"
    assert all("root:" not in p for p in extract_page(html, "https://example.org/").paragraphs)


def test_deeply_nested_html_is_parsed() -> None:
    html = "<div>" * 20_000 + "<p>Deep inside the page the ML-1 text sits.</p>" + "</div>" * 20_000
    extract_page(f"<html><body>{html}</body></html>", "https://example.org/")  # no recursion error, no crash
