"""The digest as Slack Block Kit payloads for an incoming webhook, built from the shared ``sections``.

Limits kept: at most 50 blocks per message, section text at most 3,000 characters, header text at
most 150. Larger digests are split across several messages; an update is never split (an over-long
evidence sentence is cut with an ellipsis instead). Article text is escaped (&, <, >) and mentions
(@here, @channel, @everyone) are broken with a zero-width space so nothing pings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

from cpec_watch.alerts.render import (
    EMPTY_LINE,
    clean,
    extras,
    fmt_date,
    older_line,
    period_line,
    problem_line,
    safe_url,
    sections,
    split_sources,
    timeline_command,
    timeline_url,
)
from cpec_watch.models import Digest, DigestArticle, DigestUpdate, FeedProblem, SourceLink

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_MESSAGE_CHARS = 12_000  # keeps each message readable and well under Slack's message size limits
# Caps per piece of article text; together they keep one entry plus its heading under MAX_SECTION.
_EVIDENCE, _TITLE, _NAME, _WORD, _LABEL, _URL, _EXTRA = 1000, 300, 100, 60, 80, 400, 300
_MENTION = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

Block = dict[str, object]


def slack_text(text: str, limit: int) -> str:
    """Article text as inert mrkdwn: cleaned, mentions broken, escaped, at most ``limit`` characters."""
    text = _MENTION.sub("@\u200b\\1", clean(text))
    out: list[str] = []
    size = 0
    for i, char in enumerate(text):
        piece = _ESCAPES.get(char, char)
        rest = len(text) - i - 1
        if size + len(piece) > (limit if rest == 0 else limit - 1):
            out.append("…")
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


def _plain(text: str, limit: int) -> str:
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(label: str, url: str, limit: int) -> str:
    text = slack_text(label, limit)
    target = safe_url(url)
    if target is None:
        return text
    target = target.replace("|", "%7C").replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
    return text if len(target) > _URL else f"<{target}|{text.replace('|', '¦')}>"


def _sources(sources: tuple[SourceLink, ...]) -> str:
    shown, hidden = split_sources(sources)
    text = ", ".join(_link(s.outlet, s.url, _LABEL) for s in shown)
    return text + (f" +{len(hidden)}" if hidden else "")


def _meta(update: DigestUpdate, *, with_status: bool) -> str:
    parts = [f"_{fmt_date(update.date)}_"]
    if with_status:
        parts.append(f"status *{slack_text(update.status, _WORD)}*")
    if extra := extras(update):
        parts.append(slack_text(extra, _EXTRA))
    if update.sources:
        parts.append(_sources(update.sources))
    return " · ".join(parts)


def _change(update: DigestUpdate) -> str:
    old = slack_text(update.previous_status, _WORD) if update.previous_status is not None else "new"
    return (
        f"*{slack_text(update.item_name, _NAME)}* ({slack_text(update.item_slug, _WORD)}): "
        f"{old} → *{slack_text(update.status, _WORD)}*\n"
        f"{slack_text(update.evidence, _EVIDENCE)}\n{_meta(update, with_status=False)}"
    )


def _update(update: DigestUpdate) -> str:
    return f"• {slack_text(update.evidence, _EVIDENCE)}\n      {_meta(update, with_status=True)}"


def _more(digest: Digest, slug: str, count: int) -> str:
    url = timeline_url(digest, slug)
    return f"and {count} more: " + (_link("timeline", url, _URL) if url else f"`{timeline_command(slug)}`")


def _article(article: DigestArticle) -> str:
    title = _link(article.title, article.url, _TITLE)
    return f"• {title} — {slack_text(article.outlet, _LABEL)}, {fmt_date(article.date)}"


def _problem(problem: FeedProblem) -> str:
    return f"• {slack_text(problem_line(problem), _EXTRA)}"


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _plain(text, MAX_HEADER), "emoji": True}}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(heading: str | None, entries: list[str]) -> list[Block]:
    """Whole entries packed into as few sections as fit; the heading is repeated when continued."""
    blocks: list[Block] = []
    lines: list[str] = []
    for entry in entries:
        if lines and len(_join(heading, [*lines, entry])) > MAX_SECTION:
            blocks.append(_section(_join(heading, lines)))
            heading, lines = (f"{heading} (continued)" if heading else None), []
        lines.append(entry)
    if lines:
        blocks.append(_section(_join(heading, lines)))
    return blocks


def _join(heading: str | None, entries: list[str]) -> str:
    body = "\n\n".join(entries)
    return f"{heading}\n{body}" if heading else body


_ENTRY: dict[str, Callable[[Any], str]] = {"changes": _change, "news": _article, "health": _problem}


def _body(digest: Digest) -> list[Block]:
    blocks = [_section(EMPTY_LINE)] if digest.is_empty else []
    for section in sections(digest):
        blocks += [_header(section.heading)] if section.title else []
        if section.kind == "updates":
            for group in section.entries:
                heading = f"*{slack_text(group.name, _NAME)}* ({slack_text(group.slug, _WORD)})"
                more = [_more(digest, group.slug, group.more)] if group.more else []
                blocks += _sections(heading, [_update(u) for u in group.updates] + more)
        elif section.kind == "older":
            where = _link("the web view", digest.base_url, _URL) if digest.base_url else "`cpec-watch timeline <item>`"
            blocks.append(_section(f"_{slack_text(older_line(section.entries[0]), _EXTRA)}; see {where}_"))
        else:
            blocks += _sections(None, [_ENTRY[section.kind](entry) for entry in section.entries])
    return blocks


def _length(block: Block) -> int:
    """Characters in a header's or section's text."""
    return len(cast(dict[str, str], block["text"])["text"])


def _split(blocks: list[Block], first_room: int, room: int) -> list[list[Block]]:
    """Blocks into chunks of at most ``first_room`` then ``room`` blocks and MAX_MESSAGE_CHARS
    characters; a header never ends a chunk."""
    chunks: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        limit = first_room if len(chunks) == 1 else room
        length = _length(block)
        if chunks[-1] and (len(chunks[-1]) >= limit or size + length > MAX_MESSAGE_CHARS):
            carried = [chunks[-1].pop()] if chunks[-1][-1]["type"] == "header" else []
            chunks.append(carried)
            size = sum(map(_length, carried))
        chunks[-1].append(block)
        size += length
    return chunks


def to_slack_messages(digest: Digest) -> list[dict[str, object]]:
    """Webhook payloads ({"text", "blocks"}), in posting order."""
    chunks = _split(_body(digest), MAX_BLOCKS - 2, MAX_BLOCKS - 1)
    context = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": slack_text(f"{period_line(digest)} · {digest.summary}", MAX_SECTION)}],
    }
    messages: list[dict[str, object]] = []
    for i, chunk in enumerate(chunks, start=1):
        part = f" ({i}/{len(chunks)})" if len(chunks) > 1 else ""
        title = _plain(digest.title, MAX_HEADER - len(part)) + part
        top = [_header(title), context] if i == 1 else [_header(title)]
        messages.append({"text": slack_text(digest.subject + part, MAX_SECTION), "blocks": top + chunk})
    return messages
