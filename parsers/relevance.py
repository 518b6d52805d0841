"""Is an article about CPEC? One case-insensitive regex over a list of terms.

A term matches as whole words; between its words (or letters and digits, as in ``ML-1``) any run of spaces or
hyphens or none at all is accepted, so "China-Pakistan Economic Corridor", "China Pakistan Economic Corridor"
and "ML1" match; a trailing plural ``s`` is accepted ("SEZs"). Terms are escaped, so any catalogue name is safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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


def _term_pattern(term: str) -> str:
    """``term`` as a regex: its words and symbols escaped, joined by optional space/hyphen runs."""
    return _SEPARATORS.join(re.escape(part) for part in _split_alnum(_PARTS.findall(term)))


def _split_alnum(parts: list[str]) -> list[str]:
    """Split letter-digit boundaries inside a word ("ML1" -> "ML", "1") so that "ML-1" also matches "ML 1"."""
    pieces = []
    for part in parts:
        pieces.extend(re.findall(r"\d+|[^\W\d_]+|.", part))
    return pieces
