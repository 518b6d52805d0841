"""What a newcomer tripped over in the web view, over a store a real monitor pass filled from fixture feeds on a
local HTTP server (two feeds of one outlet, and one that refuses connections), on SQLite and PostgreSQL: the
article page keeps an http canonical link as http and links the original; the Sources table tells feeds of one
outlet apart, shows a short error and readable dates, and fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.runs import monitor_pass
from cpec_watch.storage.queries import feed_rows
from tests.support.webserver import serve_fixtures
from tests.support.webview import empty_store, serving
from tests.support_alerts import free_port


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def polled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str | None
) -> Iterator[tuple[str, str, str]]:
    """(base URL of the web view, database URL, base URL of the fixture server) after one monitor pass."""
    folder = tmp_path_factory.mktemp(f"views-{request.param}")
    url = empty_store(request.param, folder, postgres_server_url)
    with serve_fixtures() as web:
        feeds = folder / "feeds.toml"
        feeds.write_text(
            f'[[feeds]]\nurl = "{web.url("/feeds/dawn.xml")}"\nname = "Dawn"\n'
            f'[[feeds]]\nurl = "{web.url("/feeds/tribune.xml")}"\nname = "Dawn"\n'
            f'[[feeds]]\nurl = "http://127.0.0.1:{free_port()}/rss/closed.xml"\nname = "Closed"\n'
        )
        config = folder / "config.toml"
        config.write_text("import_seeds = false\n[fetch]\nretries = 0\n")
        settings = load_settings(db=url, archive=folder / "articles", config=config)
        assert monitor_pass(settings, feeds_file=feeds).total("stored") >= 4
        with serving(url, folder / "articles") as site:
            yield site, url, web.base_url


def test_the_article_page_keeps_an_http_canonical_as_http_and_links_the_original(
    polled: tuple[str, str, str],
) -> None:
    site, _, fixtures = polled
    hits = httpx.get(f"{site}/search?q=Rashakai").text
    article = re.search(r'<a href="/articles/(\d+)">', hits)
    assert article, hits
    page = httpx.get(f"{site}/articles/{article.group(1)}").text
    host = fixtures.removeprefix("http://")
    assert f"https://{host}" not in page  # the canonical form's https is an identity, not a link
    original = re.search(rf'original <a href="(http://{re.escape(host)}/[^"]+)"', page)
    assert original and httpx.get(original.group(1)).status_code == 200
    for canonical in re.findall(r'canonical <a href="([^"]+)"', page):  # shown when it differs from the original
        assert canonical.startswith(f"http://{host}/") and httpx.get(canonical).status_code == 200


def test_sources_tell_feeds_apart_with_short_errors_and_readable_dates(polled: tuple[str, str, str]) -> None:
    site, db_url, fixtures = polled
    page = httpx.get(f"{site}/sources").text
    host = fixtures.removeprefix("http://")
    assert f"{host}/feeds/dawn.xml" in page and f"{host}/feeds/tribune.xml" in page  # "Dawn" and "Dawn"
    assert "127.0.0.1" in page and "/rss/closed.xml" in page
    closed = next(row for row in feed_rows(db_url) if row["name"] == "Closed")
    raw = closed["last_error"]
    assert raw and len(raw) > 30
    row = page[page.index("/rss/closed.xml") :].split("</tr>")[0]
    shown = re.search(r'<td data-label="Health"><span title="([^"]*)">([^<]*)</span>', row)
    assert shown and shown.group(1) == raw.replace("'", "&#39;").replace('"', "&#34;")  # the whole text on hover
    assert shown.group(2).startswith("ERROR ") and len(shown.group(2)) <= 50 and "Error:" not in shown.group(2)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page)  # no ISO timestamps
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", page)
    assert '<table class="feeds">' in page
    css = httpx.get(f"{site}/static/style.css").text
    phone = css[css.index("@media (max-width: 640px)") :]
    assert ".feeds thead { display: none; }" in phone and ".feeds td" in phone
