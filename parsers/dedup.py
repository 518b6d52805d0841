"""Duplicate stories: exact (content hash) and near (MinHash over content words, LSH bands for lookup).

Shingles are the distinct content words of a text (casefolded, possessive ``'s`` and English stopwords removed,
one-character tokens dropped). On the seeds this set separates best once banded: two outlets' rewrites of one story
(002/003) have Jaccard 0.36 while every other seed pair is <= 0.15; unigram+bigram sets give 0.22 vs <= 0.08,
a larger ratio but values so low that banding them would need hundreds of bands.

The signature has ``NUM_PERM`` = ``BANDS`` x ``ROWS`` minima of universal hashes ``(a*x + b) mod (2**61 - 1)``
over blake2b shingle hashes, with fixed parameters, so fingerprints are the same in every process. Two texts share
a band key with probability ``1 - (1 - J**ROWS)**BANDS``: 0.95 at J = 0.36, 0.19 at J = 0.15, 0.06 at J = 0.10.
Candidates found through band keys are then confirmed with ``similarity(...) >= SAME_STORY_THRESHOLD``.

The minima are computed with numpy over every (permutation, word) pair at once, exactly: ``a*x`` (both below
2**61) is split into 32-bit halves so no product overflows 64 bits, and reduced with ``2**61 ≡ 1 (mod p)``. The
values are the same as those of the plain Python formula (tests/test_dedup.py checks), so stored signatures stay
valid.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

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
    values = _mod_prime(_mul_mod(_A, np.array(hashes, dtype=np.uint64)[None, :]) + _B).min(axis=1)
    return Fingerprint(signature=tuple(values.tolist()), bands=_band_keys(values.astype(">u8").tobytes()))


_P = np.uint64(_PRIME)
_A = np.array([a for a, _ in _PERMUTATIONS], dtype=np.uint64)[:, None]
_B = np.array([b for _, b in _PERMUTATIONS], dtype=np.uint64)[:, None]
_LOW32, _LOW29 = np.uint64(0xFFFFFFFF), np.uint64((1 << 29) - 1)
_S3, _S29, _S32, _S61 = (np.uint64(n) for n in (3, 29, 32, 61))


def _mul_mod(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``(a * x) mod p`` elementwise (broadcast) for uint64 values below ``p = 2**61 - 1``, without overflow."""
    a_hi, a_lo, x_hi, x_lo = a >> _S32, a & _LOW32, x >> _S32, x & _LOW32
    high = a_hi * x_hi  # < 2**58; its weight 2**64 = 8 (mod p)
    middle = a_hi * x_lo + a_lo * x_hi  # < 2**62; weight 2**32, and 2**61 = 1 (mod p)
    low = a_lo * x_lo  # < 2**64
    total = (high << _S3) + (middle >> _S29) + ((middle & _LOW29) << _S32) + (low >> _S61) + (low & _P)
    return _mod_prime(total)


def _mod_prime(values: np.ndarray) -> np.ndarray:
    """Reduce uint64 values below 2**63 modulo ``p = 2**61 - 1``."""
    values = (values & _P) + (values >> _S61)
    values = (values & _P) + (values >> _S61)  # now at most p
    return np.minimum(values, values - _P)  # p becomes 0; below p, the subtraction wraps around to a larger value


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0.0 when either has none)."""
    if not a.signature or not b.signature:
        return 0.0
    if len(a.signature) != len(b.signature):
        raise ValueError("fingerprints made with different MinHash parameters")
    return sum(x == y for x, y in zip(a.signature, b.signature, strict=False)) / len(a.signature)


def stored_similarity(a: Fingerprint, stored: str) -> float:
    """:func:`similarity` against a signature as stored (space-separated values)."""
    other = np.array(stored.split(), dtype=np.uint64)
    if not a.signature or len(other) == 0:
        return 0.0
    if len(other) != len(a.signature):
        raise ValueError("fingerprints made with different MinHash parameters")
    return float(np.count_nonzero(np.array(a.signature, dtype=np.uint64) == other)) / len(other)


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
