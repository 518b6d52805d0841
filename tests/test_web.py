"""The web view served by a real uvicorn over a store the real pipeline built from the seeds, on SQLite and
PostgreSQL: pages checked by their HTML, Atom feeds parsed by feedparser, the store opened read-only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cpec_watch.parsers.items import load_catalogue
from cpec_watch.storage.browse import article_page
from cpec_watch.storage.db import open_engine, open_read_only
from cpec_watch.storage.search import SearchFilters, search_articles
from tests.support.webview import HOSTILE_TITLE, build_store, empty_store, serving

ESCAPED_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt; ML-1 &amp; &#34;CPEC&#34;"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str | None
) -> tuple[str, Path]:
    """(database URL, archive folder) of a store built from the seeds and a hostile article."""
    folder = tmp_path_factory.mktemp(request.param)
    url = empty_store(request.param, folder, postgres_server_url)
    return url, build_store(url, folder)


@pytest.fixture(scope="module")
def site(store: tuple[str, Path]) -> Iterator[str]:
    with serving(*store, per_page=2) as base:
        yield base


def get(site: str, path: str, status: int = 200) -> str:
    answer = httpx.get(site + path)
    assert answer.status_code == status, (path, answer.status_code)
    return answer.text


def test_the_projects_page_lists_every_tracked_item_with_its_status_and_evidence(site: str) -> None:
    page = get(site, "/")
    assert len(re.findall(r'<a href="/items/[a-z0-9-]+">', page)) == len(load_catalogue().items)
    ml1 = page[page.index('href="/items/ml-1"') :].split("</tr>")[0]
    assert "under-construction" in ml1 and "2025-10-20" in ml1 and "proposed → under-construction" in ml1
    assert re.search(r'href="/items/ml-1#u\d+">ISLAMABAD: Work on the Main Line-1', ml1)
    counts = re.findall(r'<td class="n" data-label="[^"]+">(\d+)</td>', ml1)
    assert counts == ["2", "3"]  # updates, articles that carried them


def test_projects_filter_by_category_and_status(site: str) -> None:
    rail = get(site, "/?category=rail")
    assert 'href="/items/ml-1"' in rail and 'href="/items/rashakai-sez"' not in rail
    assert '<option value="rail" selected>' in rail
    building = get(site, "/?status=under-construction")
    assert 'href="/items/ml-1"' in building and 'href="/items/jcc"' not in building
    assert "0 project(s)" in get(site, "/?category=sez&status=under-construction")


def test_a_timeline_marks_the_item_in_its_evidence_and_charts_each_change(site: str) -> None:
    page = get(site, "/items/ml-1")
    anchors = re.findall(r'<li id="u(\d+)"', page)
    assert len(anchors) == 2
    change = re.search(r'<a href="#u(\d+)"><circle class="change"', page)
    assert change and change.group(1) == anchors[0]  # newest first: the status change links to its evidence
    assert '<text class="lane" x="8" y="9">proposed</text>' in page and ">under-construction</text>" in page
    assert "<mark>Main Line-1</mark> (<mark>ML-1</mark>) railway upgrade is under construction" in page
    assert "Amounts: $2 billion" in page and "When: by June 2026" in page
    assert re.search(r"\d+% sure", page) and '<a href="/articles/' in page


def test_article_and_story_pages(site: str) -> None:
    projects = get(site, "/")
    first = get(site, "/items/digital-silk-road")
    article = re.search(r'<a href="/articles/(\d+)">evidence article</a> · story <a href="/stories/(\d+)">', first)
    assert article is not None and projects
    page = get(site, f"/articles/{article.group(1)}")
    assert '<pre class="seed">' in page and "Other copies of the story" in page  # seeds 002 and 003: one story
    assert 'href="/items/digital-silk-road#u' in page
    story = get(site, f"/stories/{article.group(2)}")
    assert story.count('<section class="copy">') == 2 and "2 copies" in story


def test_article_text_comes_from_the_archive_file_else_from_the_body(store: tuple[str, Path], tmp_path: Path) -> None:
    url, archive = store
    hostile = search_articles(url, "contractor", SearchFilters()).hits[0]["id"]
    archived = article_page(url, hostile, archive)
    rebuilt = article_page(url, hostile, tmp_path / "nowhere")
    assert archived and rebuilt and archived["text"].startswith(f" date 2025-10-20 {HOSTILE_TITLE}\n")
    assert archived["text"].rstrip() == rebuilt["text"].rstrip()


def test_article_derived_strings_are_escaped(site: str) -> None:
    hits = get(site, "/search?q=contractor")
    article = re.search(r'<a href="/articles/(\d+)">' + re.escape(ESCAPED_TITLE) + "</a>", hits)
    assert article, hits
    page = get(site, f"/articles/{article.group(1)}")
    assert f"<h1>{ESCAPED_TITLE}</h1>" in page and "The &lt;b&gt;contractor&lt;/b&gt;" in page
    sources = get(site, "/sources")
    assert "&lt;i&gt;Daily&lt;/i&gt; Example" in sources and "ERROR HTTP 403" in sources
    for body in (hits, page, sources):
        assert "<script" not in body and "<b>" not in body and "<i>" not in body


def test_unknown_items_articles_stories_and_feeds_are_404(site: str) -> None:
    for path in ("/items/no-such-item", "/articles/99999", "/stories/99999", "/feeds/items/nope.atom", "/nope"):
        assert "<h1>404</h1>" in get(site, path, 404)
    assert get(site, "/items/%3Cscript%3E", 404).count("&lt;script&gt;") == 1


def test_search_pages_filters_and_marks_the_words(site: str) -> None:
    first = get(site, "/search?q=CPEC")
    assert "6 article(s), page 1 of 3" in first and first.count("<li><a href=") == 2
    assert "<mark>CPEC</mark>" in first and 'rel="next" href="/search?q=CPEC&amp;page=2"' in first
    second = get(site, "/search?q=CPEC&page=2")
    assert "page 2 of 3" in second and 'rel="prev"' in second
    assert set(re.findall(r"/articles/(\d+)", first)).isdisjoint(re.findall(r"/articles/(\d+)", second))
    assert "3 article(s), page 1 of 2" in get(site, "/search?q=CPEC&item=ml-1")  # of the 6
    assert "1 article(s)" in get(site, "/search?q=railway&since=2025-10-01&until=2025-10-31")
    assert "0 article(s)" in get(site, "/search?q=railway&outlet=Nobody")


@pytest.mark.parametrize("query", ['"NEAR(*', "ML-1 OR", "title:CPEC", "-railway", "AND", "'; DROP TABLE article"])
def test_search_syntax_characters_are_plain_words(store: tuple[str, Path], query: str) -> None:
    found = search_articles(store[0], query, SearchFilters(), per_page=100)
    assert found.total == len(found.hits)
    if query == "ML-1 OR":  # every word must occur: "or" is one of them
        assert found.total == 0
    if query == "-railway":
        assert found.total == len(search_articles(store[0], "railway", SearchFilters()).hits) > 0


def test_every_response_carries_the_security_headers(site: str) -> None:
    for path in ("/", "/items/ml-1", "/search?q=gwadar", "/static/style.css", "/feeds/changes.atom", "/nope"):
        headers = httpx.get(site + path).headers
        assert headers["content-security-policy"].startswith("default-src 'none'; style-src 'self';")
        assert "script-src" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    assert httpx.get(site + "/static/style.css").headers["content-type"].startswith("text/css")


def test_atom_feeds_parse_cleanly_with_stable_ids_and_links_to_the_evidence(site: str) -> None:
    catalogue = load_catalogue()
    changes = feedparser.parse(httpx.get(site + "/feeds/changes.atom").content)
    assert not changes.bozo and changes.entries
    for entry in changes.entries:
        assert re.fullmatch(r"tag:cpec-watch,2026:update/\d+", entry.id) and entry.updated_parsed
        assert entry.link.startswith(f"{site}/items/") and "#u" in entry.link
    ml1 = next(e for e in changes.entries if e.title.startswith(catalogue.item("ml-1").name))
    assert ml1.title.endswith("proposed → under-construction") and ml1.link.endswith(ml1.id.rsplit("/", 1)[1])
    assert get(site, ml1.link.removeprefix(site).split("#")[0]).count(f'id="u{ml1.id.rsplit("/", 1)[1]}"') == 1
    item = feedparser.parse(httpx.get(site + "/feeds/items/ml-1.atom").content)
    rail = feedparser.parse(httpx.get(site + "/feeds/categories/rail.atom").content)
    assert not item.bozo and not rail.bozo and len(item.entries) == 2
    assert {e.id for e in item.entries} <= {e.id for e in rail.entries}
    again = feedparser.parse(httpx.get(site + "/feeds/changes.atom").content)
    assert [(e.id, e.updated) for e in again.entries] == [(e.id, e.updated) for e in changes.entries]


def test_the_web_view_cannot_write_to_the_store(store: tuple[str, Path]) -> None:
    engine = open_read_only(store[0])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM article")).scalar() == 6
        with pytest.raises(DBAPIError, match=r"(?i)read.only|readonly"):
            connection.execute(text("UPDATE article SET title = 'x'"))
    engine.dispose()


def test_the_search_index_follows_every_write(db_url: str, tmp_path: Path) -> None:
    build_store(db_url, tmp_path)
    engine = open_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE article SET title = 'Quetzalcoatl corridor' WHERE title LIKE '<script>%'"))
    assert search_articles(db_url, "quetzalcoatl", SearchFilters()).total == 1
    assert search_articles(db_url, "contractor", SearchFilters()).total == 1
    with engine.begin() as connection:
        for table in ("updatesource", "seenentry"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("DELETE FROM itemupdate"))
        connection.execute(text("DELETE FROM storyband"))
        connection.execute(text("DELETE FROM article WHERE title = 'Quetzalcoatl corridor'"))
    engine.dispose()
    assert search_articles(db_url, "quetzalcoatl", SearchFilters()).total == 0
