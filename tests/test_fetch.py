"""The HTTP edge against a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cpec_watch.config.settings import FetchSettings
from cpec_watch.flows.fetch import (
    Fetcher,
    FetchTimeout,
    HTTPError,
    Refused,
    TooLarge,
    TransportError,
    Unreachable,
)
from cpec_watch.retry import RetryPolicy
from tests.support.webserver import FixtureServer, serve_fixtures

FAST = FetchSettings(connect_timeout=2, read_timeout=1, total_timeout=5, max_bytes=2_000_000, retries=2, backoff=0.05)


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    with serve_fixtures() as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST, allowed=None) as client:
        yield client


def test_conditional_get_sends_validators_back_exactly(server: FixtureServer, fetcher: Fetcher) -> None:
    first = fetcher.get(server.url("/feeds/dawn.xml"))
    assert first.status == 200 and first.etag and first.last_modified and b"<rss" in first.body
    second = fetcher.get(server.url("/feeds/dawn.xml"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    headers = server.requests[-1].headers
    assert headers["if-none-match"] == first.etag
    assert headers["if-modified-since"] == first.last_modified
    assert headers["user-agent"].startswith("CPEC-Watch/")


def test_gzip_bodies_are_decoded(server: FixtureServer, fetcher: Fetcher) -> None:
    result = fetcher.get(server.url("/feeds/dawn.xml"))
    assert "gzip" in server.requests[-1].headers["accept-encoding"]
    assert result.body.lstrip().startswith(b"<?xml")


def test_redirects_are_followed_and_the_final_url_kept(server: FixtureServer, fetcher: Fetcher) -> None:
    result = fetcher.get(server.url("/redirect?to=/feeds/dawn.xml"))
    assert result.status == 200 and result.url == server.url("/feeds/dawn.xml")


def test_429_is_retried_after_the_time_the_server_asks(server: FixtureServer) -> None:
    slept: list[float] = []
    with Fetcher(FAST, RetryPolicy(FAST.retries, FAST.backoff, sleep=slept.append), allowed=None) as fetcher:
        assert fetcher.get(server.url("/feeds/rate-limited.xml")).status == 200
    assert slept == [1.0]  # Retry-After: 1 was honoured


def test_retry_after_as_an_http_date_is_read_against_the_clock() -> None:
    policy = RetryPolicy(now=lambda: 1_700_000_000.0)  # 2023-11-14 22:13:20 UTC
    assert policy.retry_after("Tue, 14 Nov 2023 22:13:50 GMT") == 30.0
    assert policy.retry_after("Tue, 14 Nov 2023 22:00:00 GMT") == 0.0  # already past
    assert policy.retry_after("120") == 120.0
    assert policy.retry_after("soon") is None and policy.retry_after(None) is None
    assert policy.delay(0, retry_after=30.0) == 30.0 and policy.delay(0, retry_after=600.0) is None
    assert [policy.delay(n) for n in range(4)] == [1.0, 2.0, 4.0, None]


def test_5xx_is_retried_with_backoff_then_reported(server: FixtureServer, fetcher: Fetcher) -> None:
    assert fetcher.get(server.url("/feeds/flaky.xml")).status == 200
    server.reset_log()
    with pytest.raises(HTTPError, match="HTTP 500") as failure:
        fetcher.get(server.url("/feeds/down.xml"))
    assert failure.value.status == 500
    assert server.hits("/feeds/down.xml") == 1 + FAST.retries


def test_4xx_is_not_retried(server: FixtureServer, fetcher: Fetcher) -> None:
    server.reset_log()
    with pytest.raises(HTTPError, match="HTTP 404"):
        fetcher.get(server.url("/feeds/no-such-feed.xml"))
    with pytest.raises(HTTPError, match="HTTP 403"):
        fetcher.get(server.url("/feeds/blocked.xml"))
    assert server.hits("/feeds/no-such-feed.xml") == 1


def test_slow_server_times_out(server: FixtureServer) -> None:
    with Fetcher(FetchSettings(read_timeout=0.5, retries=0), allowed=None) as client, pytest.raises(FetchTimeout):
        client.get(server.url("/feeds/slow.xml?delay=2"))


def test_oversized_and_endless_bodies_are_cut_off(server: FixtureServer, fetcher: Fetcher) -> None:
    with pytest.raises(TooLarge, match="declared"):
        fetcher.get(server.url("/feeds/huge.xml"))
    with pytest.raises(TooLarge, match="over 2,000,000 bytes"):
        fetcher.get(server.url("/feeds/endless.xml"))
    assert fetcher.get(server.url("/feeds/dawn.xml")).status == 200  # the server and client stay healthy


def test_refused_connections_are_transport_errors(fetcher: Fetcher) -> None:
    with pytest.raises(TransportError, match="ConnectError"):
        fetcher.get("http://127.0.0.1:9/feed.xml")
    with pytest.raises(Refused, match="only http and https"):
        fetcher.get("ftp://127.0.0.1/feed.xml")


def test_an_unreachable_host_is_not_retried_in_the_same_pass(server: FixtureServer) -> None:
    slept: list[float] = []
    with Fetcher(FAST, RetryPolicy(retries=3, sleep=slept.append), allowed=None) as fetcher:
        with pytest.raises(Unreachable, match="ConnectError"):
            fetcher.get("http://127.0.0.1:9/feed.xml")  # refused: certain, so no backoff
        with pytest.raises(Unreachable, match="not tried again"):
            fetcher.get("http://127.0.0.1:9/other.xml")
        with pytest.raises(Unreachable, match="ConnectError"):
            fetcher.get("http://no-such-host.invalid/feed.xml")  # a name that does not resolve
        assert fetcher.get(server.url("/feeds/dawn.xml")).status == 200  # other ports of the host are fine
    assert slept == []


def test_the_total_deadline_covers_every_redirect_hop_and_a_bodiless_answer() -> None:
    """Each hop answers within the read timeout, but the hops together take longer than ``total_timeout``: the
    request times out (it used to return the 304 at the end, ``pool`` standing in for a total deadline)."""
    import threading
    import time
    from http.server import ThreadingHTTPServer

    from tests.support.responder import Responder

    class Hops(Responder):
        def do_GET(self) -> None:
            hops = int(self.path.rsplit("/", 1)[1])
            time.sleep(0.4)
            if hops:
                self.respond(302, b"", {"Location": f"/hop/{hops - 1}"})
            else:
                self.respond(304, b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hops)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = FetchSettings(read_timeout=1, total_timeout=1, retries=0)
    try:
        with Fetcher(settings, allowed=None) as client, pytest.raises(FetchTimeout):
            client.get(f"http://127.0.0.1:{server.server_address[1]}/hop/5", etag='"x"')
    finally:
        server.shutdown()
        server.server_close()
