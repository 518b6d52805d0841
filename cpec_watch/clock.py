"""The one clock: every timestamp the store records, and every "now" a pass or a digest decides by, reads it.

The system's clock, unless ``use_clock`` put another in place (``bench/year_soak.py`` runs a year of passes on a
simulated clock). Importable by every stage; imports nothing of ours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

Clock = Callable[[], datetime]  # an aware UTC datetime each call


def system_clock() -> datetime:
    return datetime.now(dt.UTC)


_clocks: list[Clock] = [system_clock]


def utcnow() -> datetime:
    """Now in UTC, from the clock in place."""
    return _clocks[-1]()


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Read time from ``clock`` in this process (every thread) until the block ends."""
    _clocks.append(clock)
    try:
        yield
    finally:
        _clocks.remove(clock)
