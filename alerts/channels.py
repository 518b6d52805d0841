"""One subscription's channel: render a digest for it, send what was rendered, resume a cut-short send.

What is rendered is what the outbox records, so a resumed or audited send is exactly what went out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from email import message_from_string, policy
from pathlib import Path

from cpec_watch.alerts.email import EmailSettings, build_message, digest_message_id, send_email
from cpec_watch.alerts.errors import ChannelError
from cpec_watch.alerts.render import to_markdown
from cpec_watch.alerts.render_slack import to_slack_messages
from cpec_watch.alerts.slack import send_slack
from cpec_watch.alerts.stdout import write_markdown
from cpec_watch.config.settings import Settings
from cpec_watch.config.subscriptions import Subscription
from cpec_watch.models import Digest


@dataclass(frozen=True)
class Channel:
    """Renders and sends for one subscription."""

    sub: Subscription
    settings: Settings
    print_stdout: bool = True

    def render(self, digest: Digest) -> str:
        if self.sub.channel == "slack":
            return json.dumps(to_slack_messages(digest))
        if self.sub.channel == "email":  # the Message-ID is stable, so a resend is recognisably the same mail
            settings = self.email_settings()
            message_id = digest_message_id(f"{self.sub.name}-{digest.period_end.isoformat()}", settings.sender)
            return build_message(digest, settings, message_id=message_id).as_string()
        return to_markdown(digest)

    def count(self, content: str) -> int:
        """How many messages ``content`` is."""
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

    def send_slack(self, payloads: list[dict[str, object]]) -> int:
        secret = self.settings.slack_webhook_url
        url = self.sub.target or (secret.get_secret_value() if secret else None)
        if not url:
            raise ChannelError("no Slack webhook: set CPEC_WATCH_SLACK_WEBHOOK_URL or the subscription's target")
        return send_slack(payloads, url)

    def email_settings(self) -> EmailSettings:
        settings = EmailSettings.from_settings(self.settings)
        if settings is None:
            raise ChannelError("no SMTP server: set CPEC_WATCH_SMTP_HOST (and CPEC_WATCH_EMAIL_FROM/_TO)")
        if self.sub.target:
            settings = replace(settings, recipients=tuple(a.strip() for a in self.sub.target.split(",") if a.strip()))
        return settings
