"""Shared parts for the alert tests: sample digests, a Slack-like webhook receiver, SMTP servers, certs."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import ThreadingHTTPServer
from pathlib import Path

from cpec_watch.models import Digest, DigestArticle, DigestUpdate, FeedProblem, SourceLink
from tests.support.responder import Responder

UTC = datetime.UTC
HOSTILE = '<script>alert(1)</script> & "CPEC"'


def link(outlet: str, slug: str) -> SourceLink:
    return SourceLink(outlet, f"https://{outlet.lower().replace(' ', '')}.example/{slug}")


def update(
    slug: str,
    name: str,
    status: str,
    evidence: str,
    *,
    previous: str | None = None,
    day: int = 20,
    outlets: tuple[str, ...] = ("Dawn",),
    **extra: tuple[str, ...],
) -> DigestUpdate:
    sources = tuple(link(o, f"{slug}-{day}-{i}") for i, o in enumerate(outlets))
    return DigestUpdate(slug, name, status, previous, evidence, datetime.date(2026, 11, day), sources, **extra)


def sample_digest(**changes: object) -> Digest:
    """A realistic digest with invented CPEC news from several outlets."""
    digest = Digest(
        title="CPEC Watch digest",
        generated_at=datetime.datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        period_start=datetime.datetime(2026, 11, 15, 9, 0, tzinfo=UTC),
        period_end=datetime.datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        status_changes=(
            update(
                "ml-1",
                "ML-1 railway",
                "groundbreaking",
                "Work on the Karachi–Rohri section of the ML-1 upgrade formally began with a ceremony "
                "attended by federal ministers and Chinese embassy officials.",
                previous="financing",
                day=21,
                outlets=("Dawn", "The Nation", "Express Tribune", "APP"),
                amounts=("$2 billion",),
                times=("first phase by 2029",),
            ),
            update(
                "rashakai-sez",
                "Rashakai SEZ",
                "operational",
                "The first three factories in the Rashakai special economic zone started production, "
                "the KP Economic Zones Development company said.",
                previous="under-construction",
                day=19,
                outlets=("Business Recorder",),
            ),
        ),
        updates=(
            update(
                "gwadar-port",
                "Gwadar port",
                "operational",
                "A second container vessel from Shanghai berthed at Gwadar this month, according to port officials.",
                day=18,
                outlets=("Dawn", "The News", "Pakistan Today"),
            ),
            update(
                "kohat-cargo-train",
                "Kohat cargo train",
                "under-review",
                "Provincial officials said the feasibility study for a Kohat freight link towards "
                "Afghanistan is under review by the planning ministry.",
                day=17,
                outlets=("The Nation",),
            ),
            update(
                "gwadar-port",
                "Gwadar port",
                "operational",
                "The Gwadar free zone's north phase allotted plots to twelve more investors.",
                day=20,
                outlets=("Business Recorder", "APP"),
                amounts=("Rs 3.1 billion",),
            ),
            update(
                "ml-1",
                "ML-1 railway",
                "groundbreaking",
                "Pakistan Railways invited bids for rolling stock to run on the upgraded line.",
                day=21,
                outlets=("Express Tribune",),
                times=("bids due January 2027",),
            ),
        ),
        other_news=(
            DigestArticle(
                "Joint committee reviews CPEC security arrangements",
                "Dawn",
                "https://dawn.example/jcc-security",
                datetime.date(2026, 11, 20),
            ),
            DigestArticle(
                "Chinese delegation visits Faisalabad industrial estate",
                "The News",
                "https://thenews.example/faisalabad-visit",
                datetime.date(2026, 11, 19),
            ),
        ),
        feed_problems=(FeedProblem("Express Tribune", "HTTP 403", datetime.datetime(2026, 11, 20, 6, 0, tzinfo=UTC)),),
    )
    return replace(digest, **changes)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1/localhost: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


# --- a Slack-like incoming webhook -------------------------------------------------------------


def block_kit_problems(raw: bytes) -> list[str]:
    """What Slack would reject in a webhook payload (the limits CPEC Watch must keep)."""
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        return [f"invalid JSON: {exc}"]
    problems = []
    if not isinstance(payload.get("text"), str) or not payload["text"]:
        problems.append("missing text fallback")
    blocks = payload.get("blocks", [])
    if len(blocks) > 50:
        problems.append(f"{len(blocks)} blocks")
    for block in blocks:
        kind, text = block.get("type"), block.get("text", {})
        if kind == "header" and not (text.get("type") == "plain_text" and 0 < len(text["text"]) <= 150):
            problems.append(f"bad header {text!r:.80}")
        elif kind == "section" and not (text.get("type") == "mrkdwn" and 0 < len(text["text"]) <= 3000):
            problems.append(f"bad section of {len(text.get('text', ''))} characters")
        elif kind == "context" and not all(0 < len(e["text"]) <= 3000 for e in block["elements"][:10]):
            problems.append("bad context")
        elif kind not in ("header", "section", "context", "divider"):
            problems.append(f"unknown block {kind}")
    return problems


@dataclass
class Webhook:
    """A running receiver: its URL, the payloads it accepted and the scripted answers still to give
    (a status per request; 200 lets that request through)."""

    url: str
    received: list[dict] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    attempts: int = 0


@contextmanager
def webhook_server(failures: tuple[int, ...] = (), *, slack: bool = True) -> Iterator[Webhook]:
    """A stdlib HTTP server on 127.0.0.1 that records JSON payloads and, when ``slack``, rejects
    the ones Slack's webhook would reject."""
    hook = Webhook(url="", failures=list(failures))
    lock = threading.Lock()

    class Handler(Responder):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                hook.attempts += 1
                failure = hook.failures.pop(0) if hook.failures else None
                failure = None if failure == 200 else failure
                problems = block_kit_problems(raw) if slack else []
                if failure is None and not problems:
                    hook.received.append(json.loads(raw))
            if failure is not None:
                self.respond(failure, b"rate_limited" if failure == 429 else b"server_error", {"Retry-After": "1"})
            elif problems:
                self.respond(400, ("invalid_blocks: " + "; ".join(problems)).encode(), {})
            else:
                self.respond(200, b"ok", {})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
