"""Slack payloads posted to a local webhook receiver that enforces Block Kit limits (and Apprise JSON posts)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from cpec_watch.alerts.apprise_channel import send_apprise
from cpec_watch.alerts.errors import ChannelError
from cpec_watch.alerts.render_slack import MAX_SECTION, to_slack_messages
from cpec_watch.alerts.slack import send_slack
from cpec_watch.models import DigestArticle, SourceLink
from cpec_watch.retry import RetryPolicy
from tests.support_alerts import free_port, sample_digest, update, webhook_server

ITEMS = [
    ("ml-1", "ML-1 railway"),
    ("gwadar-port", "Gwadar port"),
    ("rashakai-sez", "Rashakai SEZ"),
    ("kohat-cargo-train", "Kohat cargo train"),
    ("kkh-realignment", "KKH realignment"),
]
OUTLETS = ("Dawn", "The Nation", "Express Tribune", "Business Recorder")


def big_digest(count: int = 200):
    updates = tuple(
        update(
            *ITEMS[i % len(ITEMS)],
            "under-construction",
            f"Update number {i:03d}: officials reported progress on works near kilometre {i * 7} "
            f"and said contractors had mobilised {i % 9 + 2} more crews this week." + " Details." * (i % 40),
            day=1 + i % 28,
            outlets=OUTLETS[: 1 + i % 4],
        )
        for i in range(count)
    )
    return sample_digest(updates=updates)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def all_text(payloads: list[dict]) -> str:
    return json.dumps(payloads, ensure_ascii=False)


def test_sample_digest_is_one_valid_message(client: httpx.Client) -> None:
    payloads = to_slack_messages(sample_digest())
    with webhook_server() as hook:
        assert send_slack(payloads, hook.url, client=client) == 1
    assert hook.received == payloads
    blocks = payloads[0]["blocks"]
    assert blocks[0]["text"]["text"] == "CPEC Watch digest"
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections[0].startswith("*ML-1 railway* (ml-1): financing → *groundbreaking*\n")
    assert "<https://dawn.example/ml-1-21-0|Dawn>, <https://thenation.example/ml-1-21-1|The Nation> +2" in sections[0]
    assert "• Express Tribune: HTTP 403 since 2026-11-20" in sections[-1]


def test_two_hundred_updates_arrive_whole_across_valid_messages(client: httpx.Client) -> None:
    digest = big_digest()
    payloads = to_slack_messages(digest)
    with webhook_server() as hook:
        assert send_slack(payloads, hook.url, client=client) == len(payloads)
    assert len(hook.received) == len(payloads) > 1
    text = "\n".join(b["text"]["text"] for p in hook.received for b in p["blocks"] if b["type"] == "section")
    for u in digest.updates:
        assert text.count(u.evidence) == 1, u.evidence[:20]
    assert re.findall(r"\(\d+/\d+\)", hook.received[-1]["text"]) == [f"({len(payloads)}/{len(payloads)})"]
    # Continued items repeat their heading; every section holds whole entries.
    assert "(continued)" in text
    for p in hook.received:
        for b in p["blocks"]:
            if b["type"] == "section" and "Update number" in b["text"]["text"]:
                assert b["text"]["text"].count("• Update number") == b["text"]["text"].count("status *")


def test_rate_limit_and_server_error_are_retried(client: httpx.Client) -> None:
    payloads = to_slack_messages(sample_digest())
    slept: list[float] = []
    with webhook_server(failures=(429, 500)) as hook:
        assert send_slack(payloads, hook.url, client=client, policy=RetryPolicy(backoff=0.5, sleep=slept.append)) == 1
    assert hook.attempts == 3 and hook.received == payloads
    assert slept == [1.0, 1.0]  # Retry-After: 1 honoured on the 429, then backoff 0.5 * 2 after the 500


def test_refusal_reports_what_was_delivered_and_resume_finishes(client: httpx.Client) -> None:
    payloads = to_slack_messages(big_digest(120))
    assert len(payloads) >= 3
    with webhook_server(failures=(200, 404)) as hook:
        with pytest.raises(ChannelError) as info:
            send_slack(payloads, hook.url, client=client)
        error = info.value
        assert error.delivered == 1
        assert str(error).startswith(f"Slack webhook refused message 2 of {len(payloads)}: HTTP 404")
        assert "secret" not in str(error) and "\n" not in str(error)
        send_slack(payloads[error.delivered :], hook.url, client=client)
    assert hook.received == payloads


def test_exhausted_retries_and_unreachable_webhook(client: httpx.Client) -> None:
    payloads, slept = to_slack_messages(sample_digest()), []
    refused = pytest.raises(ChannelError, match=r"refused message 1 of 1 after 3 attempts: HTTP 500")
    with webhook_server(failures=(500, 500, 500)) as hook, refused:
        send_slack(payloads, hook.url, client=client, policy=RetryPolicy(retries=2, sleep=slept.append))
    assert slept == [1.0, 2.0]
    with pytest.raises(ChannelError, match="unreachable") as info:
        send_slack(
            payloads,
            f"http://127.0.0.1:{free_port()}/hook",
            client=client,
            policy=RetryPolicy(retries=1, sleep=slept.append),
        )
    assert info.value.delivered == 0


def test_article_text_cannot_ping_or_inject_markup(client: httpx.Client) -> None:
    nasty = "<!channel> <!here|here> @here @Channel @everyone <@U024BE7LH> & <https://evil.example|click>"
    digest = sample_digest(
        updates=(
            replace(
                update("ml-1", "ML-1 <!everyone>", "under-construction", nasty),
                sources=(SourceLink("Da|wn>", "https://d.example/a|b>c"),),
            ),
        ),
        other_news=(DigestArticle("Title | with <b> & @here", "Dawn", "javascript:alert(1)", None),),
    )
    payloads = to_slack_messages(digest)
    with webhook_server() as hook:
        send_slack(payloads, hook.url, client=client)
    text = all_text(hook.received)
    assert "<!" not in text and "<@" not in text
    assert not re.search(r"@(here|channel|everyone)\b", text, re.IGNORECASE)
    assert "&lt;!channel&gt;" in text and "&amp; &lt;https://evil.example|click&gt;" in text
    assert "<https://d.example/a%7Cb%3Ec|Da¦wn&gt;>" in text
    assert "javascript" not in text and "• Title | with &lt;b&gt; &amp; @\u200bhere — Dawn, undated" in text


def test_overlong_text_is_cut_with_an_ellipsis_not_split(client: httpx.Client) -> None:
    long = "Gwadar & Karachi " * 600  # escapes to well over one section
    amp = "&" * 5000
    url = "https://x.example/?" + "a=1&" * 47  # 395 characters once & is escaped: just under the link cap
    worst = replace(
        update(amp, amp, amp, amp, previous=amp, amounts=(amp,), times=(amp,)), sources=(SourceLink(amp, url),) * 3
    )
    digest = sample_digest(
        title="CPEC Watch " + "digest " * 40,
        status_changes=(worst,),
        updates=(
            update(
                "gwadar-port",
                "Gwadar port " * 30,
                "operational",
                long,
                outlets=("Dawn " * 50, "The News"),
                amounts=("Rs 1 billion",) * 200,
            ),
        ),
        other_news=(DigestArticle("Long title " * 100, "APP", "https://app.example/" + "x" * 500, None),),
    )
    payloads = to_slack_messages(digest)
    with webhook_server() as hook:
        send_slack(payloads, hook.url, client=client)
    assert len(hook.received) == 1  # the receiver checked every section against the 3,000 limit
    blocks = hook.received[0]["blocks"]
    worst_text = next(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert worst_text.count("<https://x.example/?a=1&amp;a=1") == 2 and worst_text.endswith("+1")
    assert len(blocks[0]["text"]["text"]) == 150 and blocks[0]["text"]["text"].endswith("…")
    update_text = next(b["text"]["text"] for b in blocks if "Gwadar &amp; Karachi" in str(b))
    assert len(update_text) <= MAX_SECTION and re.search(r"(Gwadar|&amp;|Karachi) ?…\n", update_text)
    assert "&am…" not in update_text and "<https://thenews.example/" in update_text
    assert "https://app.example/xxx" not in all_text(payloads)  # an over-long URL is shown as its label only


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise imports imghdr
def test_apprise_json_url_delivers_markdown() -> None:
    digest = sample_digest()
    with webhook_server(slack=False) as hook:
        send_apprise(digest, [hook.url.replace("http://", "json://")])
    [posted] = hook.received
    assert posted["title"] == digest.subject
    assert "## Status changes (2)" in posted["message"]
    assert "Express Tribune: HTTP 403 since 2026-11-20" in posted["message"]
    undelivered = pytest.raises(ChannelError, match=r"could not deliver the digest to every URL \(json\)")
    with webhook_server(failures=(500,), slack=False) as hook, undelivered:
        send_apprise(digest, [hook.url.replace("http://", "json://user:pw@")])
    with pytest.raises(ChannelError, match="not a valid Apprise URL \\(scheme 'nonsense'\\)"):
        send_apprise(digest, ["nonsense://token@host"])


def test_the_apprise_channel_without_apprise_installed_says_how_to_get_it() -> None:
    """apprise is an optional extra: without it the channel fails with one line saying so (a real interpreter in
    which `import apprise` fails), and nothing else needs it."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['apprise'] = None\n"  # as if not installed: `import apprise` raises ImportError
        "from cpec_watch.alerts.apprise_channel import send_apprise\n"
        "from cpec_watch.alerts.errors import ChannelError\n"
        "from tests.support_alerts import sample_digest\n"
        "try:\n"
        "    send_apprise(sample_digest(), ['json://127.0.0.1:9'])\n"
        "except ChannelError as exc:\n"
        "    print(exc)\n"
    )
    root = str(Path(__file__).resolve().parent.parent)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=root)
    assert result.returncode == 0, result.stderr
    assert "pip install 'cpec-watch[apprise]'" in result.stdout
