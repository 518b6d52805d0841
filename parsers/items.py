"""The tracked-item catalogue and the mention matcher.

Matching is one pass over the text whatever the catalogue size: the text is cut into word tokens by one regex,
and at each token the longest run of tokens (joined without separators, lower-cased) found in a hash index of
all aliases wins. So "ML-1", "ML 1", "ML1" and "Main\\nLine–1" all reduce to the same key, a token never starts
inside a word ("XML-1", "HTML1" do not match) and tokens join only across spaces, hyphens, dashes, parentheses and
line breaks. The last token may carry a plural "s" ("Bostan SEZs"). Cost is O(words x longest alias).

Weak (ambiguous) aliases count only when a `requires` word of their item occurs in the same sentence;
`ignore` names swallow aliases they contain ("Khunjerab National Park").
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"[^\W_]+")
_JOINER = re.compile(r"[\s\-\u2010-\u2015()]*")
_ABBREVIATIONS = frozenset(
    [
        "rs",
        "dr",
        "mr",
        "mrs",
        "ms",
        "no",
        "nos",
        "st",
        "jr",
        "sr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "brig",
        "engr",
        "govt",
        "co",
        "corp",
        "inc",
        "ltd",
        "pvt",
        "vs",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "hon",
        "sen",
        "dept",
        "fig",
        "vol",
        "mt",
        "ft",
    ]
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[•▪●◦]?\s*[A-Z])|\n\s*\n|\n(?=\s*[•▪●◦])")
_DOTTED = re.compile(r"(?:\b[A-Za-z]\.)+[A-Za-z]$|(?:^|\s)[A-Z]$")  # U.S / U.A.E / initials "M. Ali"


class CatalogueError(Exception):
    """The catalogue file is unreadable or an entry is invalid; the message names the file and entry."""


@dataclass(frozen=True)
class TrackedItem:
    """One tracked project, committee or initiative."""

    slug: str
    name: str
    aliases: tuple[str, ...]
    requires: tuple[str, ...] = ()
    category: str = "other"
    weak_aliases: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()  # words that, in the same sentence, make any alias mean something else


@dataclass(frozen=True)
class Mention:
    """One occurrence of an item in a text: character span, the text as written and its sentence."""

    slug: str
    start: int
    end: int
    matched: str
    sentence: str


@dataclass(frozen=True)
class Catalogue:
    """All tracked items plus names to ignore; builds its match index once, on first use."""

    items: tuple[TrackedItem, ...]
    ignore: tuple[str, ...] = ()

    def item(self, slug: str) -> TrackedItem:
        return self._by_slug[slug]

    @cached_property
    def _by_slug(self) -> dict[str, TrackedItem]:
        return {item.slug: item for item in self.items}

    @cached_property
    def _prefixes(self) -> frozenset[str]:
        """Every leading part of an index key: a token run that is none of them cannot grow into a name."""
        return frozenset(key[:end] for key in self._index[0] for end in range(1, len(key) + 1))

    @cached_property
    def _index(self) -> tuple[dict[str, tuple[str, bool] | None], int]:
        index: dict[str, tuple[str, bool] | None] = {}
        longest = 1
        entries: list[tuple[str, tuple[str, bool] | None]] = [(name, None) for name in self.ignore]
        for item in self.items:
            entries += [(a, (item.slug, False)) for a in item.aliases]
            entries += [(a, (item.slug, True)) for a in item.weak_aliases]
        for name, target in entries:
            tokens = _TOKEN.findall(name.lower())
            longest = max(longest, len(tokens))
            index.setdefault("".join(tokens), target)
        return index, longest + 2  # text may split an alias into more tokens ("ML1" vs "ML 1")

    @cached_property
    def _requires(self) -> dict[str, re.Pattern[str]]:
        return {item.slug: _words(item.requires) for item in self.items if item.requires}

    @cached_property
    def _excludes(self) -> dict[str, re.Pattern[str]]:
        return {item.slug: _words(item.excludes) for item in self.items if item.excludes}


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``words`` as whole words (a plural "s" allowed), case-insensitive."""
    return re.compile(r"(?<![^\W_])(?:" + "|".join(_phrase(word) for word in words) + r")s?(?![^\W_])", re.IGNORECASE)


def load_catalogue(*paths: str | Path) -> Catalogue:
    """The default catalogue, then each file in ``paths``: entries replace items with the same slug or add new ones."""
    default = resources.files("cpec_watch.config").joinpath("items.toml").read_text(encoding="utf-8")
    items: dict[str, TrackedItem] = {}
    ignore: list[str] = []
    for label, text in [("config/items.toml", default)] + [(str(p), _read(Path(p))) for p in paths]:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise CatalogueError(f"{label}: invalid TOML: {error}") from error
        if not isinstance(data.get("ignore", []), list) or not isinstance(data.get("items", []), list):
            raise CatalogueError(f"{label}: 'items' must be [[items]] tables and 'ignore' a list of names")
        ignore += [str(name) for name in data.get("ignore", [])]
        for number, entry in enumerate(data.get("items", []), start=1):
            item = _item(entry, f"{label}: item #{number}")
            items[item.slug] = item
    return Catalogue(tuple(items.values()), tuple(ignore))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(f"{path}: cannot read catalogue: {error.strerror}") from error


def _item(entry: dict[str, Any], where: str) -> TrackedItem:
    missing = [key for key in ("slug", "name", "aliases") if not entry.get(key)]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    lists = {key: entry.get(key, []) for key in ("aliases", "weak_aliases", "requires", "excludes")}
    for key, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise CatalogueError(f"{where} ({entry['slug']}): {key} must be a list of non-empty strings")
    if lists["weak_aliases"] and not lists["requires"]:
        raise CatalogueError(f"{where} ({entry['slug']}): weak_aliases need requires words")
    return TrackedItem(
        slug=str(entry["slug"]),
        name=str(entry["name"]),
        aliases=tuple(lists["aliases"]),
        requires=tuple(lists["requires"]),
        category=str(entry.get("category", "other")),
        weak_aliases=tuple(lists["weak_aliases"]),
        excludes=tuple(lists["excludes"]),
    )


def _phrase(words: str) -> str:
    return r"[\s\-]+".join(re.escape(word) for word in _TOKEN.findall(words))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``; blank lines always end one, abbreviations ("Rs.", "Dr.", "U.S.") do not."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].rstrip()
        word = before.rsplit(None, 1)[-1] if before else ""
        if match.group()[0] == "." and (word.lower().rstrip(".") in _ABBREVIATIONS or _DOTTED.search(before)):
            continue
        spans.append((start, match.start() + len(match.group().rstrip())))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in ((a, len(text[:b].rstrip())) for a, b in spans) if text[a:b].strip()]


def find_mentions(text: str, catalogue: Catalogue, *more: Catalogue) -> list[Mention]:
    """Every catalogue item mentioned in ``text``, in order; longest alias wins, weak aliases need context.

    With ``more`` catalogues, each is matched on its own (over one tokenization) and their mentions follow.
    """
    tokens = list(_TOKEN.finditer(text))
    lowered = [token.group().lower() for token in tokens]
    joined: dict[int, bool] = {}

    def joins(j: int) -> bool:  # whether token j and j + 1 may be one name ("ML-1", "ML 1")
        if j not in joined:
            joined[j] = bool(_JOINER.fullmatch(text, tokens[j].end(), tokens[j + 1].start()))
        return joined[j]

    sentences: list[tuple[int, int]] = []
    mentions: list[Mention] = []
    for names in (catalogue, *more):
        index, longest = names._index
        prefixes = names._prefixes
        i = 0  # the first token not yet read as part of a name
        for first in [j for j, word in enumerate(lowered) if word in prefixes or word[:-1] in index]:
            if first < i:
                continue
            hit = _longest_at(lowered, joins, first, index, longest, prefixes)
            if hit is None:
                continue
            last, target = hit
            i = last + 1
            if target is None:
                continue
            slug, weak = target
            start, end = tokens[first].start(), tokens[last].end()
            sentences = sentences or split_sentences(text)
            sentence = _sentence_of(sentences, text, start)
            if weak and not names._requires[slug].search(sentence):
                continue
            if slug in names._excludes and names._excludes[slug].search(sentence):
                continue
            mentions.append(Mention(slug, start, end, text[start:end], sentence))
    return mentions


def _longest_at(
    lowered: list[str],
    joins: Callable[[int], bool],
    i: int,
    index: dict[str, tuple[str, bool] | None],
    longest: int,
    prefixes: frozenset[str],
) -> tuple[int, tuple[str, bool] | None] | None:
    """The longest name starting at token ``i`` (a plural "s" allowed): (its last token, its target)."""
    found = None
    key = ""
    for j in range(i, min(i + longest, len(lowered))):
        if j > i and not joins(j - 1):
            break
        key += lowered[j]
        if key in index:
            found = (j, index[key])
        elif key.endswith("s") and key[:-1] in index:
            found = (j, index[key[:-1]])
        if key not in prefixes:
            break
    return found


def _sentence_of(sentences: list[tuple[int, int]], text: str, position: int) -> str:
    start, end = sentences[max(bisect.bisect_right(sentences, (position, len(text))) - 1, 0)]
    return text[start:end]
