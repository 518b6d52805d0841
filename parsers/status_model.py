"""The rules' claims about an item's status, and the claim the rules alone would choose.

The rules' choice follows ``../shared/STATUS-GUIDE.md``: the headline and the lead carry the news, so the earliest
place an item's state is read wins (headline, lead, then the rest of the article); there, a state reported now
beats one set in the past ("in 2020", "years ago") and a reported state beats a future one ("will be opened");
what is left is settled by the rules' precedence. It is no longer the decider: it is one feature of the trained
reader (``parsers/status_reader.py``), beside the claims themselves and the words around the item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
