"""The fixture HTTP server itself: substitution, caching headers, gzip, redirects, failures, streams."""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
from urllib.parse import quote

import httpx
import pytest

from tests.support.webserver import HUGE_BYTES, WEB_ROOT, serve_fixtures

RASHAKAI = "/tribune/story/2025/09/03/rashakai-sez-progress"


@pytest.fixture(scope="module")
def server():
    with serve_fixtures() as srv:
        yield srv


@pytest.fixture
def client():
    # Accept-Encoding: identity so that httpx does not ask for gzip unless a test does
    with httpx.Client(timeout=5, headers={"Accept-Encoding": "identity"}) as c:
        yield c


def test_placeholders_are_replaced_with_the_base_url(server, client):
    feed = client.get(server.url("/feeds/tribune.xml")).text
    assert "{{BASE" not in feed
    assert f"<link>{server.base_url}{RASHAKAI}?utm_source=rss&amp;utm_medium=feed</link>" in feed
    bing = client.get(server.url("/feeds/bing.xml")).text
    assert "url=" + quote(server.base_url + "/nation/2025/09/27/jcc-beijing-phase-two-focus", safe="") in bing


def test_pages_are_found_with_and_without_extension_and_as_directory_index(server, client):
    assert client.get(server.url(RASHAKAI)).status_code == 200
    assert client.get(server.url(RASHAKAI + ".html?utm_source=rss")).status_code == 200
    amp = client.get(server.url("/app/news/2025/09/26/jcc-14th-meeting-beijing/amp/"))
    assert amp.headers["content-type"] == "text/html; charset=utf-8" and "<html amp" in amp.text
    assert client.get(server.url("/feeds/missing.xml")).status_code == 404
    assert client.get(server.url("/../conftest.py")).status_code == 404


def test_conditional_get_answers_304_without_a_body(server, client):
    first = client.get(server.url("/feeds/dawn.xml"))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(server.url("/feeds/dawn.xml")).headers["etag"] == etag
    by_etag = client.get(server.url("/feeds/dawn.xml"), headers={"If-None-Match": etag})
    assert (by_etag.status_code, by_etag.content, by_etag.headers["etag"]) == (304, b"", etag)
    by_date = client.get(server.url("/feeds/dawn.xml"), headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    stale = client.get(server.url("/feeds/dawn.xml"), headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content
    older = client.get(server.url("/feeds/dawn.xml"), headers={"If-Modified-Since": "Sun, 31 Aug 2025 00:00:00 GMT"})
    assert older.status_code == 200


def test_gzip_only_when_asked(server, client):
    plain = client.get(server.url(RASHAKAI))
    assert "content-encoding" not in plain.headers
    with client.stream("GET", server.url(RASHAKAI), headers={"Accept-Encoding": "gzip"}) as r:
        assert (r.headers["content-encoding"], r.headers["etag"]) == ("gzip", plain.headers["etag"])
        compressed = b"".join(r.iter_raw())
    assert len(compressed) == int(r.headers["content-length"]) < len(plain.content)
    assert gzip.decompress(compressed) == plain.content


def test_redirects(server, client):
    r = client.get(server.url("/redirect?to=" + RASHAKAI), follow_redirects=True)
    assert [h.status_code for h in r.history] == [302] and r.url == server.url(RASHAKAI)
    r = client.get(server.url("/old/app/news/2025/09/24/polio-campaign-sindh/"), follow_redirects=True)
    assert [h.status_code for h in r.history] == [301, 301]
    assert (r.status_code, r.url) == (200, server.url("/app/news/2025/09/24/polio-campaign-sindh/"))


def test_failures_then_recovery():
    with serve_fixtures() as srv, httpx.Client(timeout=5) as c:
        first = c.get(srv.url("/feeds/rate-limited.xml"))
        assert (first.status_code, first.headers["retry-after"]) == (429, "1")
        assert c.get(srv.url("/feeds/rate-limited.xml")).status_code == 200
        assert [c.get(srv.url("/feeds/flaky.xml")).status_code for _ in range(2)] == [500, 200]
        assert [c.get(srv.url("/feeds/down.xml")).status_code for _ in range(2)] == [500, 500]
        assert c.get(srv.url("/feeds/blocked.xml")).status_code == 403


def test_charset_quirks(server, client):
    mislabeled = client.get(server.url("/feeds/mislabeled-charset.xml"))
    assert mislabeled.headers["content-type"] == "text/xml; charset=iso-8859-1"
    assert "café owners say ‘خوش آمدید’" in mislabeled.content.decode("utf-8")
    cp1252 = client.get(server.url("/feeds/windows-1252.xml")).content
    assert cp1252.startswith(b'<?xml version="1.0" encoding="windows-1252"?>')
    assert "SEZ’s first tenants: a résumé" in cp1252.decode("cp1252")
    assert client.get(server.url("/feeds/not-a-feed.xml")).headers["content-type"].startswith("text/html")


def test_slow_response_times_out_and_delay_is_configurable(server):
    with httpx.Client(timeout=httpx.Timeout(5, read=0.3)) as c:
        with pytest.raises(httpx.ReadTimeout):  # the server really waits the delay it is given
            c.get(server.url("/feeds/slow.xml?delay=1"))
        assert c.get(server.url("/feeds/slow.xml?delay=0")).status_code == 200
        assert c.get(server.url(RASHAKAI + "?delay=0.1")).status_code == 200


def test_huge_body_declares_its_length(server, client):
    with client.stream("GET", server.url("/feeds/huge.xml")) as r:
        assert int(r.headers["content-length"]) == HUGE_BYTES
        assert next(r.iter_bytes()).startswith(b"<?xml")


def test_endless_stream_can_be_abandoned_and_the_server_stays_healthy(server):
    with httpx.Client(timeout=5) as c, c.stream("GET", server.url("/feeds/endless.xml")) as r:
        assert r.headers["transfer-encoding"] == "chunked"
        received = 0
        for chunk in r.iter_bytes():
            received += len(chunk)
            if received > 1_000_000:
                break
    deadline = time.monotonic() + 2
    while server.active_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.active_connections == 0
    with httpx.Client(timeout=5) as c:
        assert c.get(server.url("/feeds/dawn.xml")).status_code == 200


def test_shutdown_is_prompt_while_streaming_and_leaks_no_threads():
    before = set(threading.enumerate())
    cm = serve_fixtures()
    srv = cm.__enter__()
    client = httpx.Client(timeout=5)
    stream = client.stream("GET", srv.url("/feeds/endless.xml"))
    response = stream.__enter__()
    chunks = response.iter_bytes()
    next(chunks)  # the server is now blocked writing to us
    client.get(srv.url(RASHAKAI))  # and an idle keep-alive connection is open
    slow = threading.Thread(target=_get_ignoring_errors, args=(srv.url("/feeds/slow.xml?delay=20"),))
    slow.start()
    time.sleep(0.1)
    closing = threading.Thread(target=cm.__exit__, args=(None, None, None))
    closing.start()
    closing.join(timeout=10)  # a shutdown that waited for the 20 s request would still be running
    assert not closing.is_alive()
    slow.join(timeout=5)
    with pytest.raises(httpx.HTTPError):  # the stream was cut short
        for _ in chunks:
            pass
    stream.__exit__(None, None, None)
    client.close()
    assert set(threading.enumerate()) - before == set()


def _get_ignoring_errors(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url, timeout=30)


def test_request_log(server, client):
    server.reset_log()
    client.get(server.url(RASHAKAI + "?utm_source=rss"), headers={"If-None-Match": '"abc"'})
    client.get(server.url(RASHAKAI))
    client.get(server.url("/feeds/dawn.xml"))
    assert server.hits("/tribune/") == 2 and server.hits("/feeds/") == 1
    method, path, headers = server.requests[0]
    assert (method, path, headers["if-none-match"]) == ("GET", RASHAKAI + "?utm_source=rss", '"abc"')
    server.reset_log()
    assert server.requests == [] and server.hits("/") == 0


def test_expected_json_describes_every_page_and_feed():
    expected = json.loads((WEB_ROOT / "expected.json").read_text(encoding="utf-8"))
    pages = {"/" + str(p.relative_to(WEB_ROOT)) for p in WEB_ROOT.rglob("*.html")}
    assert {_file_for(path) for path in expected["pages"]} == pages
    feeds = {"/" + str(p.relative_to(WEB_ROOT)) for p in (WEB_ROOT / "feeds").iterdir()}
    generated = {"/feeds/huge.xml", "/feeds/endless.xml", "/feeds/missing.xml"}
    assert set(expected["feeds"]) == feeds | generated | {"/feeds/down.xml", "/feeds/blocked.xml"}
    for feed in expected["feeds"].values():
        for entry in feed["entries"]:
            assert entry["article"] in expected["pages"] or entry["article"] in expected["full_text_entries"]


def _file_for(path: str) -> str:
    if path.endswith("/"):
        return path + "index.html"
    return path if path.endswith(".html") else path + ".html"
