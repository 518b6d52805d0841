"""Calibrate status confidence (parsers/status_model.py) on the development articles and write the table.

    python3 tasks.py calibrate-status     # writes config/status_confidence.json

Only the development part is read: the held-out articles never shape it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cpec_watch.parsers.items import load_catalogue
from cpec_watch.parsers.status import article_claims, precedence
from cpec_watch.parsers.status_model import Claim, calibrate
from tests.support.quality import load

TABLE = Path(__file__).resolve().parents[2] / "config" / "status_confidence.json"


def examples() -> list[tuple[list[Claim], str]]:
    catalogue = load_catalogue()
    found = []
    for case in load("dev"):
        claims = article_claims(case.title, case.paragraphs, catalogue)
        found += [(claims[slug], status) for slug, status in case.expect.items() if slug in claims]
    return found


def main() -> int:
    data = examples()
    table = calibrate(data, precedence)
    note = f"share read right per bucket, {len(data)} labeled (article, item) pairs of the development set"
    TABLE.write_text(json.dumps({"calibrated_on": note, "confidence": table}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TABLE.name}: {table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
