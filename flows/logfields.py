"""Log lines about one feed or page that carry machine-readable fields.

Each field (``feed`` = the feed's URL, ``feed_id``, ``url`` = the page, ``article_id``, ``outcome``) is set as an
attribute of the LogRecord (``extra=``), for a JSON formatter or a log shipper, and written after the message as
``key=value`` pairs, so that a plain text log (and the Prefect UI, which shows only the message) carries them
too. ``event`` on the record is the message without those pairs.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from cpec_watch.flows.report import FeedReport
from cpec_watch.storage.db import session
from cpec_watch.storage.feeds import feed_id

FIELDS = ("feed", "feed_id", "url", "article_id", "outcome")
Log = logging.Logger | logging.LoggerAdapter


def log_event(
    log: Log,
    level: int,
    message: str,
    *,
    engine: Engine | None = None,
    exc_info: BaseException | bool | None = None,
    **fields: Any,
) -> None:
    """Log ``message`` with ``fields`` (None values left out); with an ``engine``, the feed's id is looked up."""
    if not log.isEnabledFor(level):
        return
    if engine is not None and fields.get("feed") and "feed_id" not in fields:
        with session(engine) as sess:
            fields["feed_id"] = feed_id(sess, fields["feed"])
    ordered = sorted(fields.items(), key=lambda pair: FIELDS.index(pair[0]) if pair[0] in FIELDS else len(FIELDS))
    present = {name: str(value) if name == "outcome" else value for name, value in ordered if value is not None}
    pairs = "".join(f" {name}={value}" for name, value in present.items())
    log.log(level, "%s%s", message, pairs, extra={"event": message, **present}, exc_info=exc_info)


def log_feed(log: Log, engine: Engine, report: FeedReport) -> None:
    """One line per feed handled in a pass: its outcome and what its entries became (a failure is a warning,
    logged where it happened)."""
    if report.error:
        return
    outcome = "interrupted" if report.interrupted else "resting" if report.resting_until else "ok"
    counts = ", ".join(f"{n} {name}" for name, n in sorted(report.counts.items())) or "nothing new"
    message = f"feed {report.name}: {report.status or '-'}, {report.entries} entries, {counts}"
    log_event(log, logging.INFO, message, engine=engine, feed=report.url, outcome=outcome)
