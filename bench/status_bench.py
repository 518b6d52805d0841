"""What the trained status reader costs per (article, item) pair, beside the rules it reads from.

    .venv/bin/python bench/status_bench.py [--runs 7]

Over the development reporting (tests/fixtures/reporting), side by side in one run: the rules' claims alone
(``article_claims``) and the production path (``item_updates``: claims, passages, the reader, the evidence
sentence). Medians of ``--runs`` passes over every article, per pair, on one core.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support: the labeled reporting

from cpec_watch.parsers.items import load_catalogue
from cpec_watch.parsers.status import article_claims, item_updates
from tests.support.quality import Labeled, load


def per_pair(cases: list[Labeled], read: Callable[[Labeled], object], pairs: int, runs: int) -> float:
    """Median milliseconds per pair of ``runs`` passes of ``read`` over every case."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for case in cases:
            read(case)
        times.append((time.perf_counter() - start) * 1000 / pairs)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    catalogue = load_catalogue()
    cases = load("dev")
    pairs = sum(len(item_updates(c.title, c.paragraphs, catalogue)) for c in cases)  # also loads the model
    rules = per_pair(cases, lambda c: article_claims(c.title, c.paragraphs, catalogue), pairs, runs)
    reader = per_pair(cases, lambda c: item_updates(c.title, c.paragraphs, catalogue), pairs, runs)
    print(f"{len(cases)} articles, {pairs} (article, item) pairs, median of {runs} passes, one core:\n")
    print("| path | ms per pair | ratio |\n|---|---|---|")
    print(f"| rules' claims alone | {rules:.2f} | 1.00 |")
    print(f"| item_updates (claims + trained reader + evidence) | {reader:.2f} | {reader / rules:.2f} |")


if __name__ == "__main__":
    main()
