"""A generated seed-format folder: distinct invented CPEC stories, another outlet's rewrite of every 8th, an exact
copy of every 25th under another name, one misnamed file and one empty file."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from cpec_watch.models import SeedText
from cpec_watch.parsers import dedup, seedformat

PLACES = ["Rashakai", "Dhabeji", "Gwadar", "Kohat", "Faisalabad", "Khunjerab", "Karachi", "Peshawar", "Quetta"]
PROJECTS = ["Rashakai SEZ", "ML-1", "Gwadar port", "the Kohat cargo train", "Dhabeji SEZ"]
NOUNS = [
    "tender",
    "bridge",
    "depot",
    "turbine",
    "quarry",
    "canal",
    "pipeline",
    "warehouse",
    "substation",
    "school",
    "clinic",
    "tunnel",
]
VERBS = [
    "inspected",
    "approved",
    "delayed",
    "financed",
    "surveyed",
    "widened",
    "repaired",
    "fenced",
    "audited",
    "relocated",
]
FIRMS = [
    "Zarkon",
    "Habit",
    "Malvi",
    "Tessar",
    "Quorin",
    "Baltic",
    "Ufuq",
    "Noorani",
    "Saffron",
    "Kestrel",
    "Orbis",
    "Vantage",
]


def invented_story(rng: random.Random, number: int) -> tuple[str, list[str]]:
    """A title and four paragraphs of words few other stories share."""
    project = rng.choice(PROJECTS)
    words = [f"{rng.choice(FIRMS)}{number}x{i}" for i in range(50)]  # names only this story prints
    sentences = [
        f"{rng.choice(FIRMS)} {words[i]} {rng.choice(VERBS)} the {rng.choice(NOUNS)} near {rng.choice(PLACES)} "
        f"for {project}, said {words[i + 10]} of {words[i + 20]} about {words[i + 30]} and {words[i + 40]}."
        for i in range(10)
    ]
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, 10, 3)]
    return f"{project}: {words[0]} report number {number}", paragraphs


def rewrite(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Another outlet's version: paragraphs reordered, a sentence dropped, a few words changed."""
    sentences = [s for p in paragraphs for s in p.split(". ") if s]
    sentences.pop(rng.randrange(len(sentences)))
    rng.shuffle(sentences)
    return [". ".join(sentences[i : i + 2]).replace(" said ", " told reporters ") for i in range(0, len(sentences), 2)]


def write_corpus(folder: Path, stories: int, seed: int = 3) -> dict[str, int]:
    """Seed-format files for ``stories`` stories, a rewrite of every 8th, a copy of every 25th; what was written."""
    rng = random.Random(seed)
    folder.mkdir()
    written = Counter[str]()
    number = 0

    def put(title: str | None, paragraphs: list[str], kind: str) -> None:
        nonlocal number
        key = dedup.content_hash(f"{kind}{number}")[:16]
        text = seedformat.render(SeedText(None, title, tuple(paragraphs)))
        (folder / seedformat.archive_name(number, key)).write_text(text, encoding="utf-8")
        written[kind] += 1
        number += 1

    for index in range(stories):
        title, paragraphs = invented_story(rng, index)
        put(title, paragraphs, "story")
        if index % 8 == 3:
            put(None, rewrite(rng, paragraphs), "rewrite")
        if index % 25 == 7:
            put(title, paragraphs, "copy")
    (folder / "notes.txt").write_text("not an archive file name", encoding="utf-8")
    (folder / "999999_00000000000000ff.txt").write_text("   \n\n", encoding="utf-8")
    return dict(written)
