"""Digest delivery: per subscription, build what is new, record it in the outbox, send, mark it.

One channel failing never blocks the others. A digest is recorded as ``sending`` before it
goes out and ``sent`` after; a run that dies in between leaves ``sending``, which counts as
delivered (the reader may have it), so a re-run never sends a digest twice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from cpec_watch.alerts.channels import Channel
from cpec_watch.alerts.errors import ChannelError
from cpec_watch.alerts.render import to_markdown
from cpec_watch.clock import utcnow
from cpec_watch.config.settings import Settings
from cpec_watch.config.subscriptions import Subscription
from cpec_watch.flows.setup import user_catalogue
from cpec_watch.parsers.items import Catalogue
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.digests import begin_send, collect_digest, finish_send, last_period_end, unfinished


@dataclass(frozen=True)
class DigestReport:
    """What happened to one subscription's digest."""

    subscription: str
    channel: str
    status: str  # sent, nothing-new, not-due, dry-run, failed, partial, busy (another run is sending it)
    updates: int = 0
    status_changes: int = 0
    articles: int = 0
    messages: int = 0
    error: str | None = None
    markdown: str | None = None  # the digest as Markdown (for artifacts, and stdout under --json)


def digest_pass(
    settings: Settings,
    *,
    channel: str = "all",
    since: datetime | None = None,
    cadences: tuple[str, ...] = ("daily", "weekly"),
    dry_run: bool = False,
    print_stdout: bool = True,
) -> list[DigestReport]:
    """Serve every matching subscription once; returns one report each."""
    catalogue = user_catalogue(settings)
    subs = [s for s in settings.subscriptions if channel in ("all", s.channel) and s.cadence in cadences]
    if channel != "all" and not subs and cadences != ("immediate",):
        raise ChannelError(
            f'no {channel} subscription: add [[subscriptions]] with channel = "{channel}" '
            "to the config file (email and Slack are enabled by their CPEC_WATCH_ settings)"
        )
    engine = open_engine(settings.db, create=False)
    reports = []
    with session(engine) as sess:
        for sub in subs:
            sender = Channel(sub, settings, print_stdout)
            try:
                reports.extend(_resume(sess, sub, sender))
                announce, base_url = settings.status.announce, settings.base_url
                reports.append(_serve(sess, sub, sender, catalogue, since, dry_run, announce, base_url))
            except Exception as exc:  # e.g. missing settings: this subscription fails, the others go on
                sess.rollback()
                error = str(exc) if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
                reports.append(DigestReport(sub.name, sub.channel, "failed", error=error))
    engine.dispose()
    return reports


def _serve(
    sess: Session,
    sub: Subscription,
    sender: Channel,
    catalogue: Catalogue,
    since: datetime | None,
    dry_run: bool,
    announce: float | None,
    base_url: str | None = None,
) -> DigestReport:
    now, last = utcnow(), last_period_end(sess, sub.name)
    if since is None and not sub.is_due(last, now):
        return DigestReport(sub.name, sub.channel, "not-due")
    digest = collect_digest(
        sess,
        catalogue,
        sub,
        since or last,
        now,
        changes_only=sub.cadence == "immediate",
        announce=announce,
        base_url=base_url,
    )
    counts: dict[str, Any] = dict(
        updates=digest.update_count, status_changes=len(digest.status_changes), articles=len(digest.other_news)
    )
    if digest.is_empty and not sub.no_news:
        return DigestReport(sub.name, sub.channel, "nothing-new", **counts)
    content, markdown = sender.render(digest), to_markdown(digest)
    if dry_run:
        return DigestReport(
            sub.name, sub.channel, "dry-run", messages=sender.count(content), markdown=markdown, **counts
        )
    record = begin_send(sess, sub, digest, content, claim=since is None)
    if record is None:
        return DigestReport(sub.name, sub.channel, "busy", error="another run is sending this digest", **counts)
    try:
        messages = sender.send(digest, content)
    except Exception as exc:  # any failure of one channel is recorded and never blocks the others
        delivered = exc.delivered if isinstance(exc, ChannelError) else 0
        error = str(exc) if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
        status = "partial" if delivered else "failed"
        finish_send(sess, record, status, delivered=delivered, error=error)
        return DigestReport(sub.name, sub.channel, status, messages=delivered, error=error, **counts)
    finish_send(sess, record, "sent", delivered=messages)
    return DigestReport(sub.name, sub.channel, "sent", messages=messages, markdown=markdown, **counts)


def _resume(sess: Session, sub: Subscription, sender: Channel) -> list[DigestReport]:
    """Send the rest of digests a failure cut short (Slack messages not yet posted)."""
    reports = []
    for record in unfinished(sess, sub.name):
        payloads = json.loads(record.content)
        try:
            sent = sender.send_slack(payloads[record.delivered :])
        except ChannelError as exc:
            finish_send(sess, record, "partial", delivered=record.delivered + exc.delivered, error=str(exc))
            raise
        finish_send(sess, record, "sent", delivered=record.delivered + sent)
        reports.append(DigestReport(sub.name, sub.channel, "sent", updates=record.updates, messages=sent))
    return reports


def report_json(reports: list[DigestReport]) -> list[dict[str, Any]]:
    """Reports as JSON objects; the Markdown is kept only for stdout, whose text it is."""
    return [{k: v for k, v in asdict(r).items() if k != "markdown" or r.channel == "stdout"} for r in reports]
