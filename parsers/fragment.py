"""Paragraphs of an HTML fragment, such as a feed's ``content:encoded`` full text."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "td",
        "br",
        "figcaption",
        "section",
        "article",
    ]
)
_DROP = ("script", "style", "noscript", "iframe", "form", "figure", "button")
_INTERLINK = re.compile(r"^(also read|read more|related|see also)\s*:", re.I)


def fragment_paragraphs(html: str) -> tuple[str, ...]:
    """Block-level text of ``html`` as whitespace-collapsed paragraphs (interlinks and scripts dropped)."""
    if not html or not html.strip():
        return ()
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ()
    etree.strip_elements(root, *_DROP, with_tail=False)
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCKS:
            parts.append("\n")
        if event == "start" and element.text and tag:
            parts.append(element.text)
        if event == "end" and element.tail and element is not root:
            parts.append(element.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return tuple(line for line in lines if line and not _INTERLINK.match(line))
