"""The status an article gives an item, chosen from its claims, and how sure that reading is.

The choice follows ``../shared/STATUS-GUIDE.md``: the headline and the lead carry the news, so the earliest place
an item's state is read wins (headline, lead, then the rest of the article); there, a state reported now beats one
set in the past ("in 2020", "years ago") and a reported state beats a future one ("will be opened"); what is left
is settled by the rules' precedence (a halt or a delay is news over a routine state). Measured on our labeled
development articles this beat both the old precedence-only choice and a linear model trained on the same facts
(5-fold cross-validation), so the rule is kept simple.

Confidence is calibrated, not guessed: the share of development items whose status was read right when the
winning claim was found in the same place and tense (``config/status_confidence.json``, written by
``python3 tasks.py calibrate-status``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

MENTIONED = "mentioned"
WHERE = ("title", "lead", "second", "body")


@dataclass(frozen=True)
class Claim:
    """One reading of an item's status in an article: the status, where and how it was read, the sentence."""

    status: str
    where: str  # title | lead | second | body
    how: str  # direct | headline (a lead sentence about the headline's item) | reference ("It", "The project")
    future: bool  # read from a future-tense cue ("will be inaugurated")
    evidence: str
    tense: str = "plain"  # past ("in 2020", "years ago") | current ("but", "now") | plain


def winner(claims: Sequence[Claim], rank: Callable[[str], int]) -> Claim | None:
    """The claim that sets the item's status (None when nothing but mentions was read)."""
    informative = [c for c in claims if c.status != MENTIONED]
    if not informative:
        return None
    return min(
        informative,
        key=lambda c: (min(WHERE.index(c.where), 2), c.tense == "past", c.future, rank(c.status)),
    )


def bucket(claim: Claim | None) -> str:
    """The calibration bucket of a winning claim: where it was read and whether only as a plan or the past."""
    if claim is None:
        return MENTIONED
    return f"{claim.where}:{'future' if claim.future else 'past' if claim.tense == 'past' else 'reported'}"


def choose(claims: Sequence[Claim], rank: Callable[[str], int]) -> tuple[str, float]:
    """The article's status for the item, and how often that kind of reading was right on our labeled set."""
    best = winner(claims, rank)
    table = _confidence()
    return (best.status if best else MENTIONED), table.get(bucket(best), table["default"])


@cache
def _confidence() -> dict[str, float]:
    text = resources.files("cpec_watch.config").joinpath("status_confidence.json").read_text(encoding="utf-8")
    return dict(json.loads(text)["confidence"])


def calibrate(examples: Iterable[tuple[Sequence[Claim], str]], rank: Callable[[str], int]) -> dict[str, float]:
    """Per bucket, the share of labeled (claims, status) examples read right (add-one smoothed), and overall."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for claims, label in examples:
        best = winner(claims, rank)
        key = bucket(best)
        total[key] += 1
        right[key] += (best.status if best else MENTIONED) == label
    table = {key: round((right[key] + 1) / (total[key] + 2), 2) for key in sorted(total)}
    table["default"] = round((sum(right.values()) + 1) / (sum(total.values()) + 2), 2)
    return table
