"""Screenshots of the web view for the README, by headless Chromium over a store built from the seeds.

.venv/bin/python -m tests.support.web_screenshots docs
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.support.dense_store import build_dense_store
from tests.support.webview import build_store, serving
from tests.test_alerts_browser import chromium

SHOTS = (
    ("web-projects.png", "/", "1100,1000"),
    ("web-timeline.png", "/items/ml-1", "1000,1000"),
    ("web-search.png", "/search?q=railway+Karachi", "1000,800"),
)
# over a dense store (130 reports on ML-1): a paginated timeline and its aggregated chart, as a phone shows them
DENSE_SHOTS = (("web-timeline-dense.png", "/items/ml-1?page=2", "390,1000"),)


def take(folder: Path) -> list[Path]:
    """Write the screenshots (``SHOTS``, then ``DENSE_SHOTS``) into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/cpec.db"
        archive = build_store(url, Path(tmp), title="ML-1 work begins on the Karachi–Rohri section")
        dense_url = f"sqlite:///{tmp}/dense.db"
        dense_archive = build_dense_store(dense_url, Path(tmp) / "dense", 130)
        for store, shots in ((url, archive), SHOTS), ((dense_url, dense_archive), DENSE_SHOTS):
            with serving(*store) as base:
                for name, path, size in shots:
                    screenshot = f"--screenshot={folder.resolve() / name}"
                    chromium(Path(tmp), screenshot, f"--window-size={size}", base + path)
    return [folder / name for name, _, _ in SHOTS + DENSE_SHOTS]


if __name__ == "__main__":
    for shot in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(shot)
