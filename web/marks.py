"""Article text made safe for HTML, with the words that matter wrapped in ``<mark>``."""

from __future__ import annotations

from markupsafe import Markup, escape

from cpec_watch.parsers.items import Catalogue, find_mentions
from cpec_watch.storage.search import MARK_END, MARK_START


def highlight_item(evidence: str, slug: str, catalogue: Catalogue) -> Markup:
    """The evidence sentence, escaped, with each mention of the tracked item marked."""
    text = " ".join(evidence.split())
    pieces, at = [], 0
    for mention in sorted((m for m in find_mentions(text, catalogue) if m.slug == slug), key=lambda m: m.start):
        if mention.start < at:
            continue
        pieces += [
            escape(text[at : mention.start]),
            Markup("<mark>"),
            escape(text[mention.start : mention.end]),
            Markup("</mark>"),
        ]
        at = mention.end
    pieces.append(escape(text[at:]))
    return Markup("").join(pieces)


def highlight_snippet(snippet: str) -> Markup:
    """A search snippet, escaped, its matched words (between the search's marker characters) marked."""
    escaped = str(escape(" ".join(snippet.split())))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
