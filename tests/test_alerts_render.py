"""Rendering of digests as text, Markdown and HTML (pure: no I/O)."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cpec_watch.alerts.render import EMPTY_LINE, environment, sections, to_markdown, to_text
from cpec_watch.alerts.render_html import to_html
from cpec_watch.alerts.render_slack import to_slack_messages
from cpec_watch.alerts.stdout import write_markdown
from cpec_watch.models import DigestArticle, SourceLink
from tests.support_alerts import HOSTILE, sample_digest, update

EMPTY = dict(status_changes=(), updates=(), other_news=())


class Tags(HTMLParser):
    """Every start tag with its attributes, the visible text, and the text of each h2 and h3."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self.heading: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h2", "h3"):
            self.heading = tag
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.heading:
            self.heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.heading:
            self.headings[-1] += data

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for t, a in self.tags if t == "a"]


def test_sections_in_order_in_every_renderer() -> None:
    digest = sample_digest()
    text, md, html = to_text(digest), to_markdown(digest), to_html(digest)
    for doc, heads in (
        (text, ["STATUS CHANGES (2)", "UPDATES (4)", "OTHER CPEC NEWS (2)", "FEED HEALTH"]),
        (md, ["## Status changes (2)", "## Updates (4)", "## Other CPEC news (2)", "## Feed health"]),
        (html, ["Status changes (2)</h2>", "Updates (4)</h2>", "Other CPEC news (2)</h2>", "Feed health</h2>"]),
    ):
        positions = [doc.index(h) for h in heads]
        assert positions == sorted(positions)
    assert "* ML-1 railway (ml-1): financing → groundbreaking" in text
    assert text.index("ML-1 railway (ml-1): financing") < text.index("Rashakai SEZ (rashakai-sez): under-construction")


def test_updates_grouped_by_item_in_first_seen_order() -> None:
    text = to_text(sample_digest())
    updates = text[text.index("UPDATES") : text.index("OTHER CPEC NEWS")]
    headings = [line for line in updates.splitlines() if line and not line.startswith(" ")]
    assert headings == [
        "UPDATES (4)",
        "Gwadar port (gwadar-port)",
        "Kohat cargo train (kohat-cargo-train)",
        "ML-1 railway (ml-1)",
    ]
    gwadar = updates[updates.index("Gwadar port") : updates.index("Kohat cargo train")]
    assert "second container vessel" in gwadar and "twelve more investors" in gwadar
    assert "Amounts: Rs 3.1 billion" in gwadar
    assert "2026-11-18 · status: operational" in gwadar


def test_sources_show_two_outlets_linked_and_count_the_rest() -> None:
    digest = sample_digest()
    change = digest.status_changes[0]  # Dawn, The Nation, Express Tribune, APP
    text, md, html = to_text(digest), to_markdown(digest), to_html(digest)
    assert "Sources: Dawn <https://dawn.example/ml-1-21-0>, The Nation <https://thenation.example/ml-1-21-1> +2" in text
    assert "[Dawn](https://dawn.example/ml-1-21-0), [The Nation](https://thenation.example/ml-1-21-1) +2" in md
    assert '<span title="Express Tribune, APP">+2</span>' in html
    hidden = [s.url for s in change.sources[2:]]
    assert not any(url in doc for url in hidden for doc in (text, md, html))


def test_feed_health_line() -> None:
    digest = sample_digest()
    assert "- Express Tribune: HTTP 403 since 2026-11-20" in to_text(digest)
    assert "- Express Tribune: HTTP 403 since 2026-11-20" in to_markdown(digest)
    assert "Express Tribune: HTTP 403 since 2026-11-20</li>" in to_html(digest)


def test_subject_and_counts() -> None:
    digest = sample_digest()
    assert digest.subject == "CPEC Watch digest — 2026-11-22: 2 status changes, 4 updates, 2 other articles"
    assert digest.update_count == 6 and not digest.is_empty
    one = sample_digest(status_changes=digest.status_changes[:1], updates=(), other_news=())
    assert one.subject == "CPEC Watch digest — 2026-11-22: 1 status change"


def test_empty_digest_ignores_feed_problems_but_still_reports_them() -> None:
    digest = sample_digest(**EMPTY)
    assert digest.is_empty and digest.update_count == 0
    assert digest.subject.endswith(": no news")
    text = to_text(digest)
    assert EMPTY_LINE in text and "Express Tribune: HTTP 403 since 2026-11-20" in text
    assert "STATUS CHANGES" not in text and "UPDATES" not in text
    bare = sample_digest(**EMPTY, feed_problems=(), period_start=None)
    assert to_markdown(bare) == "# CPEC Watch digest\n\n_Period: up to 2026-11-22 09:00 UTC_\n\n" + EMPTY_LINE + "\n"
    assert EMPTY_LINE in to_html(bare)


def test_first_status_and_naive_times() -> None:
    first = update("dhabeji-sez", "Dhabeji SEZ", "approved", "The board approved the zone.", previous=None)
    digest = sample_digest(
        status_changes=(first,),
        generated_at=datetime.datetime(2026, 11, 22, 9, 0),
        period_end=datetime.datetime(2026, 11, 22, 9, 0),
        period_start=None,
    )
    text = to_text(digest)
    assert "* Dhabeji SEZ (dhabeji-sez): approved (first status)" in text
    assert "Period: up to 2026-11-22 09:00\n" in text


def test_html_is_a_safe_standalone_document() -> None:
    hostile = update(
        "gwadar-port", HOSTILE, "operational", f"Evidence {HOSTILE} <img src=x onerror=alert(2)>", outlets=()
    )
    hostile = replace(
        hostile,
        sources=(
            SourceLink("Evil <b>Outlet</b>", "javascript:alert(3)"),
            SourceLink("Dawn", "https://dawn.example/a?x=1&y=2"),
        ),
    )
    article = DigestArticle(HOSTILE, 'The "Nation"', "JAVASCRIPT:alert(4)", None)
    digest = sample_digest(title=HOSTILE, updates=(hostile,), other_news=(article,))
    html = to_html(digest)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    parsed = Tags(html)
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"script", "img", "link", "style", "iframe", "b"}
    assert all(not a.get("onerror") for _, a in parsed.tags)
    assert parsed.hrefs() and all(h.startswith(("http://", "https://")) for h in parsed.hrefs())
    assert "https://dawn.example/a?x=1&y=2" in parsed.hrefs()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;CPEC&quot;" in html
    visible = "".join(parsed.text)
    assert HOSTILE in visible and "Evil <b>Outlet</b>" in visible
    assert "javascript" not in html.lower()


def test_html_autoescapes_a_hostile_headline() -> None:
    headline = """<script>alert("x")</script> 'Gwadar' & <b onmouseover="y">"""
    article = DigestArticle(headline, headline, 'https://dawn.example/a?b=1&c="2"', None)
    sources = (*update("ml-1", "ML-1", "ok", "E", outlets=("Dawn", "APP")).sources, SourceLink('" onclick="z', ""))
    updated = replace(update("ml-1", headline, "ok", headline), sources=sources)
    digest = sample_digest(title=headline, updates=(updated,), other_news=(article,))
    html = to_html(digest)
    parsed = Tags(html)
    assert not {t for t, _ in parsed.tags} & {"script", "b"}
    assert not [name for _, attrs in parsed.tags for name in attrs if name.startswith("on")]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;Gwadar&#39; &amp; &lt;b onmouseover=" in html
    assert 'https://dawn.example/a?b=1&c="2"' in parsed.hrefs()
    assert ("span", {"title": '" onclick="z'}) in parsed.tags
    assert "".join(parsed.text).count(headline) == 6  # <title>, <h1>, item, evidence, news title and outlet
    assert headline in to_text(digest)  # plain text is not HTML-escaped


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<p>x",
        "ftp://d.example/a",
    ],
)
def test_a_link_that_is_not_http_is_plain_text_everywhere(url: str) -> None:
    article = DigestArticle("Headline", "Dawn", url, datetime.date(2026, 11, 20))
    updated = replace(update("ml-1", "ML-1", "ok", "Evidence."), sources=(SourceLink("The Nation", url),))
    digest = sample_digest(status_changes=(), updates=(updated,), other_news=(article,), feed_problems=())
    html, md, text = to_html(digest), to_markdown(digest), to_text(digest)
    parsed = Tags(html)
    assert parsed.hrefs() == [] and "Headline" in parsed.text and "· The Nation" in "".join(parsed.text)
    assert "](" not in md and "- Headline — Dawn, 2026-11-20" in md and "· The Nation\n" in md
    assert "Sources: The Nation\n" in text and "- Headline — Dawn, 2026-11-20\n" in text
    assert not any(part in doc for part in url.strip().split("\n") for doc in (html, md, text))


@pytest.mark.parametrize("changes", [{}, EMPTY, dict(status_changes=(), feed_problems=())])
def test_every_format_shows_the_same_sections_in_the_same_order(changes: dict) -> None:
    digest = sample_digest(**changes)
    text = [line for line in to_text(digest).splitlines()[3:] if line and line[0] not in " -*" and line != EMPTY_LINE]
    md = [line.lstrip("#").strip() for line in to_markdown(digest).splitlines() if line.startswith("##")]
    html = Tags(to_html(digest)).headings
    assert [h.casefold() for h in text] == [h.casefold() for h in md] and md == html
    headings = [s.heading for s in sections(digest)]
    slack = [b["text"]["text"] for b in to_slack_messages(digest)[0]["blocks"][1:] if b["type"] == "header"]
    assert slack == headings == [h for h in html if h in headings]


def test_templates_come_from_the_package_and_only_html_is_autoescaped() -> None:
    env = environment()
    assert env is environment() and env.list_templates() == ["digest.html", "digest.md", "digest.txt"]
    assert [env.autoescape(name) for name in env.list_templates()] == [True, False, False]


def test_markdown_and_text_drop_unsafe_links_and_escape_markup() -> None:
    article = DigestArticle(
        "Click [here](javascript:alert(1)) *now*", "Dawn", "javascript:alert(1)", datetime.date(2026, 11, 20)
    )
    digest = sample_digest(title="Digest <b>", other_news=(article,), feed_problems=())
    md = to_markdown(digest)
    assert "- Click \\[here\\](javascript:alert(1)) \\*now\\* — Dawn" in md  # inert: the bracket is escaped
    assert md.count("](javascript") == 1 and "# Digest \\<b\\>" in md
    text = to_text(digest)
    assert "- Click [here](javascript:alert(1)) *now* — Dawn, 2026-11-20\n" in text
    assert "  javascript:" not in text


def test_multiline_article_text_stays_on_its_line() -> None:
    article = DigestArticle(
        "Line one\nSTATUS CHANGES (99)\r\n", "Dawn\t", "https://dawn.example/x", datetime.date(2026, 11, 20)
    )
    text = to_text(sample_digest(other_news=(article,), feed_problems=()))
    assert "- Line one STATUS CHANGES (99) — Dawn, 2026-11-20\n" in text
    assert text.count("STATUS CHANGES") == 2


def test_write_markdown_to_file_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    digest = sample_digest()
    target = tmp_path / "out" / "digest.md"
    write_markdown(digest, target)
    write_markdown(digest, target)  # replaced, not appended
    assert target.read_text(encoding="utf-8") == to_markdown(digest)
    assert [p.name for p in target.parent.iterdir()] == ["digest.md"]
    write_markdown(digest, None)
    assert capsys.readouterr().out == to_markdown(digest)


def test_every_format_says_how_sure_a_reading_is() -> None:
    tentative = replace(update("ml-1", "ML-1", "financing", "Talks on the ML-1 loan went on."), confidence=0.54)
    digest = sample_digest(status_changes=(), updates=(tentative,))
    slack = json.dumps(to_slack_messages(digest))
    for rendered in (to_text(digest), to_markdown(digest), to_html(digest), slack):
        assert "54% sure" in rendered
    assert "% sure" not in to_text(sample_digest(status_changes=(), updates=(replace(tentative, confidence=1.0),)))


def test_the_html_digest_colours_a_status_as_the_web_view_does() -> None:
    worse = update("ml-1", "ML-1 railway", "delayed", "Work on ML-1 is delayed.", previous="completed")
    better = update("gwadar-port", "Gwadar port", "operational", "Gwadar is operational.", previous="approved")
    held = update("rashakai-sez", "Rashakai", "stalled", "Rashakai work has stalled.", previous="groundbreaking")
    parsed = Tags(to_html(sample_digest(status_changes=(worse, better), updates=(held,))))
    styles = [a.get("style") or "" for _, a in parsed.tags]
    css = (Path(__file__).parent.parent / "web" / "static" / "style.css").read_text()
    red = re.search(r"\.s-delayed, \.s-stalled, \.s-cancelled \{ background: (#[0-9a-f]{6}); \}", css)
    green = re.search(r"\.s-operational, \.s-completed, \.s-inaugurated \{ background: (#[0-9a-f]{6}); \}", css)
    assert red and green
    cards = [s for s in styles if "border-left:4px solid" in s]
    assert len(cards) == 2 and "#b91c1c" in cards[0] and "#15803d" in cards[1]  # a change for the worse is red
    pills = [s for s in styles if "border-radius:10px" in s]
    assert sum(f"background:{red.group(1)}" in s for s in pills) == 2  # delayed, stalled
    assert sum(f"background:{green.group(1)}" in s for s in pills) == 2  # completed (before), operational
