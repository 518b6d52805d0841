"""Digest delivery: per subscription, build what is new, record it in the outbox, send, mark it.

One channel failing never blocks the others. A digest is recorded as ``sending`` before it
goes out and ``sent`` after; a run that dies in between leaves ``sending``, which counts as
delivered (the reader may have it), so a re-run never sends a digest twice.
"""
from __future__ import annotations

import json
from email import message_from_string, policy
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from cpec_watch.alerts.digest import Digest
from cpec_watch.alerts.email import EmailSettings, build_message, digest_message_id, send_email
from cpec_watch.alerts.errors import ChannelError
from cpec_watch.alerts.render import to_markdown
from cpec_watch.alerts.render_slack import to_slack_messages
from cpec_watch.alerts.slack import send_slack
from cpec_watch.alerts.stdout import write_markdown
from cpec_watch.alerts.subscriptions import Subscription, load_subscriptions
from cpec_watch.config.settings import Settings, user_catalogue
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.digests import begin_send, collect_digest, finish_send, last_period_end, unfinished
from cpec_watch.storage.models import utcnow

WEEK = timedelta(days=7)


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


@dataclass(frozen=True)
class Secrets:
    """Channel secrets from the environment, or from Prefect blocks when deployed."""

    slack_webhook_url: str | None = None
    smtp_password: str | None = None


def digest_pass(settings: Settings, *, channel: str = "all", since: datetime | None = None,
                cadences: tuple[str, ...] = ("daily", "weekly"), dry_run: bool = False, print_stdout: bool = True,
                secrets: Secrets | None = None) -> list[DigestReport]:
    """Serve every matching subscription once; returns one report each."""
    catalogue = user_catalogue(settings)
    subs = [s for s in load_subscriptions(settings.raw_config)
            if channel in ("all", s.channel) and s.cadence in cadences]
    if channel != "all" and not subs and cadences != ("immediate",):
        raise ChannelError(f"no {channel} subscription: add [[subscriptions]] with channel = \"{channel}\" "
                           "to the config file (email and Slack are enabled by their CPEC_WATCH_ settings)")
    secrets = secrets or Secrets(settings.slack_webhook_url)
    engine = open_engine(settings.db, create=False)
    reports = []
    with session(engine) as sess:
        for sub in subs:
            sender = _Sender(sub, secrets, print_stdout)
            try:
                reports.extend(_resume(sess, sub, sender))
                reports.append(_serve(sess, sub, sender, catalogue, since, dry_run))
            except Exception as exc:  # e.g. missing settings: this subscription fails, the others go on
                sess.rollback()
                error = str(exc) if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
                reports.append(DigestReport(sub.name, sub.channel, "failed", error=error))
    engine.dispose()
    return reports


def _serve(sess, sub: Subscription, sender: _Sender, catalogue, since: datetime | None,  # type: ignore[no-untyped-def]
           dry_run: bool) -> DigestReport:
    now, last = utcnow(), last_period_end(sess, sub.name)
    if sub.cadence == "weekly" and since is None and last is not None and now - last < WEEK - timedelta(hours=12):
        return DigestReport(sub.name, sub.channel, "not-due")
    digest = collect_digest(sess, catalogue, sub, since or last, now, changes_only=sub.cadence == "immediate")
    counts = dict(updates=digest.update_count, status_changes=len(digest.status_changes),
                  articles=len(digest.other_news))
    if digest.is_empty and not sub.no_news:
        return DigestReport(sub.name, sub.channel, "nothing-new", **counts)
    content, markdown = sender.render(digest), to_markdown(digest)
    if dry_run:
        return DigestReport(sub.name, sub.channel, "dry-run", messages=sender.count(content), markdown=markdown,
                            **counts)
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


def _resume(sess, sub: Subscription, sender: _Sender) -> list[DigestReport]:  # type: ignore[no-untyped-def]
    """Send the rest of digests a failure cut short (Slack messages not yet posted)."""
    reports = []
    for record in unfinished(sess, sub.name):
        payloads = json.loads(record.content)
        try:
            sent = sender.send_slack(payloads[record.delivered:])
        except ChannelError as exc:
            finish_send(sess, record, "partial", delivered=record.delivered + exc.delivered, error=str(exc))
            raise
        finish_send(sess, record, "sent", delivered=record.delivered + sent)
        reports.append(DigestReport(sub.name, sub.channel, "sent", updates=record.updates, messages=sent))
    return reports


@dataclass
class _Sender:
    """Renders and sends for one subscription's channel."""

    sub: Subscription
    secrets: Secrets
    print_stdout: bool

    def render(self, digest: Digest) -> str:
        if self.sub.channel == "slack":
            return json.dumps(to_slack_messages(digest))
        if self.sub.channel == "email":  # the Message-ID is stable, so a resend is recognisably the same mail
            settings = self.email_settings()
            message_id = digest_message_id(f"{self.sub.name}-{digest.period_end.isoformat()}", settings.sender)
            return build_message(digest, settings, message_id=message_id).as_string()
        return to_markdown(digest)

    def count(self, content: str) -> int:
        return len(json.loads(content)) if self.sub.channel == "slack" else 1

    def send(self, digest: Digest, content: str) -> int:
        """Send what was recorded (``content``); returns the number of messages."""
        channel = self.sub.channel
        if channel == "slack":
            return self.send_slack(json.loads(content))
        if channel == "email":
            send_email(message_from_string(content, policy=policy.default), self.email_settings())
        elif channel == "markdown":
            write_markdown(digest, Path(self.sub.target or ""))
        elif channel == "apprise":
            from cpec_watch.alerts.apprise_channel import send_apprise  # imports apprise (~0.5 s) only when used

            send_apprise(digest, [self.sub.target or ""])
        elif self.print_stdout:
            write_markdown(digest)
        return 1

    def send_slack(self, payloads: list[dict]) -> int:
        url = self.sub.target or self.secrets.slack_webhook_url
        if not url:
            raise ChannelError("no Slack webhook: set CPEC_WATCH_SLACK_WEBHOOK_URL or the subscription's target")
        return send_slack(payloads, url)

    def email_settings(self) -> EmailSettings:
        settings = EmailSettings.from_env()
        if settings is None:
            raise ChannelError("no SMTP server: set CPEC_WATCH_SMTP_HOST (and CPEC_WATCH_EMAIL_FROM/_TO)")
        if self.secrets.smtp_password and not settings.password:
            settings = replace(settings, password=self.secrets.smtp_password)
        if self.sub.target:
            settings = replace(settings, recipients=tuple(a.strip() for a in self.sub.target.split(",") if a.strip()))
        return settings


def report_json(reports: list[DigestReport]) -> list[dict]:
    """Reports as JSON objects; the Markdown is kept only for stdout, whose text it is."""
    return [{k: v for k, v in asdict(r).items() if k != "markdown" or r.channel == "stdout"} for r in reports]

