"""MinHash minima with numpy, exactly: ``min over x of (a*x + b) mod p`` for every permutation, ``p = 2**61 - 1``.

``a*x`` (both below 2**61) is split into 32-bit halves so no product overflows 64 bits, and reduced with
``2**61 = 1 (mod p)``. The work is done in place on four (permutations x hashes) arrays. Kept apart from
``parsers/dedup.py`` so that only what fingerprints imports numpy.
"""

from __future__ import annotations

from functools import cache

import numpy as np

_LOW32, _LOW29 = np.uint64(0xFFFFFFFF), np.uint64((1 << 29) - 1)
_S3, _S29, _S32, _S61 = (np.uint64(n) for n in (3, 29, 32, 61))


def minima(hashes: list[int], permutations: tuple[tuple[int, int], ...], prime: int) -> tuple[int, ...]:
    """The signature: per permutation ``(a, b)``, the least ``(a*x + b) mod prime`` over ``hashes`` (all below it)."""
    a_hi, a_lo, b = _parameters(permutations)
    p = np.uint64(prime)
    x = np.array(hashes, dtype=np.uint64)
    x_hi, x_lo = x >> _S32, x & _LOW32
    total = a_hi * x_hi  # < 2**58; its weight 2**64 = 8 (mod p)
    total <<= _S3
    middle = a_hi * x_lo  # with a_lo * x_hi: < 2**62; weight 2**32, and 2**61 = 1 (mod p)
    low = a_lo * x_hi
    middle += low
    np.multiply(a_lo, x_lo, out=low)  # < 2**64
    part = middle >> _S29
    total += part
    middle &= _LOW29
    middle <<= _S32
    total += middle
    np.right_shift(low, _S61, out=part)
    total += part
    low &= p
    total += low  # a*x, congruent mod p, below 2**63
    _fold(total, part, p)
    _fold(total, part, p)  # a*x mod p, at most p
    total += b  # below 2**62
    _fold(total, part, p)  # at most p
    np.subtract(total, p, out=part)  # below p, the subtraction wraps around to a larger value
    np.minimum(total, part, out=total)  # p becomes 0
    return tuple(total.min(axis=1).tolist())


def _fold(values: np.ndarray, scratch: np.ndarray, p: np.uint64) -> None:
    """``values = (values & p) + (values >> 61)``, in place: the same residue mod ``p = 2**61 - 1``, smaller."""
    np.right_shift(values, _S61, out=scratch)
    values &= p
    values += scratch


@cache
def _parameters(permutations: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``a`` in 32-bit halves and ``b``, as (permutations x 1) columns."""
    a = np.array([a for a, _ in permutations], dtype=np.uint64)[:, None]
    b = np.array([b for _, b in permutations], dtype=np.uint64)[:, None]
    return a >> _S32, a & _LOW32, b
