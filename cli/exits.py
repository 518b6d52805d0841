"""Exit statuses a cron job or a systemd unit can act on (README, "Exit statuses").

0    the run completed and everything in it worked
1    an unexpected error (a bug: Python prints the traceback)
2    could not run: bad config, unreadable store, unusable archive folder (click's usage errors are 2 as well)
3    the run completed, but some feeds, pages or digest channels failed, or no feed could be polled
130  stopped by SIGINT (Ctrl-C); 143 stopped by SIGTERM (128 + the signal, as shells report it)

The statuses are read from the same JSON the ``--json`` option prints, so a run in-process and the same run as
a Prefect flow (which returns that JSON) exit alike.
"""

from __future__ import annotations

from typing import Any

from cpec_watch.flows.report import nothing_polled

OK = 0
CANNOT_RUN = 2
PARTIAL = 3
FAILED_DIGESTS = ("failed", "partial")


def run_status(data: dict[str, Any]) -> int:
    """``run`` / ``backfill``: PARTIAL when a feed, a page or an immediate alert failed, or when there were feeds
    to poll and not one could be (every one failed or is resting), else OK."""
    failed = data["feeds_failed"] or data["failed_pages"] or digest_status(data.get("alerts", [])) != OK
    return PARTIAL if failed or nothing_polled(data) else OK


def digest_status(reports: list[dict[str, Any]]) -> int:
    """``digest``: PARTIAL when a subscription's channel failed or delivered part of its digest, else OK."""
    return PARTIAL if any(report["status"] in FAILED_DIGESTS for report in reports) else OK
