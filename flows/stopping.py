"""A request to stop a pass early (Ctrl-C or SIGTERM), shared by every thread of the pass.

Once requested, no new feed or page is started, requests in flight are aborted (their client is closed), and
what was aborted is recorded nowhere: a feed not polled keeps its old state and validators, a page not read is
not counted as failed, so the next pass simply does it. The signal handling itself is the CLI's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Stop:
    def __init__(self) -> None:
        self._event = threading.Event()
        self._aborts: list[Callable[[], None]] = []
        self.reason: str | None = None

    def requested(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking at once when a stop is requested (retry backoff uses it)."""
        self._event.wait(seconds)

    def on_request(self, abort: Callable[[], None]) -> None:
        """Call ``abort`` (e.g. close an HTTP client) when a stop is requested."""
        self._aborts.append(abort)

    def request(self, reason: str) -> None:
        self.reason = reason
        self._event.set()
        for abort in self._aborts:
            abort()
