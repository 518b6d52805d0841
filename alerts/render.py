"""The digest's sections, the template environment, and the plain-text and Markdown renderings.

Every rendering walks ``sections(digest)``: status changes, other updates grouped by tracked item (at most the
subscription's ``per_item`` each, then "and M more" linking to the item's timeline), the one line on older
reporting imported in the period (a backfill), other CPEC news, feed health. Sources show the first two outlets
(linked) and "+N" for the rest; only http(s) URLs become links. Templates live in ``templates/``; only the
``.html`` ones are autoescaped.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

import jinja2

from cpec_watch.models import Digest, DigestUpdate, FeedProblem, OlderImports, SourceLink

SHOWN_SOURCES = 2
EMPTY_LINE = "No new CPEC updates in this period."
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


class ItemGroup(NamedTuple):
    """The updates of one tracked item, in their given order."""

    slug: str
    name: str
    updates: list[DigestUpdate]
    more: int = 0  # updates of the item counted but not listed (the digest's per-item budget)


@dataclass(frozen=True)
class Section:
    """One non-empty part of a digest. ``kind`` says what ``entries`` hold: "changes" and "updates"
    (``DigestUpdate``, grouped as ``ItemGroup`` for "updates"), "older" (one ``OlderImports``, shown as one line
    without a heading), "news" (``DigestArticle``), "health" (``FeedProblem``)."""

    kind: str
    title: str
    entries: tuple[Any, ...]
    count: int | None = None

    @property
    def heading(self) -> str:
        """E.g. 'Status changes (2)', or 'Feed health'."""
        return self.title if self.count is None else f"{self.title} ({self.count})"


def sections(digest: Digest) -> list[Section]:
    """The digest's non-empty sections, in the order every rendering shows them."""
    return [
        section
        for section in (
            Section("changes", "Status changes", digest.status_changes, len(digest.status_changes)),
            Section(
                "updates",
                "Updates",
                tuple(group_by_item(digest.updates, digest.more)),
                len(digest.updates) + digest.more_count,
            ),
            Section("older", "", (digest.older,) if digest.older else ()),
            Section("news", "Other CPEC news", digest.other_news, len(digest.other_news)),
            Section("health", "Feed health", digest.feed_problems),
        )
        if section.entries
    ]


def group_by_item(updates: tuple[DigestUpdate, ...], more: tuple[tuple[str, int], ...] = ()) -> list[ItemGroup]:
    """One group per tracked item, in order of first appearance, with how many more it has (``more``)."""
    left_out = dict(more)
    groups: dict[str, ItemGroup] = {}
    for update in updates:
        slug = update.item_slug
        groups.setdefault(slug, ItemGroup(slug, update.item_name, [], left_out.get(slug, 0))).updates.append(update)
    return list(groups.values())


def timeline_url(digest: Digest, slug: str) -> str | None:
    """The item's timeline in the web view, when the digest knows where it is served."""
    return f"{digest.base_url.rstrip('/')}/items/{quote(slug)}" if digest.base_url else None


def timeline_command(slug: str) -> str:
    return f"cpec-watch timeline {slug}"


def older_line(older: OlderImports) -> str:
    """'130 older articles imported (reported before 2026-12-01), not listed'."""
    articles = "article" if older.articles == 1 else "articles"
    return f"{older.articles} older {articles} imported (reported before {older.before.isoformat()}), not listed"


def clean(text: str) -> str:
    """Collapse whitespace and drop control characters, so article text stays on its line."""
    return " ".join(_CONTROL.sub(" ", text).split())


def safe_url(url: str) -> str | None:
    """The URL when it is an absolute http(s) URL without whitespace, else None."""
    url = url.strip()
    if not url or _CONTROL.search(url) or " " in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def split_sources(sources: tuple[SourceLink, ...]) -> tuple[tuple[SourceLink, ...], tuple[SourceLink, ...]]:
    """(shown, hidden): the first outlets to show, and the rest counted as "+N"."""
    return sources[:SHOWN_SOURCES], sources[SHOWN_SOURCES:]


def transition(update: DigestUpdate) -> str:
    """'financing → groundbreaking', or 'groundbreaking (first status)'."""
    if update.previous_status is None:
        return f"{clean(update.status)} (first status)"
    return f"{clean(update.previous_status)} → {clean(update.status)}"


class Tone(NamedTuple):
    """How the HTML digest colours a status: a pill's background and text, a card's edge."""

    background: str
    text: str
    edge: str


# The web view's status families and pill colours (web/static/style.css), with a text and an edge colour each.
TONES = {
    "good": Tone("#cdebd9", "#14532d", "#15803d"),
    "work": Tone("#d6e6f7", "#1e3a8a", "#1d4ed8"),
    "plan": Tone("#f1e8cf", "#713f12", "#b45309"),
    "bad": Tone("#f5d3d0", "#7f1d1d", "#b91c1c"),
    "other": Tone("#e8ecef", "#374151", "#6b7280"),
}
FAMILIES = {
    **dict.fromkeys(("operational", "completed", "inaugurated"), "good"),
    **dict.fromkeys(("under-construction", "groundbreaking", "financing", "approved"), "work"),
    **dict.fromkeys(("proposed", "under-review", "meeting-held"), "plan"),
    **dict.fromkeys(("delayed", "stalled", "cancelled"), "bad"),
}


def tone(status: str | None) -> Tone:
    """The colours of ``status`` (delayed, stalled and cancelled red, as on the web)."""
    return TONES[FAMILIES.get(status or "", "other")]


def item_label(name: str, slug: str) -> str:
    return f"{clean(name)} ({clean(slug)})"


def extras(update: DigestUpdate) -> str:
    """'67% sure · Amounts: $6.7bn · Times: by June 2027' (certainty shown when the reading is not certain)."""
    parts = [f"{update.confidence:.0%} sure"] if update.confidence < 1 else []
    if update.amounts:
        parts.append("Amounts: " + ", ".join(clean(a) for a in update.amounts))
    if update.times:
        parts.append("Times: " + ", ".join(clean(t) for t in update.times))
    return " · ".join(parts)


def problem_line(problem: FeedProblem) -> str:
    """'Express Tribune: HTTP 403 since 2026-11-20'."""
    return f"{clean(problem.outlet)}: {clean(problem.error)} since {problem.since.date().isoformat()}"


def fmt_time(moment: datetime.datetime) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M")
    zone = moment.tzname()
    return f"{text} {zone}" if zone else text


def period_line(digest: Digest) -> str:
    end = fmt_time(digest.period_end)
    if digest.period_start is None:
        return f"Period: up to {end}"
    return f"Period: {fmt_time(digest.period_start)} to {end}"


def fmt_date(day: datetime.date | None) -> str:
    return day.isoformat() if day else "undated"


def md_escape(text: str) -> str:
    """Article text as inert Markdown: cleaned, with markup characters backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def md_url(url: str) -> str:
    """A safe URL percent-encoded so it cannot close a Markdown link early."""
    return quote(url, safe=":/?#[]@!$&*+,;=%-._~")


@functools.cache
def environment() -> jinja2.Environment:
    """The templates of this package, with the helpers above as filters and globals."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cpec_watch.alerts", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        clean=clean,
        date=fmt_date,
        extras=extras,
        md=md_escape,
        md_url=md_url,
        older_line=older_line,
        problem_line=problem_line,
        safe_url=safe_url,
        tone=tone,
        transition=transition,
    )
    env.globals.update(
        EMPTY_LINE=EMPTY_LINE,
        item_label=item_label,
        period_line=period_line,
        split_sources=split_sources,
        timeline_command=timeline_command,
        timeline_url=timeline_url,
    )
    return env


def render(template: str, digest: Digest) -> str:
    """The digest through one template, ending in exactly one newline."""
    text = environment().get_template(template).render(digest=digest, sections=sections(digest))
    return text.rstrip() + "\n"


def to_text(digest: Digest) -> str:
    """The digest as plain text (the text/plain part of the email, stdout)."""
    return render("digest.txt", digest)


def to_markdown(digest: Digest) -> str:
    """The digest as Markdown (stdout channel, Markdown file)."""
    return render("digest.md", digest)
