"""Does mention matching stay one pass as the catalogue grows?

Times find_mentions on a ~5,000-word CPEC-style text with the default catalogue (21 items) and with 2,000 extra
synthetic items (3 aliases each, 6,000 aliases), and prints the medians and their ratio.

    .venv/bin/python bench/items_scale.py [--runs 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from cpec_watch.parsers.items import Catalogue, TrackedItem, find_mentions, load_catalogue

SENTENCES = (
    "The Rashakai SEZ will be launched in September, the secretary told the meeting.",
    "Plans for a cargo train from Kohat to Afghanistan are under review.",
    "Work on the Main Line-1 upgrade between Karachi and Peshawar has stalled again.",
    "Officials visited Karachi, Gwadar and Quetta to review security for Chinese workers.",
    "The JCC meeting discussed industrial cooperation and new border markets at Khunjerab and Torkham.",
    "Exports to China rose to $3 billion last year, traders in Faisalabad said.",
)


def synthetic(count: int) -> tuple[TrackedItem, ...]:
    rng = random.Random(7)
    words = ["Zephyr", "Indus", "Margalla", "Sapphire", "Makran", "Orchid", "Saffron", "Kestrel", "Cedar", "Lotus"]
    return tuple(
        TrackedItem(
            f"synthetic-{n}",
            f"Synthetic {n}",
            (f"{rng.choice(words)} {n} Industrial Park", f"{rng.choice(words)}-{n} Zone", f"ZX{n}"),
            category="sez",
        )
        for n in range(count)
    )


def median_seconds(text: str, catalogues: tuple[Catalogue, ...], runs: int) -> list[float]:
    """Median time per catalogue; runs are interleaved so machine noise hits both alike."""
    timings: list[list[float]] = [[] for _ in catalogues]
    for catalogue in catalogues:
        find_mentions(text, catalogue)  # build the index outside the timing
    for _ in range(runs):
        for catalogue, series in zip(catalogues, timings, strict=False):
            start = time.perf_counter()
            find_mentions(text, catalogue)
            series.append(time.perf_counter() - start)
    return [statistics.median(series) for series in timings]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    text = " ".join(SENTENCES[n % len(SENTENCES)] for n in range(390))
    small = load_catalogue()
    big = Catalogue(small.items + synthetic(2000), small.ignore)
    small_s, big_s = median_seconds(text, (small, big), args.runs)
    print(f"text: {len(text.split())} words; runs: {args.runs} (medians)")
    print(f"{len(small.items):>5} items: {small_s * 1000:7.2f} ms")
    print(f"{len(big.items):>5} items: {big_s * 1000:7.2f} ms")
    print(f"ratio: {big_s / small_s:.2f}x")


if __name__ == "__main__":
    main()
