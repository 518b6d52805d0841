"""What an article says about each tracked item: status, evidence, time expressions and amounts.

Rules are data (config/status_rules.toml, whose header explains them in full). In short: status cues are searched
in the sentences that mention an item (plus a following sentence that refers back: "Work on this project has
already begun"); each cue goes to the mention it belongs to (the one it directly precedes, else the nearest earlier
non-prepositional mention, else the nearest); a negated cue ("has not been approved") is dropped, a cue after
"after/following" is an earlier state and dropped, a future cue ("will be launched in September") takes its rule's
`if_future` status. Precedence, first wins:

    cancelled > stalled > delayed > meeting-held > inaugurated > operational > completed > groundbreaking
    > under-construction > financing > approved > under-review > proposed > mentioned

meeting-held applies only to committees (a forthcoming meeting is "proposed"); committees never take
construction, financing or approval statuses.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources

from cpec_watch.models import Update
from cpec_watch.parsers.dates import MONTH_NAME
from cpec_watch.parsers.items import Catalogue, Mention, TrackedItem, find_mentions, split_sentences

STATUSES = (
    "proposed",
    "under-review",
    "approved",
    "financing",
    "groundbreaking",
    "under-construction",
    "completed",
    "inaugurated",
    "operational",
    "delayed",
    "stalled",
    "cancelled",
    "meeting-held",
    "mentioned",
)
_PREPOSITIONS = frozenset(
    [
        "with",
        "to",
        "from",
        "at",
        "in",
        "on",
        "for",
        "into",
        "near",
        "between",
        "linking",
        "connecting",
        "under",
        "towards",
        "via",
        "through",
        "across",
        "along",
        "inside",
    ]
)
_DETERMINERS = frozenset(["the", "a", "an", "its", "their", "this", "that"])
_WORD = re.compile(r"[^\W_]+")
_CLAUSE_BREAK = re.compile(r".*[,;:()\u2013\u2014]", re.DOTALL)
_CONNECTOR = re.compile(r"\band\b|\bor\b|,|&")


@dataclass(frozen=True)
class _Rule:
    status: str
    pattern: re.Pattern[str]
    only: frozenset[str]  # categories or slugs; empty = all
    skip: frozenset[str]
    if_future: str | None  # None drops a future cue

    def applies(self, slug: str, category: str) -> bool:
        return (not self.only or bool(self.only & {slug, category})) and not self.skip & {slug, category}


@dataclass(frozen=True)
class _Rules:
    rules: tuple[_Rule, ...]
    rank: dict[str, int]
    lookback: int
    negation: re.Pattern[str]
    before: re.Pattern[str]
    future: re.Pattern[str]
    continuation: re.Pattern[str]
    anchors: Catalogue


@dataclass(frozen=True)
class _Cue:
    rule: _Rule
    status: str
    start: int
    end: int


@cache
def _load() -> _Rules:
    data = tomllib.loads(resources.files("cpec_watch.config").joinpath("status_rules.toml").read_text(encoding="utf-8"))
    flags = re.IGNORECASE
    rules = tuple(
        _Rule(
            status=rule["status"],
            pattern=re.compile("|".join(f"(?:{cue})" for cue in rule["cues"]), flags),
            only=frozenset(rule.get("categories", ())),
            skip=frozenset(rule.get("skip_categories", ())),
            if_future=rule.get("if_future", rule["status"]) or None,
        )
        for rule in data["rules"]
    )
    unknown = {r.status for r in rules} - set(STATUSES)
    if unknown or set(data["precedence"]) != set(STATUSES) - {"mentioned"}:
        raise ValueError(f"status_rules.toml: unknown or missing statuses {unknown or data['precedence']}")
    anchors = Catalogue((TrackedItem("", "anchor", tuple(data["anchors"]), category="anchor"),))
    return _Rules(
        rules,
        {s: i for i, s in enumerate(data["precedence"])},
        data["lookback_words"],
        re.compile(data["negation"], flags),
        re.compile(data["before"], flags),
        re.compile(data["future"], flags),
        re.compile(data["continuation"], flags),
        anchors,
    )


def _cues(text: str) -> list[_Cue]:
    rules = _load()
    found = []
    for rule in rules.rules:
        for match in rule.pattern.finditer(text):
            clause = _CLAUSE_BREAK.sub("", text[: match.start()])
            lookback = " ".join(_WORD.findall(clause)[-rules.lookback :])
            if rules.negation.search(lookback) or rules.before.search(lookback):
                continue
            status = rule.if_future if rules.future.search(lookback) else rule.status
            if status:
                found.append(_Cue(rule, status, match.start(), match.end()))
    return found


def _best(statuses: list[str]) -> str:
    rank = _load().rank
    return min(statuses, key=rank.__getitem__, default="mentioned")


def classify(sentence_or_window: str, slug: str, category: str) -> str:
    """The status ``sentence_or_window`` gives an item: every cue applicable to its slug/category counts,
    the first in precedence wins."""
    return _best([c.status for c in _cues(sentence_or_window) if c.rule.applies(slug, category)])


def updates_finder(catalogue: Catalogue) -> Callable[[str | None, Sequence[str]], list[Update]]:
    """:func:`item_updates` bound to a catalogue: (title, paragraphs) -> updates, as storage's tracking takes it."""
    return partial(item_updates, catalogue=catalogue)


def item_updates(title: str | None, paragraphs: Sequence[str], catalogue: Catalogue) -> list[Update]:
    """One update per item mentioned in the article, in order of first mention, with its current status."""
    found: dict[str, list[tuple[str, str]]] = {}  # slug -> [(status, evidence)], first entry = first sentence
    for block in ([title] if title else []) + list(paragraphs):
        _scan_block(block, catalogue, found)
    updates = []
    for slug, claims in found.items():
        status = _best([s for s, _ in claims[1:]])
        evidence = next((e for s, e in claims[1:] if s == status), claims[0][1])
        updates.append(Update(slug, status, evidence, find_times(evidence), find_amounts(evidence)))
    return updates


def _scan_block(block: str, catalogue: Catalogue, found: dict[str, list[tuple[str, str]]]) -> None:
    spans = split_sentences(block)
    per_sentence: list[list[Mention]] = [[] for _ in spans]
    for mention in find_mentions(block, catalogue) + find_mentions(block, _load().anchors):
        index = next(i for i, (a, b) in enumerate(spans) if a <= mention.start < b)
        per_sentence[index].append(mention)
    for index, ((start, end), mentions) in enumerate(zip(spans, per_sentence, strict=False)):
        if not any(m.slug for m in mentions):
            continue
        sentence = block[start:end]
        groups = _groups(sentence, sorted(mentions, key=lambda m: m.start), start)
        for slug in (m.slug for m in mentions if m.slug):
            found.setdefault(slug, [("mentioned", sentence)])
        for cue in _cues(sentence):
            _credit(catalogue, groups, cue, sentence, sentence, found)
        following = spans[index + 1] if index + 1 < len(spans) else None
        if following and not per_sentence[index + 1] and _load().continuation.search(block[slice(*following)]):
            evidence = block[start : following[1]]
            for cue in _cues(block[slice(*following)]):
                _credit(
                    catalogue,
                    groups,
                    _Cue(cue.rule, cue.status, len(sentence) + 1, len(sentence) + 1),
                    sentence,
                    evidence,
                    found,
                )


def _groups(sentence: str, mentions: list[Mention], offset: int) -> list[tuple[int, int, tuple[str, ...], bool]]:
    """Mentions joined by "and"/commas (no cue between) as (start, end, slugs, oblique) in sentence coordinates."""
    groups: list[tuple[int, int, tuple[str, ...], bool]] = []
    for mention in mentions:
        start, end = mention.start - offset, mention.end - offset
        if groups:
            gap = sentence[groups[-1][1] : start]
            words = _WORD.findall(gap)
            if not words or (len(words) <= 6 and _CONNECTOR.search(gap) and not _cues(gap)):
                first = groups.pop()
                groups.append((first[0], end, first[2] + (mention.slug,), first[3]))
                continue
        before = [w.lower() for w in _WORD.findall(sentence[:start])[-3:]]
        while before and before[-1] in _DETERMINERS:
            before.pop()
        groups.append((start, end, (mention.slug,), bool(before) and before[-1] in _PREPOSITIONS))
    return groups


def _credit(catalogue, groups, cue: _Cue, sentence: str, evidence: str, found) -> None:
    """Give ``cue`` to the group it belongs to (see module docstring)."""

    def accepts(group) -> bool:
        return any(not s or cue.rule.applies(s, catalogue.item(s).category) for s in group[2])

    candidates = [g for g in groups if accepts(g)]
    ahead = [
        g
        for g in candidates
        if g[0] >= cue.end
        and len(_WORD.findall(sentence[cue.end : g[0]])) <= 3
        and not re.search(r"[,;:]", sentence[cue.end : g[0]])
    ]
    overlapping = [g for g in candidates if g[0] < cue.end and g[1] > cue.start]
    earlier = [g for g in candidates if g[1] <= cue.start]
    direct = [g for g in earlier if not g[3]]
    chosen = (
        ahead[:1] or overlapping[:1] or direct[-1:] or earlier[-1:] or [g for g in candidates if g[0] >= cue.end][:1]
    )
    for group in chosen:
        for slug in group[2]:
            if slug and cue.rule.applies(slug, catalogue.item(slug).category):
                found[slug].append((cue.status, evidence))


_MONTH = MONTH_NAME
_NUMBER = r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|a few|several)"
_UNIT = r"(?:days?|weeks?|months?|years?|decades?)"
_YEAR = r"(?:19|20)\d\d(?:-\d\d)?"
_RELATIVE = r"(?:next|last|this|coming|current|following) (?:year|month|week|fiscal year|financial year)"
_PART = r"(?:(?:early|mid|late)[\s-]+|the (?:end|start|beginning|middle|first half|second half) of )?"
_TIMES = re.compile(
    rf"\b(?:in|by|from|until|till|since|before|after|during|on|within|around|till)\s+{_PART}"
    rf"(?:{_MONTH}(?:\s*/\s*{_MONTH})?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+(?:{_YEAR}|{_RELATIVE}))?(?![\w-])"
    rf"|(?:FY\s?)?{_YEAR}\b|{_RELATIVE}\b)"
    rf"|\bwithin\s+(?:the\s+next\s+)?{_NUMBER}\s+{_UNIT}\b"
    rf"|\b{_NUMBER}\s+{_UNIT}\s+(?:before|after|ahead of)\s+(?:the\s+)?(?:deadline|schedule|target date|completion)\b"
    rf"|\b(?:for|from|over|in|during)\s+the\s+(?:last|past|next|coming)\s+(?:{_NUMBER}\s+)?{_UNIT}\b"
    rf"|\b(?:by|in|at)\s+the\s+end\s+of\s+(?:the\s+)?(?:year|month|{_RELATIVE}|{_YEAR})\b"
    rf"|\b{_RELATIVE}\b|\bahead of schedule\b|\bin recent years\b",
    re.IGNORECASE,
)
_SCALE = r"(?:\s?(?:billion|bn|million|mn|trillion|tn|crore|lakh|arab)\b)?"
_AMOUNTS = re.compile(
    rf"(?:\bUS\s?\$|\bUSD\s?|\bRs\.?\s?|\bPKR\s?|\bRMB\s?|\bCNY\s?|\$|¥|€|£)\s?\d[\d,]*(?:\.\d+)?{_SCALE}"
    rf"|\b\d[\d,]*(?:\.\d+)?{_SCALE}\s+(?:US\s+)?(?:dollars|rupees|yuan|renminbi|USD|PKR)\b",
    re.IGNORECASE,
)


def find_times(text: str) -> tuple[str, ...]:
    """Time expressions in ``text``, in order: "in September", "by 2030", "within two years", "next year"..."""
    return tuple(dict.fromkeys(m.group().strip().rstrip(".") for m in _TIMES.finditer(text)))


def find_amounts(text: str) -> tuple[str, ...]:
    """Money amounts in ``text``, in order: "$8.5 billion", "Rs85 billion", "US$ 6.8bn", "500 million dollars"."""
    return tuple(dict.fromkeys(m.group().strip() for m in _AMOUNTS.finditer(text)))
