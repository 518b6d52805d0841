"""Email digests delivered to a real aiosmtpd server on 127.0.0.1 (plain, STARTTLS + auth, implicit TLS)."""

from __future__ import annotations

import email
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from cpec_watch.alerts.email import EmailSettings, build_message, digest_message_id, send_email
from cpec_watch.alerts.errors import ChannelError
from cpec_watch.config.errors import ConfigError
from cpec_watch.config.settings import load_settings
from tests.support_alerts import HOSTILE, free_port, make_cert, sample_digest, server_context

USER, PASSWORD = "digest-bot", "s3cret pass"


class Inbox:
    """An aiosmtpd handler that keeps (sender, recipients, parsed message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        raw = envelope.original_content or envelope.content  # type: ignore[attr-defined]
        parsed = email.message_from_bytes(raw, policy=default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[attr-defined]
        return "250 Message accepted"


def authenticate(server: object, session: object, envelope: object, mechanism: str, auth_data: object) -> AuthResult:
    ok = getattr(auth_data, "login", b"") == USER.encode() and getattr(auth_data, "password", b"") == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # unhandled: aiosmtpd answers 535 itself


@contextmanager
def smtp_server(**options: object) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


def settings(port: int, **changes: object) -> EmailSettings:
    values: dict[str, object] = dict(
        host="127.0.0.1",
        port=port,
        username=None,
        password=None,
        security="none",
        sender="watch@cpec-watch.example",
        recipients=("desk@newsroom.example", "analyst@newsroom.example"),
        timeout=5.0,
    )
    return EmailSettings(**{**values, **changes})  # type: ignore[arg-type]


def trusting(cert: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert[0]))


def test_plain_delivery_has_both_parts_headers_and_escaped_html() -> None:
    digest = sample_digest(title=HOSTILE)
    with smtp_server() as (inbox, port):
        conf = settings(port)
        msg_id = digest_message_id("digest-2026-11-22", conf.sender)
        send_email(build_message(digest, conf, message_id=msg_id), conf)
    [(sender, rcpts, msg)] = inbox.messages
    assert sender == "watch@cpec-watch.example" and rcpts == ["desk@newsroom.example", "analyst@newsroom.example"]
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == digest.subject and msg["Message-ID"] == msg_id
    assert msg["To"] == "desk@newsroom.example, analyst@newsroom.example"
    assert msg["Date"].datetime.isoformat() == "2026-11-22T09:00:00+00:00"
    assert msg["Auto-Submitted"] == "auto-generated"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content()
    assert text.startswith(f"{HOSTILE}\nPeriod: 2026-11-15 09:00 UTC to 2026-11-22 09:00 UTC\n")
    assert "* ML-1 railway (ml-1): financing → groundbreaking" in text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;CPEC&quot;" in html
    assert 'href="https://dawn.example/ml-1-21-0"' in html and 'href="https://thenews.example/faisalabad-visit"' in html


def test_message_id_is_stable_for_a_digest_key() -> None:
    conf = settings(2525)
    assert digest_message_id("run-42", conf.sender) == digest_message_id("run-42", conf.sender)
    assert digest_message_id("run-42", conf.sender) != digest_message_id("run-43", conf.sender)
    assert digest_message_id("run-42", conf.sender).endswith("@cpec-watch.example>")
    assert build_message(sample_digest(), conf)["Message-ID"].endswith("@cpec-watch.example>")


def test_starttls_with_login(cert: tuple[Path, Path]) -> None:
    with smtp_server(
        tls_context=server_context(*cert), require_starttls=True, authenticator=authenticate, auth_required=True
    ) as (inbox, port):
        good = settings(port, security="starttls", ssl_context=trusting(cert), username=USER, password=PASSWORD)
        send_email(build_message(sample_digest(), good), good)
        bad = settings(port, security="starttls", ssl_context=trusting(cert), username=USER, password="wrong")
        with pytest.raises(ChannelError, match=rf"SMTP login as 'digest-bot' at 127.0.0.1:{port} rejected: 535"):
            send_email(build_message(sample_digest(), bad), bad)
        clear = settings(port, username=USER, password=PASSWORD)  # refuses AUTH before STARTTLS
        with pytest.raises(ChannelError, match="SMTP"):
            send_email(build_message(sample_digest(), clear), clear)
    assert len(inbox.messages) == 1


def test_implicit_tls_verifies_the_certificate(cert: tuple[Path, Path]) -> None:
    with smtp_server(ssl_context=server_context(*cert)) as (inbox, port):
        trusted = settings(port, security="ssl", ssl_context=trusting(cert))
        send_email(build_message(sample_digest(), trusted), trusted)
        untrusted = settings(port, security="ssl")  # the default context does not know this certificate
        with pytest.raises(ChannelError, match=rf"TLS with SMTP server 127.0.0.1:{port} failed: CERTIFICATE_VERIFY"):
            send_email(build_message(sample_digest(), untrusted), untrusted)
    assert len(inbox.messages) == 1


def test_starttls_required_but_not_offered() -> None:
    with smtp_server() as (inbox, port):
        conf = settings(port, security="starttls")
        with pytest.raises(ChannelError, match="does not support"):
            send_email(build_message(sample_digest(), conf), conf)
    assert inbox.messages == []


def test_refused_connection_is_one_clear_line() -> None:
    port = free_port()
    conf = settings(port)
    with pytest.raises(ChannelError) as info:
        send_email(build_message(sample_digest(), conf), conf)
    assert str(info.value) == f"SMTP connection to 127.0.0.1:{port} failed: [Errno 111] Connection refused"


def from_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> EmailSettings | None:
    for name in ("HOST", "PORT", "USERNAME", "PASSWORD", "SECURITY", "TIMEOUT"):
        monkeypatch.delenv(f"CPEC_WATCH_SMTP_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return EmailSettings.from_settings(load_settings())


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert from_env(monkeypatch, {}) is None
    env = {
        "CPEC_WATCH_SMTP_HOST": "smtp.example",
        "CPEC_WATCH_SMTP_SECURITY": "SSL",
        "CPEC_WATCH_SMTP_USERNAME": USER,
        "CPEC_WATCH_SMTP_PASSWORD": PASSWORD,
        "CPEC_WATCH_EMAIL_FROM": "watch@cpec-watch.example",
        "CPEC_WATCH_EMAIL_TO": " a@x.example, b@y.example ,",
    }
    conf = from_env(monkeypatch, env)
    assert conf == EmailSettings(
        "smtp.example", 465, USER, PASSWORD, "ssl", "watch@cpec-watch.example", ("a@x.example", "b@y.example"), 30.0
    )
    assert PASSWORD not in repr(conf) and PASSWORD not in repr(load_settings())
    assert from_env(monkeypatch, {**env, "CPEC_WATCH_SMTP_SECURITY": ""}).port == 587  # type: ignore[union-attr]
    assert from_env(monkeypatch, {**env, "CPEC_WATCH_SMTP_PORT": "2525"}).port == 2525  # type: ignore[union-attr]
    for change, error, message in (
        ({"CPEC_WATCH_SMTP_SECURITY": "tls"}, ConfigError, "invalid setting smtp_security: Input should be"),
        ({"CPEC_WATCH_SMTP_PORT": "smtp"}, ConfigError, "invalid setting smtp_port: Input should be a valid integer"),
        ({"CPEC_WATCH_SMTP_PORT": "70000"}, ConfigError, "invalid setting smtp_port: Input should be less than"),
        ({"CPEC_WATCH_EMAIL_FROM": ""}, ChannelError, "CPEC_WATCH_EMAIL_FROM is required when CPEC_WATCH_SMTP_HOST"),
        ({"CPEC_WATCH_EMAIL_TO": " , "}, ChannelError, "no email recipients: set CPEC_WATCH_EMAIL_TO"),
        ({"CPEC_WATCH_EMAIL_TO": "desk"}, ChannelError, "invalid email address 'desk'"),
        ({"CPEC_WATCH_SMTP_USERNAME": ""}, ChannelError, "an SMTP password is set without a username"),
    ):
        monkeypatch.delenv("CPEC_WATCH_EMAIL_FROM", raising=False)
        monkeypatch.delenv("CPEC_WATCH_EMAIL_TO", raising=False)
        with pytest.raises(error) as info:
            from_env(
                monkeypatch, {k: v for k, v in {**env, **change}.items() if v != "" or k == "CPEC_WATCH_SMTP_SECURITY"}
            )
        assert str(info.value).startswith(message)
