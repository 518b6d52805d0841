"""The HTTP edge: a polite httpx client shared by every feed and page fetch.

Conditional GET, connect/read/total timeouts, redirects (each hop through the network guard of
``flows/guard.py``: public addresses only, the connection pinned to the address checked), compressed bodies, a
size cap on the decompressed body enforced while streaming, a deadline per request, retries with backoff on 5xx
and 429 (honouring Retry-After), and a per-host concurrency limit.

Exceptions::

    FetchError                 one-line message, optional HTTP status
    ├── HTTPError              4xx/5xx (after retries for 5xx and 429)
    ├── TooLarge               body over the size cap
    ├── Refused                not http(s), a non-public address (the network guard), or not a web page
    ├── AlreadyHave            a redirect's target is a page we have (its body is never downloaded)
    ├── FetchTimeout           connect, read or total time exceeded
    └── TransportError         refused, reset, DNS, bad URL
        └── Unreachable        the host's name does not resolve or it refuses connections: not retried, and
                               every later request to that host in the same pass fails at once
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from cpec_watch.config.settings import FetchSettings
from cpec_watch.flows.guard import AddressCheck, GuardError, Target, is_public, target
from cpec_watch.retry import Retryable, RetryPolicy


class FetchError(Exception):
    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to wait (429/503)


class HTTPError(FetchError):
    pass


class TooLarge(FetchError):
    pass


class Refused(FetchError):
    pass


class AlreadyHave(FetchError):
    """A redirect leads to a page this pass has already fetched or the store already holds."""


class FetchTimeout(FetchError):
    pass


class TransportError(FetchError):
    pass


class Unreachable(TransportError):
    pass


MAX_REDIRECTS = 10
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml"})
_UNREACHABLE = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "connection refused",
    "errno 111",
    "errno -2",
    "errno -3",
    "errno 8",
)


@dataclass(frozen=True)
class FetchResult:
    """An answer we can use: 200 with a body, or 304 (``not_modified``) without one."""

    url: str  # the URL after redirects
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """A thread-safe client; use as a context manager."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        policy: RetryPolicy | None = None,
        *,
        allowed: AddressCheck | None = is_public,
    ) -> None:
        self.settings = settings or FetchSettings()
        self.allowed = allowed  # which addresses may be connected to; None: any (CPEC_WATCH_ALLOW_PRIVATE_NETWORKS)
        s = self.settings
        self.policy = policy or RetryPolicy(s.retries, s.backoff, s.max_retry_after)
        self._client = httpx.Client(
            timeout=self._timeout(s.total_timeout),
            follow_redirects=False,  # every hop goes through the guard
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._unreachable: dict[str, str] = {}  # host:port -> why, for the rest of this client's life (one pass)
        self._lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the client; requests in flight on other threads fail at once (how a stop aborts them)."""
        self._client.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        page: bool = False,
        wanted: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        """GET with retries; raises a FetchError subclass when no usable answer came. ``page``: the answer must be
        a web page (HTML or text), so a PDF or an image is refused before it is read. ``wanted``: asked about each
        redirect target; False stops there (:class:`AlreadyHave`), so a page reached through an aggregator's
        redirector is not downloaded again."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept

        parts = urlsplit(url)
        host = f"{(parts.hostname or '').lower()}:{parts.port or ''}"  # refusals are per port
        if host in self._unreachable:
            raise Unreachable(f"{self._unreachable[host]} (unreachable earlier in this pass: not tried again)")

        def attempt(_: int) -> FetchResult:
            try:
                with self._host_slot(url):
                    return self._get_once(url, headers, page, wanted)
            except Unreachable as exc:
                self._unreachable[host] = str(exc)
                raise
            except (FetchTimeout, TransportError) as exc:
                raise Retryable(exc) from None
            except HTTPError as exc:
                if exc.status is not None and (exc.status >= 500 or exc.status == 429):
                    raise Retryable(exc, exc.retry_after) from None
                raise

        return self.policy.call(attempt)

    def _timeout(self, remaining: float) -> httpx.Timeout:
        """Connect, read and write timeouts, none longer than what is left of the request's total deadline; the
        pool timeout (waiting for a free connection) is a connect timeout, not the deadline."""
        s = self.settings
        connect = min(s.connect_timeout, remaining)
        return httpx.Timeout(
            connect=connect, read=min(s.read_timeout, remaining), write=min(s.read_timeout, remaining), pool=connect
        )

    def _past(self, deadline: float) -> FetchTimeout | None:
        if time.monotonic() <= deadline:
            return None
        return FetchTimeout(f"took longer than {self.settings.total_timeout:g} s in total")

    def _get_once(
        self, url: str, headers: dict[str, str], page: bool, wanted: Callable[[str], bool] | None
    ) -> FetchResult:
        """One attempt, redirects followed, within ``total_timeout`` from first byte sent to last byte read: every
        hop's timeouts are cut to what is left, and the deadline is checked once each answer's headers are in and
        as its body arrives (a body trickled just inside the read timeout is dropped all the same)."""
        deadline = time.monotonic() + self.settings.total_timeout
        for _ in range(MAX_REDIRECTS + 1):
            pinned = self._target(url)
            request = {**headers, "Host": pinned.host_header}
            extensions = {"sni_hostname": pinned.server_name} if pinned.server_name else {}
            timeout = self._timeout(max(deadline - time.monotonic(), 0.001))
            try:
                with self._client.stream(
                    "GET", pinned.url, headers=request, extensions=extensions, timeout=timeout
                ) as response:
                    if late := self._past(deadline):
                        raise late
                    location = response.headers.get("Location")
                    if response.is_redirect and location:
                        url = urljoin(url, location)
                        if wanted is not None and not wanted(url):
                            raise AlreadyHave(f"redirects to {url}, a page already fetched")
                        continue
                    return self._answer(url, response, deadline, page)
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"timed out ({type(exc).__name__})") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise TransportError(f"bad URL: {exc}") from None
            except httpx.DecodingError as exc:
                raise TransportError(f"undecodable body: {exc}") from None
            except httpx.TransportError as exc:
                message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                certain = isinstance(exc, httpx.ConnectError) and any(s in str(exc).lower() for s in _UNREACHABLE)
                raise (Unreachable if certain else TransportError)(message) from None
        raise TransportError(f"too many redirects (more than {MAX_REDIRECTS})")

    def _target(self, url: str) -> Target:
        try:
            return target(url, self.allowed)
        except GuardError as exc:
            raise (Unreachable if exc.unresolvable else Refused)(str(exc)) from None

    def _answer(self, url: str, response: httpx.Response, deadline: float, page: bool) -> FetchResult:
        if response.status_code == 304:
            return self._result(url, response, b"")
        if response.status_code >= 400:
            raise HTTPError(
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                response.status_code,
                self.policy.retry_after(response.headers.get("Retry-After"))
                if response.status_code in (429, 503)
                else None,
            )
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if page and kind and kind not in PAGE_TYPES:
            raise Refused(f"not a web page ({kind})")
        return self._result(url, response, self._read_capped(response, deadline))

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge(f"response too large: {int(declared):,} bytes declared, limit {limit:,}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"response too large: over {limit:,} bytes")
            if late := self._past(deadline):
                raise late
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _result(url: str, response: httpx.Response, body: bytes) -> FetchResult:
        h = response.headers
        return FetchResult(
            url, response.status_code, body, h.get("Content-Type"), h.get("ETag"), h.get("Last-Modified")
        )

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.BoundedSemaphore(self.settings.per_host)
            return self._hosts[host]
