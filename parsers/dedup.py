"""Duplicate stories: exact (content hash) and near (MinHash over content words, LSH bands for lookup).

Shingles are the distinct content words of a text (casefolded, possessive ``'s`` and English stopwords removed,
one-character tokens dropped). On the seeds this set separates best once banded: two outlets' rewrites of one story
(002/003) have Jaccard 0.36 while every other seed pair is <= 0.15; unigram+bigram sets give 0.22 vs <= 0.08,
a larger ratio but values so low that banding them would need hundreds of bands.

The signature has ``NUM_PERM`` = ``BANDS`` x ``ROWS`` minima of universal hashes ``(a*x + b) mod (2**61 - 1)``
over blake2b shingle hashes, with fixed parameters, so fingerprints are the same in every process. Two texts share
a band key with probability ``1 - (1 - J**ROWS)**BANDS``: 0.95 at J = 0.36, 0.19 at J = 0.15, 0.06 at J = 0.10.
Candidates found through band keys are then confirmed with ``similarity(...) >= SAME_STORY_THRESHOLD``.

The minima are computed with numpy over every (permutation, word) pair at once (``parsers/minhash.py``), to the
same values as the plain Python formula (tests/test_dedup.py checks), so stored signatures stay valid.
"""

from __future__ import annotations

import hashlib
import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

BANDS = 64
ROWS = 3
NUM_PERM = BANDS * ROWS
SAME_STORY_THRESHOLD = 0.25
_PRIME = (1 << 61) - 1
_SEED = b"cpec-watch/minhash/v1"

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "ago",
        "all",
        "also",
        "am",
        "among",
        "an",
        "and",
        "another",
        "any",
        "are",
        "around",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "including",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "last",
        "least",
        "less",
        "like",
        "made",
        "make",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "near",
        "neither",
        "next",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "one",
        "only",
        "onto",
        "or",
        "other",
        "others",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "put",
        "said",
        "same",
        "say",
        "saying",
        "says",
        "she",
        "should",
        "since",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "well",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "added",
        "told",
        "according",
        "noted",
        "stated",
        "expressed",
    ]
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


@dataclass(frozen=True)
class Fingerprint:
    """A MinHash signature and its LSH band keys (``"BB:hex"``, band index first); empty for texts without words."""

    signature: tuple[int, ...]
    bands: tuple[str, ...]

    @cached_property
    def stored(self) -> list[str]:
        """The signature's values as stored (space-separated in the article row), split."""
        return [str(value) for value in self.signature]


def _parameters() -> tuple[tuple[int, int], ...]:
    params = []
    for index in range(NUM_PERM):
        digest = hashlib.blake2b(index.to_bytes(4, "big"), digest_size=16, key=_SEED).digest()
        a = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
        b = int.from_bytes(digest[8:], "big") % _PRIME
        params.append((a, b))
    return tuple(params)


_PERMUTATIONS = _parameters()


def shingles(text: str) -> frozenset[str]:
    """The content words of ``text``."""
    normalized = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    words = (word[:-2] if word.endswith("'s") else word for word in _WORD.findall(normalized))
    return frozenset(word for word in words if len(word) > 1 and word not in STOPWORDS)


def fingerprint(text: str) -> Fingerprint:
    """MinHash fingerprint of ``text``."""
    hashes = [
        int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big") % _PRIME
        for word in shingles(text)
    ]
    if not hashes:
        return Fingerprint(signature=(), bands=())
    from cpec_watch.parsers.minhash import minima  # numpy: imported by what fingerprints, not by every command

    signature = minima(hashes, _PERMUTATIONS, _PRIME)
    return Fingerprint(signature=signature, bands=_band_keys(b"".join(v.to_bytes(8, "big") for v in signature)))


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0.0 when either has none)."""
    if not a.signature or not b.signature:
        return 0.0
    if len(a.signature) != len(b.signature):
        raise ValueError("fingerprints made with different MinHash parameters")
    same: int = sum(map(operator.eq, a.signature, b.signature))  # operator.eq is typed to return Any
    return same / len(a.signature)


def stored_similarity(a: Fingerprint, stored: str) -> float:
    """:func:`similarity` against a signature as stored (space-separated values)."""
    other = stored.split()
    if not a.signature or not other:
        return 0.0
    if len(other) != len(a.signature):
        raise ValueError("fingerprints made with different MinHash parameters")
    same: int = sum(map(operator.eq, a.stored, other))
    return same / len(other)


def content_hash(text: str) -> str:
    """SHA-256 hex of the text casefolded, punctuation and symbols turned to spaces, whitespace collapsed."""
    kept = unicodedata.normalize("NFKC", text).casefold().translate(_SEPARATORS)
    return hashlib.sha256(" ".join(kept.split()).encode("utf-8")).hexdigest()


class _Separators(dict[int, str]):
    """A ``str.translate`` table turning punctuation, symbols, separators and controls into spaces, filled lazily."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = value = " " if unicodedata.category(char)[0] in "PSZC" else char
        return value


_SEPARATORS = _Separators()


def _band_keys(packed: bytes) -> tuple[str, ...]:
    """Band keys of a signature packed as big-endian 8-byte values, ``ROWS`` values per band."""
    width = 8 * ROWS
    return tuple(
        f"{band:02d}:{hashlib.blake2b(packed[band * width : (band + 1) * width], digest_size=6).hexdigest()}"
        for band in range(BANDS)
    )
