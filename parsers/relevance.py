"""Is an article about CPEC? A screen on the feed entry, then a verdict on the page's full text.

Terms match case-insensitively as whole words; between a term's words (or letters and digits, as in ``ML-1``) any
run of spaces or hyphens or none at all is accepted, so "China-Pakistan Economic Corridor", "China Pakistan
Economic Corridor" and "ML1" match; a trailing plural ``s`` is accepted ("SEZs"). Terms are escaped, so any
catalogue name is safe.

:func:`screen` reads a feed entry's title and summary: ``"yes"`` when they name CPEC or a tracked item, ``"maybe"``
when they are only on topic (the corridor's kinds of projects, its places and institutions: the page is read),
``"no"`` otherwise. :func:`is_about_cpec` asks the full text for more than a passing mention: CPEC (or a named CPEC
project) in the title or lead, or twice; else a tracked item in the title or opening paragraphs, in several
paragraphs, or under a headline naming its kind or China. A headline about crime, protest, refugees, sport,
showbiz, weather or wildlife is never on topic, and its tracked names count only when CPEC itself is named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from cpec_watch.parsers.items import Catalogue, find_mentions

DEFAULT_TERMS = (
    "CPEC",
    "China-Pakistan Economic Corridor",
    "Pak-China Economic Corridor",
    "Gwadar",
    "ML-1",
    "Main Line-1",
    "Rashakai",
    "Dhabeji",
    "Allama Iqbal Industrial City",
    "Alama Iqbal Industrial City",
    "Khunjerab",
    "Special Economic Zone",
    "Joint Cooperation Committee",
)
_SEPARATORS = r"[\s\-\u2010-\u2015]*"
_PARTS = re.compile(r"[^\W_]+|[^\w\s\-\u2010-\u2015]", re.UNICODE)


@dataclass(frozen=True)
class RelevanceRules:
    """The terms that make an article relevant, compiled into one regex."""

    terms: tuple[str, ...]
    pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        alternatives = sorted({_term_pattern(term) for term in self.terms} - {""}, key=len, reverse=True)
        pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})s?(?!\w)", re.IGNORECASE) if alternatives else None
        object.__setattr__(self, "pattern", pattern)

    @classmethod
    def from_terms(cls, terms: Iterable[str]) -> RelevanceRules:
        """Rules for ``terms`` (blank ones and repeats dropped, order kept)."""
        return cls(terms=tuple(dict.fromkeys(term.strip() for term in terms if term.strip())))

    def matches(self, *texts: str) -> bool:
        """True when any of ``texts`` mentions a term."""
        return self.pattern is not None and any(self.pattern.search(text) for text in texts if text)

    def count(self, text: str) -> int:
        """How many times ``text`` mentions a term."""
        return len(self.pattern.findall(text)) if self.pattern is not None and text else 0


def _term_pattern(term: str) -> str:
    """``term`` as a regex: its words and symbols escaped, joined by optional space/hyphen runs."""
    return _SEPARATORS.join(re.escape(part) for part in _split_alnum(_PARTS.findall(term)))


def _split_alnum(parts: list[str]) -> list[str]:
    """Split letter-digit boundaries inside a word ("ML1" -> "ML", "1") so that "ML-1" also matches "ML 1"."""
    pieces = []
    for part in parts:
        pieces.extend(re.findall(r"\d+|[^\W\d_]+|.", part))
    return pieces


# CPEC by name, and named CPEC projects the catalogue does not track: one of these in the title or lead (or two
# anywhere) settles the verdict.
ANCHOR_TERMS = (
    "CPEC", "China-Pakistan Economic Corridor", "Pakistan-China Economic Corridor", "Pak-China Economic Corridor",
    "Gwadar East Bay", "East Bay Expressway", "Gwadar Free Zone", "Gwadar Port Free Zone", "Havelian-Thakot",
    "Thakot-Havelian", "Multan-Sukkur Motorway", "Sukkur-Multan Motorway", "Karot Hydropower", "Suki Kinari",
    "Matiari-Lahore", "Sahiwal Coal", "Port Qasim Coal",
)  # fmt: skip

# What the corridor is about, by catalogue category ("any" for every kind). A title or summary naming one of these
# is on topic ("maybe": read the page); a headline naming an item's kind makes that item meaningful wherever the
# body names it. Cricket, weather, showbiz, crime and court stories match none of them.
TOPICS: dict[str, tuple[str, ...]] = {
    "any": (
        "China", "Chinese", "Beijing", "Sino", "Pak-China", "corridor", "Belt and Road", "BRI", "Silk Road",
        "groundbreaking", "foundation stone", "work begins", "work starts", "construction", "inaugurate",
        "inaugurated", "inauguration", "project", "megaproject", "infrastructure", "Balochistan", "Gilgit-Baltistan",
        "BOI", "Board of Investment", "NDRC", "planning", "Ahsan Iqbal", "ECNEC", "CDWP",
    ),
    "sez": (
        "economic zone", "industrial zone", "special zone", "free zone", "development zone", "SEZ", "industrial estate",
        "industrial park", "industrial city", "Nowshera", "Naushehra", "Faisalabad", "Sahianwala", "FIEDMC",
        "KPEZDMC", "Dhabeji", "Bostan", "Boostan",
    ),
    "industry": ("industrial cooperation", "steel mill", "steel industry", "PSM", "coastal zone", "development zone"),
    "digital": ("STZ", "STZA", "technology zone", "technology park", "technopolis", "cable", "optical fibre"),
    "rail": ("rail", "railway", "train", "track", "freight", "cargo"),
    "port": ("port", "seaport", "shipping", "cargo", "airport", "Gwadar"),
    "border": ("border crossing", "border market", "border trade", "crossing", "Khunjerab", "Sost", "Torkham"),
    "road": ("motorway", "highway", "expressway", "road section", "Karakoram", "Karakorum", "KKH", "NHA"),
    "energy": (
        "hydropower", "hydroelectric", "hydel", "HPP", "power project", "power plant", "power station",
        "energy project", "coal power", "transmission line", "Azad Pattan", "Kohala", "Azad Jammu and Kashmir",
        "AJ&K", "AJK",
    ),
    "mining": ("mining", "mineral", "Chaghi", "Chagai", "Reko Diq"),
}  # fmt: skip
TOPICAL_TERMS = tuple(term for terms in TOPICS.values() for term in terms)

# Headline words of stories about something else, whatever place they name: crime, courts, protest, refugees,
# accidents, sport, showbiz, weather and wildlife.
OFF_TOPIC_TERMS = (
    "police", "policeman", "policemen", "murder", "robbery", "kidnapping", "kidnapped", "bail", "verdict",
    "acquitted", "convicted", "sentenced", "protest", "protester", "sit-in", "trawler", "trawling", "refugee",
    "deportation", "deported", "deportee", "derail", "derailed", "cricket", "T20", "T20I", "ODI", "wicket",
    "box office", "film", "actress", "singer", "drama serial", "heat wave", "Met Office", "snow leopard", "wildlife",
)  # fmt: skip

ANCHORS = RelevanceRules.from_terms(ANCHOR_TERMS)
TOPICAL = RelevanceRules.from_terms(TOPICAL_TERMS)
KINDS = {kind: RelevanceRules.from_terms(terms) for kind, terms in TOPICS.items() if kind != "any"}
OFF_TOPIC = RelevanceRules.from_terms(OFF_TOPIC_TERMS)
CHINA = RelevanceRules.from_terms(["China", "Chinese", "Beijing"])
OPENING_PARAGRAPHS = 3  # a tracked item named in the title or the first three paragraphs is what the story is about


@dataclass(frozen=True)
class Relevance:
    """The relevance decision for one entry, and whether its page had to be read to make it."""

    relevant: bool
    read_page: bool


def screen(title: str, summary: str, catalogue: Catalogue, rules: RelevanceRules) -> str:
    """``"yes"`` (the entry names CPEC or a tracked item), ``"maybe"`` (on topic: read the page) or ``"no"``.

    On topic: a topical term, or a tracked item's ambiguous name without its context ("Kohat", "KCR"), under a
    headline that is not off topic. The catalogue's false friends ("Khunjerab National Park") count as neither.
    """
    if _anchors(rules).matches(title, summary) or find_mentions(f"{title}\n\n{summary}", catalogue):
        return "yes"
    false_friends = _rules(catalogue.ignore).pattern
    if false_friends is not None:
        title, summary = false_friends.sub(" ", title), false_friends.sub(" ", summary)
    if rules.matches(title, summary):
        return "yes"
    ambiguous = _rules(tuple(alias for item in catalogue.items for alias in item.weak_aliases))
    topical = TOPICAL.matches(title, summary) or ambiguous.matches(title, summary)
    return "maybe" if topical and not OFF_TOPIC.matches(title) else "no"


def is_about_cpec(title: str, body: str, catalogue: Catalogue, rules: RelevanceRules) -> bool:
    """The full text's verdict: CPEC named in the title or lead (or twice), else a tracked item named meaningfully.

    A tracked item is meaningful in the title or the opening paragraphs, in two paragraphs or more, or anywhere
    when the headline names its kind ("Railways ..." and a rail item) or the title or lead names China; never
    under an off-topic headline. ``body`` is the paragraphs joined by blank lines.
    """
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", body) if part.strip()]
    lead = paragraphs[0] if paragraphs else ""
    anchors = _anchors(rules)
    if anchors.matches(title, lead) or sum(anchors.count(part) for part in paragraphs) >= 2:
        return True
    if OFF_TOPIC.matches(title):
        return False
    mentions = [find_mentions(text, catalogue) for text in [title, *paragraphs]]
    # A headline using an item's name in another sense (an ignored name, an excluded context) makes it incidental.
    titled = {mention.slug for mention in mentions[0]}
    other = {item.slug for item in catalogue.items if item.slug not in titled and _rules(item.aliases).matches(title)}
    named = [(i, found) for i, found in enumerate([m for m in ms if m.slug not in other] for ms in mentions) if found]
    if not named:
        return False
    if named[0][0] <= OPENING_PARAGRAPHS or len(named) >= 2:
        return True
    kinds = {catalogue.item(mention.slug).category for mention in named[0][1]}
    return CHINA.matches(title, lead) or any(KINDS[kind].matches(title) for kind in kinds & KINDS.keys())


def _anchors(rules: RelevanceRules) -> RelevanceRules:
    """CPEC's names and projects, plus any terms ``rules`` adds to :data:`DEFAULT_TERMS` (a user's own)."""
    return _rules((*ANCHOR_TERMS, *(term for term in rules.terms if term not in DEFAULT_TERMS)))


@lru_cache(maxsize=256)
def _rules(terms: tuple[str, ...]) -> RelevanceRules:
    """Rules for ``terms``, compiled once (catalogue names and a user's terms recur on every entry)."""
    return RelevanceRules.from_terms(terms)


def judge(
    title: str,
    summary: str,
    body: str,
    catalogue: Catalogue,
    rules: RelevanceRules | None = None,
    *,
    topical: bool = False,
) -> Relevance:
    """Screen the entry (unless the feed is ``topical``: all its entries are read), then judge the page's text."""
    rules = rules or RelevanceRules.from_terms(DEFAULT_TERMS)
    verdict = "maybe" if topical else screen(title, summary, catalogue, rules)
    if verdict == "no":
        return Relevance(False, False)
    return Relevance(is_about_cpec(title, body, catalogue, rules), True)
