"""Plain-text and Markdown renderings of a digest, and the helpers every renderer shares.

Order everywhere: status changes, other updates grouped by tracked item, other CPEC news, feed health.
Sources show the first two outlets (linked) and "+N" for the rest; only http(s) URLs become links.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote, urlsplit

from cpec_watch.models import Digest, DigestArticle, DigestUpdate, FeedProblem, SourceLink

SHOWN_SOURCES = 2
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


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


def group_by_item(updates: tuple[DigestUpdate, ...]) -> list[tuple[str, str, list[DigestUpdate]]]:
    """[(slug, name, updates)] in order of first appearance, updates in their given order."""
    groups: dict[str, tuple[str, str, list[DigestUpdate]]] = {}
    for update in updates:
        slug = update.item_slug
        groups.setdefault(slug, (slug, update.item_name, []))[2].append(update)
    return list(groups.values())


def transition(update: DigestUpdate) -> str:
    """'financing → groundbreaking', or 'groundbreaking (first status)'."""
    if update.previous_status is None:
        return f"{clean(update.status)} (first status)"
    return f"{clean(update.previous_status)} → {clean(update.status)}"


def item_label(name: str, slug: str) -> str:
    return f"{clean(name)} ({clean(slug)})"


def extras(update: DigestUpdate) -> str:
    """'Amounts: $6.7bn · Times: by June 2027', or ''."""
    parts = []
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


EMPTY_LINE = "No new CPEC updates in this period."


# --- plain text ---------------------------------------------------------------------------------


def _text_sources(sources: tuple[SourceLink, ...]) -> str:
    shown, hidden = split_sources(sources)
    parts = []
    for source in shown:
        url = safe_url(source.url)
        parts.append(f"{clean(source.outlet)} <{url}>" if url else clean(source.outlet))
    return ", ".join(parts) + (f" +{len(hidden)}" if hidden else "")


def _text_update(update: DigestUpdate, indent: str, *, with_status: bool = True) -> list[str]:
    lines = [f"{indent}{clean(update.evidence)}"]
    meta = fmt_date(update.date) + (f" · status: {clean(update.status)}" if with_status else "")
    if extra := extras(update):
        meta += f" · {extra}"
    lines.append(f"{indent}{meta}")
    if update.sources:
        lines.append(f"{indent}Sources: {_text_sources(update.sources)}")
    return lines


def to_text(digest: Digest) -> str:
    """The digest as plain text (the text/plain part of the email, stdout)."""
    lines = [clean(digest.title), period_line(digest), ""]
    if digest.is_empty:
        lines += [EMPTY_LINE, ""]
    if digest.status_changes:
        lines += [f"STATUS CHANGES ({len(digest.status_changes)})", ""]
        for update in digest.status_changes:
            lines.append(f"* {item_label(update.item_name, update.item_slug)}: {transition(update)}")
            lines += [*_text_update(update, "  ", with_status=False), ""]
    if digest.updates:
        lines += [f"UPDATES ({len(digest.updates)})", ""]
        for slug, name, updates in group_by_item(digest.updates):
            lines.append(item_label(name, slug))
            for update in updates:
                first, *rest = _text_update(update, "    ")
                lines += ["  - " + first.lstrip(), *rest]
            lines.append("")
    if digest.other_news:
        lines += [f"OTHER CPEC NEWS ({len(digest.other_news)})", ""]
        for article in digest.other_news:
            lines += _text_article(article)
        lines.append("")
    if digest.feed_problems:
        lines += ["FEED HEALTH", ""]
        lines += [f"- {problem_line(p)}" for p in digest.feed_problems] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _text_article(article: DigestArticle) -> list[str]:
    lines = [f"- {clean(article.title)} — {clean(article.outlet)}, {fmt_date(article.date)}"]
    if url := safe_url(article.url):
        lines.append(f"  {url}")
    return lines


# --- Markdown -----------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Article text as inert Markdown: cleaned, with markup characters backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def _md_link(label: str, url: str) -> str:
    target = safe_url(url)
    if target is None:
        return md_escape(label)
    return f"[{md_escape(label)}]({quote(target, safe=':/?#[]@!$&*+,;=%-._~')})"


def _md_sources(sources: tuple[SourceLink, ...]) -> str:
    shown, hidden = split_sources(sources)
    links = ", ".join(_md_link(s.outlet, s.url) for s in shown)
    return links + (f" +{len(hidden)}" if hidden else "")


def _md_update(update: DigestUpdate, *, with_status: bool = True) -> str:
    meta = [f"*{fmt_date(update.date)}*"]
    if with_status:
        meta.append(f"status: **{md_escape(update.status)}**")
    if extra := extras(update):
        meta.append(md_escape(extra))
    if update.sources:
        meta.append(_md_sources(update.sources))
    return f"{md_escape(update.evidence)}  \n  {' · '.join(meta)}"


def to_markdown(digest: Digest) -> str:
    """The digest as Markdown (stdout channel, Markdown file)."""
    lines = [f"# {md_escape(digest.title)}", "", f"_{period_line(digest)}_", ""]
    if digest.is_empty:
        lines += [EMPTY_LINE, ""]
    if digest.status_changes:
        lines += [f"## Status changes ({len(digest.status_changes)})", ""]
        for update in digest.status_changes:
            label = md_escape(item_label(update.item_name, update.item_slug))
            lines += [f"- **{label}: {md_escape(transition(update))}**  ", f"  {_md_update(update, with_status=False)}"]
        lines.append("")
    if digest.updates:
        lines += [f"## Updates ({len(digest.updates)})", ""]
        for slug, name, updates in group_by_item(digest.updates):
            lines += [f"### {md_escape(item_label(name, slug))}", ""]
            lines += [f"- {_md_update(u)}" for u in updates] + [""]
    if digest.other_news:
        lines += [f"## Other CPEC news ({len(digest.other_news)})", ""]
        for a in digest.other_news:
            lines.append(f"- {_md_link(a.title, a.url)} — {md_escape(a.outlet)}, {fmt_date(a.date)}")
        lines.append("")
    if digest.feed_problems:
        lines += ["## Feed health", ""]
        lines += [f"- {md_escape(problem_line(p))}" for p in digest.feed_problems] + [""]
    return "\n".join(lines).rstrip() + "\n"
