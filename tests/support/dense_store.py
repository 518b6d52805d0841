"""A store with a dense timeline: many distinct seed-format reports on one tracked item, imported at once by the
real pipeline (a backfill), dated over several years."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.backfill import import_folder
from cpec_watch.flows.pipeline import open_pipeline

WORDS = ("ministry", "contractor", "tender", "freight", "alignment", "budget", "council", "survey", "loan")
CUES = (
    "Work on the Main Line-1 (ML-1) railway upgrade is under construction near {place}.",
    "The Main Line-1 (ML-1) railway upgrade has been delayed again, officials in {place} said.",
    "The Main Line-1 (ML-1) railway upgrade was discussed at a meeting in {place}.",
    "Financing for the Main Line-1 (ML-1) railway upgrade is still being negotiated, said officials in {place}.",
)
PLACES = ("Karachi", "Rohri", "Multan", "Lahore", "Rawalpindi", "Peshawar", "Hyderabad", "Nawabshah")


def write_reports(folder: Path, count: int, *, first: date = date(2022, 1, 3), seed: int = 18) -> Path:
    """``count`` distinct reports on ML-1, one every few days from ``first``, as seed-format files in ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        day = first + timedelta(days=number * 7 + rng.randint(0, 5))
        place = rng.choice(PLACES)
        words = [rng.choice(WORDS) if rng.random() < 0.5 else _word(rng) for _ in range(160)]
        body = " ".join(words).capitalize() + "."
        lede = rng.choice(CUES).format(place=place)
        title = f"Railway report {number}: {place} {rng.choice(WORDS)} {rng.choice(WORDS)}"
        text = f" date {day.isoformat()} {title}\n\n{place.upper()}: {lede}\n\n{body}\n"
        (folder / f"{number:04d}_{rng.getrandbits(64):016x}.txt").write_text(text, encoding="utf-8")
    return folder


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))


def build_dense_store(db_url: str, folder: Path, count: int) -> Path:
    """Import ``count`` reports on ML-1 into ``db_url`` in one backfill; returns the archive folder."""
    reports = write_reports(folder / "reports", count)
    archive = folder / "articles"
    with open_pipeline(load_settings(db=db_url, archive=archive)) as pipe:
        import_folder(pipe, reports, "seed")
    return archive
