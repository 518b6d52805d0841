"""The network guard: http(s) only, public addresses only (checked after DNS, on every redirect hop, the
connection pinned to the address checked), a cap on the decompressed size, a deadline, web pages only for pages.

A small server on 127.0.0.1 plays the hostile sites; the address policy is injected so that one loopback address
can stand for "public" and another for "private".
"""

from __future__ import annotations

import gzip
import ipaddress
import re
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from cpec_watch.config.settings import FetchSettings
from cpec_watch.flows.fetch import Fetcher, FetchTimeout, Refused, TooLarge
from cpec_watch.flows.guard import GuardError, is_public, target
from cpec_watch.retry import RetryPolicy
from tests.support.responder import Responder

BOMB = gzip.compress(b"\0" * 30_000_000)  # 30 MB of zeros in about 30 KB


class Hostile(Responder):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/to-private":
            self.respond(302, b"", {"Location": f"http://127.0.0.2:{port}/feed.xml"})
        elif self.path == "/to-metadata":
            self.respond(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
        elif self.path == "/bomb":
            self.respond(200, BOMB, {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})
        elif self.path == "/report.pdf":
            self.respond(200, b"%PDF-1.7 ...", {"Content-Type": "application/pdf"})
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(100):  # a byte every 0.1 s: each read is quick, the whole never ends in time
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self.respond(200, b"<rss version='2.0'><channel><title>ok</title></channel></rss>", {})


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def only_127_0_0_1(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address == ipaddress.ip_address("127.0.0.1")


def fetcher(**settings: float) -> Fetcher:
    fast = FetchSettings(connect_timeout=2, read_timeout=2, total_timeout=5, max_bytes=1_000_000, retries=0)
    return Fetcher(
        fast.model_copy(update=settings), RetryPolicy(retries=0, sleep=lambda s: None), allowed=only_127_0_0_1
    )


@pytest.mark.parametrize(
    "url, why",
    [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://127.0.0.1:5432/", "only http and https"),
        ("http:///path-only", "names no host"),
        ("http://127.0.0.1:5432/", "127.0.0.1, which is not a public address"),
        ("http://localhost/", "not a public address"),
        ("http://10.1.2.3/", "10.1.2.3"),
        ("http://192.168.0.10/", "192.168.0.10"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::1]/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "not a public address"),
        ("http://224.0.0.1/", "224.0.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
    ],
)
def test_refused_urls(url: str, why: str) -> None:
    with pytest.raises(GuardError, match=re.escape(why)):
        target(url)


def test_a_public_address_is_pinned_with_the_name_kept_for_the_server() -> None:
    pinned = target("https://8.8.8.8:8443/feed?x=1")
    assert (pinned.url, pinned.host_header, pinned.server_name) == (
        "https://8.8.8.8:8443/feed?x=1",
        "8.8.8.8:8443",
        "8.8.8.8",
    )
    local = target("http://localhost:8080/a", allowed=None)  # a name: the checked address is what is dialled
    assert local.url in ("http://127.0.0.1:8080/a", "http://[::1]:8080/a") and local.host_header == "localhost:8080"
    assert is_public(ipaddress.ip_address("8.8.8.8")) and not is_public(ipaddress.ip_address("fd00:ec2::254"))


def test_the_guard_checks_every_redirect_hop(site: str) -> None:
    with fetcher() as client:
        assert client.get(f"{site}/feed.xml").status == 200  # the "public" address answers
        with pytest.raises(Refused, match=re.escape("127.0.0.2, which is not a public address")):
            client.get(f"{site}/to-private")
        with pytest.raises(Refused, match=re.escape("169.254.169.254")):
            client.get(f"{site}/to-metadata")


def test_the_default_policy_refuses_loopback_before_connecting(site: str) -> None:
    with Fetcher(FetchSettings(retries=0)) as client, pytest.raises(Refused, match="not a public address"):
        client.get(f"{site}/feed.xml")


def test_a_gzip_bomb_stops_at_the_cap_on_the_decompressed_size(site: str) -> None:
    with fetcher() as client, pytest.raises(TooLarge, match="over 1,000,000 bytes"):
        client.get(f"{site}/bomb")


def test_a_server_that_trickles_is_dropped_at_the_total_deadline(site: str) -> None:
    with fetcher(total_timeout=1.0) as client, pytest.raises(FetchTimeout, match="in total"):
        client.get(f"{site}/trickle")


def test_a_pdf_is_never_read_as_a_page(site: str) -> None:
    with fetcher() as client:
        with pytest.raises(Refused, match=r"not a web page \(application/pdf\)"):
            client.get(f"{site}/report.pdf", page=True)
        assert client.get(f"{site}/report.pdf").body.startswith(b"%PDF")  # a feed fetch judges by parsing
