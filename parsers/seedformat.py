"""The seed/archive text format and the archive's file names.

A file is an optional prefix ``" date YYYY-MM-DD "`` (leading space, the word, the ISO date, one space) directly
followed by the first line, then blocks separated by blank lines, in UTF-8, with no newline after the last line
(as in seeds 001-004; 000's two trailing newlines are read as well). Every non-empty line is one paragraph. The first
block is the title when it is a single line of at most ``TITLE_MAX_CHARS`` that does not end like a sentence
(``. : ; , …``, closing quotes ignored); so seed 002, written without blank lines, and seed 003, whose first block is
a sentence, have no title.

``parse(render(seed)) == seed`` holds when the title and paragraphs are non-empty single lines without surrounding
whitespace, the title looks like a title, and, when there is no title, the first paragraph does not.
"""

from __future__ import annotations

import re
from datetime import date

from cpec_watch.models import SeedText

TITLE_MAX_CHARS = 200
_DATE_PREFIX = re.compile(r" date (\d{4}-\d{2}-\d{2}) ")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = (".", ":", ";", ",", "…")
_CLOSING_QUOTES = "\"'”’)»"
_ARCHIVE_NAME = re.compile(r"(\d{3,})_([0-9a-f]{16})\.txt")


def parse(text: str) -> SeedText:
    """Read a seed/archive file's text."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    published, text = _split_date(text)
    blocks = [lines for lines in (_lines(block) for block in _BLANK_LINE.split(text)) if lines]
    title = None
    if blocks and len(blocks[0]) == 1 and looks_like_title(blocks[0][0]):
        title = blocks.pop(0)[0]
    return SeedText(published=published, title=title, paragraphs=tuple(line for block in blocks for line in block))


def render(seed: SeedText) -> str:
    """Write ``seed`` in the seed format; line breaks inside a paragraph become spaces, empty paragraphs vanish."""
    pieces = ([seed.title] if seed.title is not None else []) + list(seed.paragraphs)
    body = "\n\n".join(piece for piece in (_one_line(piece) for piece in pieces) if piece)
    return f" date {seed.published.isoformat()} {body}" if seed.published else body


def looks_like_title(line: str) -> bool:
    """A short line that does not end like a sentence."""
    return 0 < len(line) <= TITLE_MAX_CHARS and not line.rstrip(_CLOSING_QUOTES).endswith(_SENTENCE_END)


def archive_name(number: int, key: str) -> str:
    """File name of an archived article: ``NNN_<key>.txt``, the key being the URL's ``url_key``."""
    return f"{number:03d}_{key}.txt"


def split_archive_name(name: str) -> tuple[int, str] | None:
    """``(number, key)`` of an archive file name (three or more digits), None for any other name."""
    match = _ARCHIVE_NAME.fullmatch(name)
    return (int(match.group(1)), match.group(2)) if match else None


def _split_date(text: str) -> tuple[date | None, str]:
    match = _DATE_PREFIX.match(text)
    if match is None:
        return None, text
    try:
        return date.fromisoformat(match.group(1)), text[match.end() :]
    except ValueError:
        return None, text


def _lines(block: str) -> list[str]:
    return [line.strip() for line in block.split("\n") if line.strip()]


def _one_line(piece: str) -> str:
    return " ".join(line.strip() for line in piece.splitlines() if line.strip())
