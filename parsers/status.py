"""What an article says about each tracked item: its status now, how sure that reading is, and the evidence.

Two steps, both pure:

1. **Claims.** Status cues (data: ``config/status_rules.toml``, whose header explains them) are searched in the
   sentences that mention an item, and in sentences that refer back to one: the lead's sentences that name no item
   refer to what the headline names ("Gwadar airport: a gateway to trade" / "The airport was inaugurated on
   Monday"), and a sentence opening with "It", "The project", "This zone"... refers to the items of the sentence
   before. Each cue goes to the mention it belongs to; a negated cue ("has not been approved") or an earlier state
   ("after remaining shut") is dropped; a future cue ("will be inaugurated next month") takes the state before it.
   A claim records its status and where it was read: headline, lead, second paragraph or body; directly or by
   reference; future or not.
2. **Reading** (``parsers/status_reader.py``): the claims, with the rules' own choice (the earliest place the
   state is read, current over past, reported over planned, then the rules' precedence: ``parsers/status_model.py``)
   and the words around the item, are the features of a trained reader that gives the status and its calibrated
   probability (the update's ``confidence``) and picks the evidence sentence.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources

from cpec_watch.models import Status, Update
from cpec_watch.parsers.items import Catalogue, Mention, TrackedItem, find_mentions, split_sentences
from cpec_watch.parsers.quantities import find_amounts, find_times
from cpec_watch.parsers.status_model import Claim
from cpec_watch.parsers.status_reader import passages, read

STATUSES = tuple(Status)  # in the guide's order, `mentioned` last
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
LEAD_SENTENCES = 2  # sentences of the first paragraph that refer to the headline's items when they name none


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
    past: re.Pattern[str]
    current: re.Pattern[str]
    reference: re.Pattern[str]
    anchors: Catalogue


@dataclass(frozen=True)
class _Cue:
    rule: _Rule
    status: str
    start: int
    end: int
    future: bool
    tense: str  # past | current | plain: what the words around the cue set it in


@dataclass(frozen=True)
class _Group:
    """Mentions joined by "and"/commas, in sentence coordinates; ``oblique`` when a preposition's object."""

    start: int
    end: int
    slugs: tuple[str, ...]
    oblique: bool


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
        re.compile(data["past"], flags),
        re.compile(data["current"], flags),
        re.compile(data["reference"], flags),
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
            future = bool(rules.future.search(lookback))
            status = rule.if_future if future else rule.status
            window = f"{clause} {text[match.end() : match.end() + 40]}"
            tense = "current" if rules.current.search(clause) else "past" if rules.past.search(window) else "plain"
            if status:
                found.append(_Cue(rule, status, match.start(), match.end(), future, tense))
    return found


def precedence(status: str) -> int:
    """Rank of ``status`` in the rules' precedence (0 = cancelled, the strongest); ``mentioned`` ranks last."""
    return _load().rank.get(status, len(STATUSES))


def updates_finder(catalogue: Catalogue) -> Callable[[str | None, Sequence[str]], list[Update]]:
    """:func:`item_updates` bound to a catalogue: (title, paragraphs) -> updates, as storage's tracking takes it."""
    return partial(item_updates, catalogue=catalogue)


def item_updates(title: str | None, paragraphs: Sequence[str], catalogue: Catalogue) -> list[Update]:
    """One update per item the article names, in order of first mention, with its status and confidence."""
    updates = []
    found = passages(title, paragraphs, catalogue)
    for slug, claims in article_claims(title, paragraphs, catalogue).items():
        reading = read(slug, found.get(slug, []), claims, catalogue, precedence)
        status, evidence = Status(reading.status), reading.evidence
        updates.append(
            Update(slug, status, evidence, find_times(evidence), find_amounts(evidence), reading.probability)
        )
    return updates


def article_claims(title: str | None, paragraphs: Sequence[str], catalogue: Catalogue) -> dict[str, list[Claim]]:
    """Every claim per item, in reading order; each item's first claim is its first mention (``mentioned``)."""
    found: dict[str, list[Claim]] = {}
    blocks = ([title] if title else []) + list(paragraphs)
    headline: list[_Group] = []
    for number, block in enumerate(blocks):
        where = _where(number, has_title=bool(title))
        groups = _scan_block(block, where, catalogue, found, headline if where == "lead" else [])
        if where == "title":
            headline = groups
    return found


def _where(number: int, *, has_title: bool) -> str:
    paragraph = number - 1 if has_title else number
    return "title" if paragraph < 0 else ("lead", "second")[paragraph] if paragraph < 2 else "body"


def _scan_block(
    block: str, where: str, catalogue: Catalogue, found: dict[str, list[Claim]], headline: list[_Group]
) -> list[_Group]:
    """Claims of one paragraph (or the headline); returns the groups of its first sentence naming an item."""
    spans = split_sentences(block)
    per_sentence: list[list[Mention]] = [[] for _ in spans]
    for mention in find_mentions(block, catalogue, _load().anchors):
        index = next(i for i, (a, b) in enumerate(spans) if a <= mention.start < b)
        per_sentence[index].append(mention)
    first: list[_Group] = []
    previous: list[_Group] = []
    for index, ((start, end), mentions) in enumerate(zip(spans, per_sentence, strict=True)):
        sentence = block[start:end]
        if any(m.slug for m in mentions):
            groups = _groups(sentence, sorted(mentions, key=lambda m: m.start), start)
            for slug in (m.slug for m in mentions if m.slug):
                found.setdefault(slug, [Claim("mentioned", where, "direct", False, sentence)])
            for cue in _cues(sentence):
                _credit(catalogue, groups, cue, sentence, where, "direct", found)
            first, previous = first or groups, groups
            continue
        if mentions:  # only CPEC itself: it refers back to nothing
            previous = []
            continue
        referred = previous if previous and _load().reference.search(sentence) else []
        how = "reference"
        if not referred and headline and index < LEAD_SENTENCES:
            referred, how = headline, "headline"
        if not referred:  # no item to credit a cue to
            continue
        for cue in _cues(sentence):
            # the referred-to mentions stand just before the sentence
            _credit(catalogue, [_Group(-1, -1, g.slugs, False) for g in referred], cue, sentence, where, how, found)
    return first


def _groups(sentence: str, mentions: list[Mention], offset: int) -> list[_Group]:
    """Mentions joined by "and"/commas (no cue between), in sentence coordinates."""
    groups: list[_Group] = []
    for mention in mentions:
        start, end = mention.start - offset, mention.end - offset
        if groups:
            gap = sentence[groups[-1].end : start]
            words = _WORD.findall(gap)
            if not words or (len(words) <= 6 and _CONNECTOR.search(gap) and not _cues(gap)):
                last = groups.pop()
                groups.append(_Group(last.start, end, (*last.slugs, mention.slug), last.oblique))
                continue
        before = [w.lower() for w in _WORD.findall(sentence[:start])[-3:]]
        while before and before[-1] in _DETERMINERS:
            before.pop()
        groups.append(_Group(start, end, (mention.slug,), bool(before) and before[-1] in _PREPOSITIONS))
    return groups


def _credit(
    catalogue: Catalogue,
    groups: list[_Group],
    cue: _Cue,
    sentence: str,
    where: str,
    how: str,
    found: dict[str, list[Claim]],
) -> None:
    """Give ``cue`` to the group it belongs to: the one it directly precedes ("the proposed corridor"), else one
    it overlaps, else the nearest earlier group that is not a preposition's object, else the nearest."""

    def accepts(group: _Group) -> bool:
        return any(not s or cue.rule.applies(s, catalogue.item(s).category) for s in group.slugs)

    candidates = [g for g in groups if accepts(g)]
    ahead = [
        g
        for g in candidates
        if g.start >= cue.end
        and len(_WORD.findall(sentence[cue.end : g.start])) <= 3
        and not re.search(r"[,;:]", sentence[cue.end : g.start])
    ]
    overlapping = [g for g in candidates if g.start < cue.end and g.end > cue.start]
    earlier = [g for g in candidates if g.end <= cue.start]
    direct = [g for g in earlier if not g.oblique]
    later = [g for g in candidates if g.start >= cue.end]
    chosen = ahead[:1] or overlapping[:1] or direct[-1:] or earlier[-1:] or later[:1]
    for group in chosen:
        for slug in group.slugs:
            if slug and cue.rule.applies(slug, catalogue.item(slug).category):
                found.setdefault(slug, [Claim("mentioned", where, how, False, sentence)])
                found[slug].append(Claim(cue.status, where, how, cue.future, sentence, cue.tense))


def excerpt(evidence: str, slug: str, catalogue: Catalogue, width: int = 160) -> str:
    """The part of an evidence sentence that holds the item and its status cue, about ``width`` characters."""
    text = " ".join(evidence.split())
    if len(text) <= width:
        return text
    mentions = [m for m in find_mentions(text, catalogue) if m.slug == slug]
    if not mentions:
        return text[: width - 1].rsplit(" ", 1)[0] + "…"
    mention = mentions[0]
    nearest = sorted(_cues(text), key=lambda c: min(abs(c.start - mention.end), abs(mention.start - c.end)))[:1]
    start = min([mention.start, *(c.start for c in nearest if c.end - mention.start < width)])
    end = max([mention.end, *(c.end for c in nearest if mention.end - c.start < width)])
    slack = max(0, width - (end - start))
    start, end = max(0, start - slack // 2), min(len(text), end + slack - slack // 2)
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")
