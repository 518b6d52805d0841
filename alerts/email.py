"""The email channel: its part of the settings, a multipart message, delivery over SMTP.

Security "ssl" is implicit TLS (port 465), "starttls" upgrades a plain connection (port 587),
"none" sends in clear (a local relay, port 25). Certificates are verified with the default
context unless ``ssl_context`` is given (tests trust a throwaway certificate that way).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from cpec_watch.alerts.errors import ChannelError
from cpec_watch.alerts.render import to_text
from cpec_watch.alerts.render_html import to_html
from cpec_watch.config.settings import Settings
from cpec_watch.models import Digest

log = logging.getLogger(__name__)

SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class EmailSettings:
    """How to reach the SMTP server and whom to send the digest to."""

    host: str
    port: int
    username: str | None
    password: str | None = field(repr=False)
    security: str  # "none" | "starttls" | "ssl"
    sender: str
    recipients: tuple[str, ...]
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ChannelError(f"SMTP security must be one of {', '.join(SECURITY_MODES)}, not {self.security!r}")
        if not 0 < self.port < 65536:
            raise ChannelError(f"SMTP port must be between 1 and 65535, not {self.port}")
        if not self.recipients:
            raise ChannelError("no email recipients: set CPEC_WATCH_EMAIL_TO")
        for address in (self.sender, *self.recipients):
            if "@" not in address or any(c in address for c in "\r\n,"):
                raise ChannelError(f"invalid email address {address!r}")
        if self.password and not self.username:
            raise ChannelError("an SMTP password is set without a username")

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailSettings | None:
        """The SMTP part of the settings (CPEC_WATCH_SMTP_* / CPEC_WATCH_EMAIL_*); None when no host is set."""
        if not settings.smtp_host:
            return None
        if not settings.email_from:
            raise ChannelError("CPEC_WATCH_EMAIL_FROM is required when CPEC_WATCH_SMTP_HOST is set")
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_security],
            sender=settings.email_from.strip(),
            recipients=tuple(a.strip() for a in settings.email_to.split(",") if a.strip()),
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            security=settings.smtp_security,
            timeout=settings.smtp_timeout,
        )


def digest_message_id(key: str, sender: str) -> str:
    """A stable Message-ID for a digest key, so a re-send carries the same id."""
    domain = sender.rpartition("@")[2] or "cpec-watch.invalid"
    return f"<cpec-watch.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(digest: Digest, settings: EmailSettings, *, message_id: str | None = None) -> EmailMessage:
    """A multipart/alternative message (text/plain + text/html) for the digest."""
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = format_datetime(digest.generated_at.astimezone())
    msg["Message-ID"] = message_id or make_msgid(domain=settings.sender.rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(to_text(digest))
    msg.add_alternative(to_html(digest), subtype="html")
    return msg


def send_email(msg: EmailMessage, settings: EmailSettings) -> None:
    """Deliver ``msg`` to the settings' recipients; ChannelError with a one-line reason on failure."""
    where = f"{settings.host}:{settings.port}"
    try:
        context = settings.ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            refused = smtp.send_message(msg, from_addr=settings.sender, to_addrs=list(settings.recipients))
    except smtplib.SMTPNotSupportedError as exc:
        raise ChannelError(f"SMTP server {where} does not support this: {exc}") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise ChannelError(f"SMTP login as {settings.username!r} at {where} rejected: {_reply(exc)}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise ChannelError(f"SMTP server {where} refused every recipient: {', '.join(exc.recipients)}") from exc
    except smtplib.SMTPResponseException as exc:
        raise ChannelError(f"SMTP server {where} answered {_reply(exc)}") from exc
    except ssl.SSLError as exc:
        raise ChannelError(f"TLS with SMTP server {where} failed: {exc.reason or exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"SMTP connection to {where} failed: {exc}") from exc
    if refused:
        log.warning("SMTP server %s refused some recipients: %s", where, ", ".join(refused))


def _reply(exc: smtplib.SMTPResponseException) -> str:
    message = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {message}"
