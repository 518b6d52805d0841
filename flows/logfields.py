"""Log lines about one feed or page that carry machine-readable fields.

Each field (``feed`` = the feed's URL, ``feed_id``, ``url`` = the page, ``article_id``, ``outcome``) is set as an
attribute of the LogRecord (``extra=``), for a JSON formatter or a log shipper, and written after the message as
``key=value`` pairs, so that a plain text log (and the Prefect UI, which shows only the message) carries them
too. ``event`` on the record is the message without those pairs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from cpec_watch.flows.report import FeedReport

FIELDS = ("feed", "feed_id", "url", "article_id", "outcome")
Log = logging.Logger | logging.LoggerAdapter[logging.Logger]


def log_event(
    log: Log,
    level: int,
    message: str,
    *,
    ids: Callable[[str], int | None] | None = None,
    exc_info: BaseException | bool | None = None,
    **fields: Any,
) -> None:
    """Log ``message`` with ``fields`` (None values left out); ``ids`` gives the ``feed``'s id when it is logged."""
    if not log.isEnabledFor(level):
        return
    if ids is not None and fields.get("feed") and "feed_id" not in fields:
        fields["feed_id"] = ids(fields["feed"])
    present = {name: fields[name] for name in FIELDS if fields.get(name) is not None}
    pairs = "".join(f" {name}={value}" for name, value in present.items())
    log.log(level, "%s%s", message, pairs, extra={"event": message, **present}, exc_info=exc_info)


def log_feed(log: Log, ids: Callable[[str], int | None], report: FeedReport) -> None:
    """One line per feed handled in a pass: its outcome and what its entries became (a failure is a warning,
    logged where it happened)."""
    if report.error:
        return
    outcome = "interrupted" if report.interrupted else "resting" if report.resting_until else "ok"
    counts = ", ".join(f"{n} {name}" for name, n in sorted(report.counts.items())) or "nothing new"
    message = f"feed {report.name}: {report.status or '-'}, {report.entries} entries, {counts}"
    log_event(log, logging.INFO, message, ids=ids, feed=report.url, outcome=outcome)
