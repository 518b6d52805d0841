"""URL identity: redirect unwrapping, canonical form, keys."""

from __future__ import annotations

import hashlib

import pytest

from cpec_watch.parsers.urls import canonical_url, is_undecodable_aggregator, unwrap_redirect, url_key

ARTICLE = "https://dawn.com/news/1934512/cpec-phase-ii-gets-going"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        "http://www.dawn.com/news/1934512/cpec-phase-ii-gets-going",
        "HTTPS://WWW.DAWN.COM:443/news/1934512/cpec-phase-ii-gets-going/",
        "http://dawn.com:80/news/1934512/cpec-phase-ii-gets-going#comments",
        "https://m.dawn.com/news/1934512/cpec-phase-ii-gets-going",
        "https://amp.dawn.com/news/1934512/cpec-phase-ii-gets-going",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going/amp",
        "https://www.dawn.com/amp/news/1934512/cpec-phase-ii-gets-going",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?amp=1",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?amp",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?amp=true",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?outputType=amp",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?utm_source=twitter&utm_medium=social&fbclid=IwAR0x",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?gclid=a&dclid=b&msclkid=c&mc_cid=d&mc_eid=e&_ga=f",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?igshid=a&ref=rss&ref_src=twsrc&cmpid=x&ocid=y",
        "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?yclid=1&spm=a2.b3&mc_tracking=z",
        "  https://www.dawn.com/news/1934512/cpec%2dphase%2dii%2dgets%2dgoing  ",
        "//www.dawn.com/news/1934512/cpec-phase-ii-gets-going",
    ],
)
def test_variants_of_one_article_share_its_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == ARTICLE


def test_amp_html_suffix_becomes_html() -> None:
    assert (
        canonical_url("https://www.urdupoint.com/en/pakistan/cpec-story-1234.amp.html")
        == "https://urdupoint.com/en/pakistan/cpec-story-1234.html"
    )


def test_remaining_query_is_sorted_and_kept() -> None:
    assert canonical_url("https://www.app.com.pk/?p=55&lang=en&utm_campaign=x") == "https://app.com.pk/?lang=en&p=55"
    assert canonical_url("https://x.pk/a?b=2&a=1") == canonical_url("https://x.pk/a?a=1&b=2")


def test_root_keeps_its_slash_and_other_paths_lose_theirs() -> None:
    assert canonical_url("https://www.dawn.com") == "https://dawn.com/"
    assert canonical_url("https://www.dawn.com/") == "https://dawn.com/"
    assert canonical_url("https://www.dawn.com/business/") == "https://dawn.com/business"


def test_host_prefix_is_dropped_only_when_a_domain_remains() -> None:
    assert canonical_url("https://amp.dev/about") == "https://amp.dev/about"
    assert canonical_url("https://m.tribune.com.pk/story/1") == "https://tribune.com.pk/story/1"


def test_non_default_port_and_path_case_are_kept() -> None:
    assert canonical_url("https://Example.PK:8443/News/CPEC") == "https://example.pk:8443/News/CPEC"


def test_non_ascii_path_is_percent_encoded_like_its_encoded_form() -> None:
    assert canonical_url("https://www.urdupoint.com/خبر/سی-پیک") == canonical_url(
        "https://www.urdupoint.com/%D8%AE%D8%A8%D8%B1/%d8%b3%db%8c-%d9%be%db%8c%da%a9"
    )


@pytest.mark.parametrize(
    ("wrapped", "target"),
    [
        (
            "https://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=68D1A&url=https%3a%2f%2fwww.brecorder.com"
            "%2fnews%2f40371234%2fjcc-meets&c=1284&mkt=en-us",
            "https://www.brecorder.com/news/40371234/jcc-meets",
        ),
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://tribune.com.pk/story/2561234/ml-1&ct=ga",
            "https://tribune.com.pk/story/2561234/ml-1",
        ),
        (
            "https://www.google.com/url?q=https://propakistani.pk/2025/09/26/jcc/&sa=D",
            "https://propakistani.pk/2025/09/26/jcc/",
        ),
        (
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.arabnews.pk%2Fnode%2F2612345%2Fpakistan&h=AT3x",
            "https://www.arabnews.pk/node/2612345/pakistan",
        ),
        (
            "https://www.google.com/url?url=https%253A%252F%252Fpakobserver.net%252Fgwadar-port%252F&sa=t",
            "https://pakobserver.net/gwadar-port/",
        ),
        (
            "https://l.facebook.com/l.php?u=" + "https%3A%2F%2Fwww.google.com%2Furl%3Furl%3Dhttps%253A%252F%252F"
            "www.app.com.pk%252Fnational%252Fcpec%252F",
            "https://www.app.com.pk/national/cpec/",
        ),
    ],
)
def test_unwrap_redirect(wrapped: str, target: str) -> None:
    assert unwrap_redirect(wrapped) == target


def test_unwrap_leaves_ordinary_links_and_non_url_parameters_alone() -> None:
    assert unwrap_redirect(ARTICLE) == ARTICLE
    search = "https://www.dawn.com/search?q=CPEC+phase+II"
    assert unwrap_redirect(search) == search


def test_canonical_url_unwraps_first() -> None:
    bing = (
        "https://www.bing.com/news/apiclick.aspx?ref=FexRss&url=http%3a%2f%2fwww.dawn.com%2fnews%2f1934512"
        "%2fcpec-phase-ii-gets-going%3futm_source%3dbing&c=99"
    )
    assert canonical_url(bing) == ARTICLE


def test_google_news_links_are_flagged_and_left_alone() -> None:
    link = "https://news.google.com/rss/articles/CBMiZ2h0dHBzOi8vd3d3LmRhd24uY29tL25ld3Mv?oc=5"
    assert is_undecodable_aggregator(link)
    assert is_undecodable_aggregator("https://news.google.com/articles/CBMiZ2h0?hl=en-PK")
    assert unwrap_redirect(link) == link
    assert not is_undecodable_aggregator("https://news.google.com/rss/search?q=CPEC")
    assert not is_undecodable_aggregator(ARTICLE)


@pytest.mark.parametrize("junk", ["", "not a url", "http://[::1", "https://x.pk:port/a", "mailto:desk@dawn.com"])
def test_junk_never_raises(junk: str) -> None:
    assert canonical_url(junk) == junk.strip()
    assert len(url_key(junk)) == 16


def test_url_key_is_sha256_prefix_of_the_canonical_url() -> None:
    assert url_key(ARTICLE) == hashlib.sha256(ARTICLE.encode()).hexdigest()[:16]
    assert url_key("http://www.dawn.com/news/1934512/cpec-phase-ii-gets-going/?utm_source=x") == url_key(ARTICLE)
    assert url_key(ARTICLE) != url_key("https://dawn.com/news/1934513/cpec-phase-ii-gets-going")


@pytest.mark.parametrize(
    "url",
    [
        "http://WWW.Dawn.com:80/amp/news/1/?utm_source=x&b=2&a=1#top",
        "https://m.urdupoint.com/en/pakistan/story-1.amp.html?outputType=amp&id=4",
        "https://example.pk:8080/خبر/?q=گوادر",
    ],
)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
