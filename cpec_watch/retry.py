"""The one retry policy for HTTP calls (feeds, pages, Slack): backoff, Retry-After, an injectable clock.

A call is retried when its failure is retryable (the caller says which, and may pass the server's
``Retry-After``); it waits ``backoff * 2**attempt`` seconds, or what the server asked when that is at most
``max_retry_after`` (a longer wait gives up: the next scheduled run will try again). ``sleep`` and ``now``
are injectable so tests neither sleep nor depend on the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TypeVar

T = TypeVar("T")


class Retryable(Exception):
    """Raised by an attempt whose failure may be retried; ``retry_after`` is the server's wait, if any."""

    def __init__(self, cause: Exception, retry_after: float | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    now: Callable[[], float] = field(default=time.time, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after failed attempt number ``attempt`` (0-based), or None to give up."""
        if attempt >= self.retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return self.backoff * 2.0**attempt  # 2.0, not 2: int ** int is typed Any (a negative power is a float)

    def retry_after(self, header: str | None) -> float | None:
        """A ``Retry-After`` header as seconds from now: delta-seconds or an HTTP date; None if absent or bad."""
        value = (header or "").strip()
        if value.isdigit():
            return float(value)
        if value:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - self.now())
            except (TypeError, ValueError):
                return None
        return None

    def call(self, attempt: Callable[[int], T]) -> T:
        """Run ``attempt(n)`` until it returns; a :class:`Retryable` is retried while the policy allows,
        then its cause is raised (with ``attempts`` set to how many were made)."""
        n = 0
        while True:
            try:
                return attempt(n)
            except Retryable as failure:
                wait = self.delay(n, failure.retry_after)
                if wait is None:
                    failure.cause.attempts = n + 1  # type: ignore[attr-defined]
                    raise failure.cause from None
            self.sleep(wait)
            n += 1
