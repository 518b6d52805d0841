"""Event signatures: what, beyond its words, says that two articles report one event.

Outlets that rewrite one press release or wire story change its words (a reworded lead, a trimmed body, another
headline) but keep the event: the day, the people and bodies named ("Ahsan Iqbal", "Planning Commission"), the
figures ("$9.85bn", "2,000 investors", "1,124 MW") and, less reliably, the headline's key words. Two different
events of one project in one week share the project's words but not, as a rule, its figures and names.

:func:`signature` reads these from a text; :func:`event_score` weighs them with the content-word Jaccard of the
two texts into one score for articles dated within ``EVENT_DAYS`` of each other. The weights are a logistic
regression fitted on the labeled development pairs (``tests/support/story_quality.py``), rounded; the threshold
is where that fit made two false pairs in a thousand. Undated articles, or those further apart, are judged by
their words alone (``TEXT_ONLY_THRESHOLD``).

:func:`event_keys` are the few names and figures of the lead, each with the day: stored in the story key index
beside the MinHash bands, they find a reworded copy that shares too few words to share a band.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta

from cpec_watch.parsers.dedup import shingles

EVENT_DAYS = 3  # copies of one event dated this far apart are judged on their event signature too
EVENT_THRESHOLD = 5.5  # 10 J + 2.5 names + 4.5 figures + 5 headline reaching this: one story
TEXT_ONLY_THRESHOLD = 0.3  # content-word Jaccard from which undated (or further apart) articles are one story
KEYS = 2  # names, and as many figures, of the lead that become index keys
LEAD = 2000  # characters of the text read for names and figures: the lead holds the event
_WEIGHTS = (10.0, 2.5, 4.5, 5.0)  # Jaccard of: content words, names, figures, headline words
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class Signature:
    """The names (runs of capitalized words), figures and headline words of an article."""

    names: frozenset[str]
    figures: frozenset[str]
    headline: frozenset[str]
    lead: tuple[str, ...]  # the first names and figures, in order: the index keys


def signature(text: str, title: str | None = None) -> Signature:
    """The event signature of an article's text (its first LEAD characters) and headline."""
    text = text[:LEAD]
    names = [" ".join(found.split()) for found in _NAME.findall(text)]
    figures = [found.replace(",", "").rstrip(".") for found in _NUMBER.findall(text)]
    lead = [f"n:{name.casefold()}" for name in names[:KEYS]]
    lead += [f"f:{figure}" for figure in figures if len(figure) > 1 and not _YEAR.fullmatch(figure)][:KEYS]
    return Signature(frozenset(names), frozenset(figures), shingles(title or ""), tuple(dict.fromkeys(lead)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def event_score(words: float, a: Signature, b: Signature) -> float:
    """The weighted evidence that two articles dated within EVENT_DAYS report one event (``words``: their
    content-word Jaccard); one story from EVENT_THRESHOLD."""
    parts = (words, jaccard(a.names, b.names), jaccard(a.figures, b.figures), jaccard(a.headline, b.headline))
    return sum(weight * part for weight, part in zip(_WEIGHTS, parts, strict=True))


def same_story(words: float, a: Signature, b: Signature, days_apart: int | None) -> float | None:
    """How strongly two articles are one story, as a score comparable among candidates, or None when not.

    ``days_apart`` is None when either is undated: then only the words decide, as they do beyond EVENT_DAYS.
    """
    if days_apart is not None and days_apart <= EVENT_DAYS:
        score = event_score(words, a, b)
        return score if score >= EVENT_THRESHOLD else None
    return 10 * words if words >= TEXT_ONLY_THRESHOLD else None


def event_keys(sig: Signature, day: date, spread: int = 0) -> tuple[str, ...]:
    """Index keys ``"ev:<hash of name or figure>:<day>"`` for the lead's names and figures, on ``day`` and the
    ``spread`` days either side (a lookup spans EVENT_DAYS; an article is stored under its own day)."""
    hashed = [hashlib.blake2b(token.encode("utf-8"), digest_size=6).hexdigest() for token in sig.lead]
    days = [day + timedelta(days=offset) for offset in range(-spread, spread + 1)]
    return tuple(f"ev:{token}:{when.isoformat()}" for token in hashed for when in days)
