"""MinHash minima with numpy, exactly: ``min over x of (a*x + b) mod p`` for every permutation, ``p = 2**61 - 1``.

``a*x`` (both below 2**61) is split into 32-bit halves so no product overflows 64 bits, and reduced with
``2**61 = 1 (mod p)``. Kept apart from ``parsers/dedup.py`` so that only what fingerprints imports numpy.
"""

from __future__ import annotations

from functools import cache

import numpy as np

_LOW32, _LOW29 = np.uint64(0xFFFFFFFF), np.uint64((1 << 29) - 1)
_S3, _S29, _S32, _S61 = (np.uint64(n) for n in (3, 29, 32, 61))


def minima(hashes: list[int], permutations: tuple[tuple[int, int], ...], prime: int) -> tuple[int, ...]:
    """The signature: per permutation ``(a, b)``, the least ``(a*x + b) mod prime`` over ``hashes`` (all below it)."""
    a, b = _parameters(permutations)
    p = np.uint64(prime)
    values = _mod_prime(_mul_mod(a, np.array(hashes, dtype=np.uint64)[None, :], p) + b, p).min(axis=1)
    return tuple(values.tolist())


@cache
def _parameters(permutations: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([a for a, _ in permutations], dtype=np.uint64)[:, None]
    b = np.array([b for _, b in permutations], dtype=np.uint64)[:, None]
    return a, b


def _mul_mod(a: np.ndarray, x: np.ndarray, p: np.uint64) -> np.ndarray:
    """``(a * x) mod p`` elementwise (broadcast) for uint64 values below ``p = 2**61 - 1``, without overflow."""
    a_hi, a_lo, x_hi, x_lo = a >> _S32, a & _LOW32, x >> _S32, x & _LOW32
    high = a_hi * x_hi  # < 2**58; its weight 2**64 = 8 (mod p)
    middle = a_hi * x_lo + a_lo * x_hi  # < 2**62; weight 2**32, and 2**61 = 1 (mod p)
    low = a_lo * x_lo  # < 2**64
    total = (high << _S3) + (middle >> _S29) + ((middle & _LOW29) << _S32) + (low >> _S61) + (low & p)
    return _mod_prime(total, p)


def _mod_prime(values: np.ndarray, p: np.uint64) -> np.ndarray:
    """Reduce uint64 values below 2**63 modulo ``p = 2**61 - 1``."""
    values = (values & p) + (values >> _S61)
    values = (values & p) + (values >> _S61)  # now at most p
    return np.minimum(values, values - p)  # p becomes 0; below p, the subtraction wraps around to a larger value
