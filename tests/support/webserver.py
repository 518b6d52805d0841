"""A real HTTP server on 127.0.0.1 serving the fixture corpus, with the quirks pipelines meet.

``serve_fixtures()`` starts it on a free port in a background thread and stops it on exit.
Every file under ``tests/fixtures/web/`` is served at the same path (``/a/b/`` serves
``a/b/index.html``; ``/a/b`` also finds ``a/b.html``); the query string is ignored except
``delay``. In every served file ``{{BASE}}`` becomes the base URL and ``{{BASE_Q}}`` the
base URL percent-encoded (for URLs wrapped inside a ``url=`` parameter).

==============================  ===========================================================
Path                            Behaviour
==============================  ===========================================================
any static file                 ``ETag`` (sha256 of the bytes after substitution, before
                                gzip), fixed ``Last-Modified``; 304 without a body when
                                ``If-None-Match`` matches, or (no ``If-None-Match``) when
                                ``If-Modified-Since`` is not older; gzip body when
                                ``Accept-Encoding`` names gzip; GET and HEAD
missing path                    404
any path ``?delay=S``           sleeps S seconds (at most 30) before sending headers
``/redirect?to=/PATH``          302 to ``/PATH``
``/old/PATH``                   301 to ``/moved/PATH``, which 301s to ``/PATH``
``/feeds/rate-limited.xml``     429 with ``Retry-After: 1`` on its first request, then 200
``/feeds/flaky.xml``            500 on its first request, then 200
``/feeds/down.xml``             500 always
``/feeds/blocked.xml``          403 always
``/feeds/slow.xml``             sleeps 3 s before sending headers (``?delay=`` overrides)
``/feeds/huge.xml``             20 MB body (``HUGE_BYTES``) with ``Content-Length``
``/feeds/endless.xml``          chunked body that never ends; stops when the client leaves
``/feeds/mislabeled-charset``   UTF-8 bytes served as ``text/xml; charset=iso-8859-1``
``.xml``
``/feeds/windows-1252.xml``     windows-1252 bytes, declared in the prolog; no HTTP charset
``/feeds/not-a-feed.xml``       an HTML page served as ``text/html``
==============================  ===========================================================

"First request" counts per path (query ignored) for the life of the server.
``FixtureServer.requests`` logs every request as ``(method, path_with_query, headers)``
with lower-case header names.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, quote, urlsplit

WEB_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "web"
LAST_MODIFIED = 1756684800  # 2025-09-01 00:00:00 GMT, the same for every file
HUGE_BYTES = 20 * 1024 * 1024
SLOW_DEFAULT_DELAY = 3.0
FAILURES: dict[str, tuple[int, int | None]] = {  # path -> (status, how many times; None = always)
    "/feeds/rate-limited.xml": (429, 1),
    "/feeds/flaky.xml": (500, 1),
    "/feeds/down.xml": (500, None),
    "/feeds/blocked.xml": (403, None),
}
CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
}
CONTENT_TYPE_OVERRIDES = {
    "/feeds/mislabeled-charset.xml": "text/xml; charset=iso-8859-1",
    "/feeds/windows-1252.xml": "application/rss+xml",
    "/feeds/not-a-feed.xml": "text/html; charset=utf-8",
}
_FEED_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Filler</title>\n'
_FILLER_ITEM = b"<item><title>Filler item</title><description>" + b"x" * 900 + b"</description></item>\n"


class LoggedRequest(NamedTuple):
    method: str
    path: str  # path with query string
    headers: dict[str, str]  # lower-case names


class _Server(ThreadingHTTPServer):
    """Threads are daemons, tracked with their sockets so ``stop()`` can cut and join them."""

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root.resolve()
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.log: list[LoggedRequest] = []
        self.seen: Counter[str] = Counter()
        self.live: dict[threading.Thread, socket.socket] = {}

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        with self.lock:
            if self.stopping.is_set():
                self.shutdown_request(request)
                return
            self.live[thread] = request
        thread.start()

    def process_request_thread(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.lock:
                self.live.pop(threading.current_thread(), None)

    def handle_error(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that went away
            super().handle_error(request, client_address)

    def stop(self) -> None:
        """Stop accepting, cut open connections (unblocks streams and idle keep-alives), join."""
        with self.lock:
            self.stopping.set()
        self.shutdown()
        with self.lock:
            live = dict(self.live)
        for sock in live.values():
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in live:
            thread.join(timeout=5)
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        srv = self.server
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        with srv.lock:
            srv.log.append(LoggedRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
            srv.seen[url.path] += 1
            count = srv.seen[url.path]
        delay = float(query["delay"][0]) if "delay" in query else 0.0
        if url.path == "/feeds/slow.xml" and "delay" not in query:
            delay = SLOW_DEFAULT_DELAY
        if delay and srv.stopping.wait(min(delay, 30.0)):
            self.close_connection = True
            return
        if url.path == "/redirect":
            target = query.get("to", [""])[0]
            if not target.startswith("/"):
                return self._plain(400, "to= must be a path", head)
            return self._plain(302, f"see {target}", head, {"Location": srv.base_url + target})
        for hop, nxt in (("/old/", "/moved/"), ("/moved/", "/")):
            if url.path.startswith(hop):
                target = nxt + url.path.removeprefix(hop)
                return self._plain(301, f"see {target}", head, {"Location": srv.base_url + target})
        if url.path in FAILURES:
            status, times = FAILURES[url.path]
            if times is None or count <= times:
                extra = {"Retry-After": "1"} if status == 429 else {}
                return self._plain(status, f"status {status}", head, extra)
        if url.path == "/feeds/huge.xml":
            return self._huge(head)
        if url.path == "/feeds/endless.xml":
            return self._endless(head)
        file = self._find(url.path)
        if file is None:
            return self._plain(404, "not found", head)
        self._static(url.path, file, head)

    def _find(self, path: str) -> Path | None:
        rel = path.lstrip("/")
        candidates = [rel + "index.html"] if rel == "" or rel.endswith("/") else [rel, rel + ".html"]
        for name in candidates:
            file = (self.server.root / name).resolve()
            if file.is_relative_to(self.server.root) and file.is_file():
                return file
        return None

    def _static(self, path: str, file: Path, head: bool) -> None:
        base = self.server.base_url
        body = (
            file.read_bytes().replace(b"{{BASE}}", base.encode()).replace(b"{{BASE_Q}}", quote(base, safe="").encode())
        )
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        headers = {"ETag": etag, "Last-Modified": formatdate(LAST_MODIFIED, usegmt=True)}
        if _not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag):
            self.send_response(304)
            self._headers(headers)
            return
        headers["Content-Type"] = CONTENT_TYPE_OVERRIDES.get(path) or CONTENT_TYPES.get(file.suffix, "text/plain")
        headers["Vary"] = "Accept-Encoding"
        if _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_response(200)
        self._headers(headers | {"Content-Length": str(len(body))})
        self._write(b"" if head else body)

    def _plain(self, status: int, text: str, head: bool, extra: dict[str, str] | None = None) -> None:
        body = (text + "\n").encode()
        self.send_response(status)
        self._headers({"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))} | (extra or {}))
        self._write(b"" if head else body)

    def _huge(self, head: bool) -> None:
        self.send_response(200)
        self._headers({"Content-Type": CONTENT_TYPES[".xml"], "Content-Length": str(HUGE_BYTES)})
        if head:
            return
        chunk = _FILLER_ITEM * 64
        sent = 0
        while sent < HUGE_BYTES and not self.server.stopping.is_set():
            piece = (_FEED_HEAD if sent == 0 else chunk)[: HUGE_BYTES - sent]
            if not self._write(piece):
                return
            sent += len(piece)

    def _endless(self, head: bool) -> None:
        self.send_response(200)
        self._headers({"Content-Type": CONTENT_TYPES[".xml"], "Transfer-Encoding": "chunked"})
        if head:
            return
        piece = _FILLER_ITEM * 16
        frame = b"%X\r\n%s\r\n" % (len(piece), piece)
        ok = self._write(b"%X\r\n%s\r\n" % (len(_FEED_HEAD), _FEED_HEAD))
        while ok and not self.server.stopping.is_set():
            ok = self._write(frame)
        self.close_connection = True

    def _headers(self, headers: dict[str, str]) -> None:
        for name, value in headers.items():
            self.send_header(name, value)
        try:
            self.end_headers()
        except OSError:
            self.close_connection = True

    def _write(self, data: bytes) -> bool:
        """Write to the client; False (and close) if it has gone away."""
        try:
            self.wfile.write(data)
            return True
        except OSError:
            self.close_connection = True
            return False


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0")
    return False


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str) -> bool:
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if if_modified_since:
        try:
            return parsedate_to_datetime(if_modified_since).timestamp() >= LAST_MODIFIED
        except (TypeError, ValueError):
            return False
    return False


class FixtureServer:
    """Handle on a running fixture server."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.base_url = server.base_url

    def url(self, path: str) -> str:
        return self.base_url + ("" if path.startswith("/") else "/") + path

    @property
    def requests(self) -> list[LoggedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._server.lock:
            return list(self._server.log)

    def hits(self, path_prefix: str) -> int:
        return sum(1 for r in self.requests if r.path.startswith(path_prefix))

    def reset_log(self) -> None:
        """Forget logged requests (the per-path first-request counters are kept)."""
        with self._server.lock:
            self._server.log.clear()

    @property
    def active_connections(self) -> int:
        """Connections whose handler thread is still running (streams, idle keep-alives)."""
        with self._server.lock:
            return len(self._server.live)


@contextmanager
def serve_fixtures(root: Path | None = None) -> Iterator[FixtureServer]:
    """Serve ``root`` (default ``tests/fixtures/web``) on a free port for the duration of the block."""
    server = _Server(root or WEB_ROOT)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield FixtureServer(server)
    finally:
        server.stop()
        thread.join(timeout=5)
