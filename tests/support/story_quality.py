"""Score story clustering on the labeled real reporting: pairwise precision and recall against labeled stories.

    python3 tasks.py stories             # the development part
    python3 tasks.py stories heldout     # the held-out part: score it once per round, never tune on it

The articles are the development files (``dev*.toml``: ``dev3_*`` copy groups of 2-5 outlets share a ``story``
id) and one rewrite of each of 847 of them (``rewrites_*.toml``: ``rewrite_of`` names the original, which takes
the rewrite's ``story`` when it has none of its own). An article without a labeled story is a story of its own.
All of them go through the production path (``storage.articles.store_article``: URL and text checks, band
candidates, the story decision) into one SQLite store in a temp folder, in date order (undated ones after the
dated, in file order), each under a URL of its own so that only the story decision joins them.

A pair of articles is in one story by the labels or by the store; precision is the share of the store's pairs
the labels share, recall the share of the labeled pairs the store found. The held-out part is the stories
whose id hashes (SHA-256) to 0 mod 5, about 20%; a pair the store made across the parts counts against both.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from cpec_watch.models import Article
from cpec_watch.storage.articles import store_article
from cpec_watch.storage.db import open_engine, session

REPORTING = Path(__file__).resolve().parent.parent / "fixtures" / "reporting"
PARTS = ("dev", "heldout")


@dataclass(frozen=True)
class Case:
    url: str  # the record's own URL (a rewrite's ends in ``#rewrite``)
    outlet: str
    title: str
    paragraphs: tuple[str, ...]
    published: date | None
    story: str
    annotation: str = ""  # the dev3 file whose annotator labeled its story against the others there; "" if none

    @property
    def part(self) -> str:
        return "heldout" if int(hashlib.sha256(self.story.encode()).hexdigest(), 16) % 5 == 0 else "dev"


def _records(pattern: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(REPORTING.glob(pattern)):
        found.extend(tomllib.loads(path.read_text(encoding="utf-8"))["articles"])
    return found


def cases() -> list[Case]:
    """Every development article once per URL (the first record of a URL drawn twice), then the rewrites."""
    originals: dict[str, dict[str, Any]] = {}
    for path in sorted(REPORTING.glob("dev*.toml")):
        for raw in _records(path.name):
            labeled = path.name.startswith("dev3_")  # the older files carry no story labels
            originals.setdefault(raw["url"], {**raw, "annotation": path.name if labeled else ""})
    rewrites = _records("rewrites_*.toml")
    story_of = {raw["rewrite_of"]: raw["story"] for raw in rewrites}
    found = []
    for raw in [*originals.values(), *rewrites]:
        story = raw.get("story") or story_of.get(raw["url"]) or raw["url"]
        day = raw.get("published", "")
        published = date.fromisoformat(day) if len(day) == 10 else None  # a month alone ("2018-05"): undated
        annotation = raw.get("annotation", originals.get(raw.get("rewrite_of", ""), {}).get("annotation", ""))
        paragraphs = tuple(raw["paragraphs"])
        found.append(Case(raw["url"], raw["outlet"], raw["title"], paragraphs, published, story, annotation))
    return found


def cluster(found: Sequence[Case], folder: Path) -> list[int]:
    """The story id the store gives each case, storing them in date order (undated last)."""
    engine = open_engine(f"sqlite:///{folder / 'stories.db'}")
    order = sorted(range(len(found)), key=lambda i: (found[i].published is None, found[i].published or date.min, i))
    stories = [0] * len(found)
    with session(engine) as sess:
        for index in order:
            case = found[index]
            url = f"https://story-quality.test/{index}"  # its own identity: only the story decision joins
            article = Article(url, url, case.outlet, case.title, case.published, case.paragraphs)
            stories[index] = store_article(sess, article, None).story_id
    engine.dispose()
    return stories


@dataclass(frozen=True)
class PairScore:
    labeled: int  # pairs in one labeled story
    found: int  # pairs the store put in one story
    right: int  # pairs in both

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.labeled if self.labeled else 1.0


def _pairs(groups: Iterable[object], members: Sequence[int]) -> set[tuple[int, int]]:
    by_group: dict[object, list[int]] = {}
    for index, group in zip(members, groups, strict=True):
        by_group.setdefault(group, []).append(index)
    return {pair for ids in by_group.values() for pair in combinations(sorted(ids), 2)}


def judged(a: Case, b: Case) -> bool:
    """Whether the labels say if two articles are one story: they share a story id, or one annotator labeled
    both (within a ``dev3_*`` file every article's story was decided against the others; across files, or for
    an older article and its rewrite, only "one story" was labeled, never "another story")."""
    return a.story == b.story or (a.annotation != "" and a.annotation == b.annotation)


def score(found: Sequence[Case], stories: Sequence[int], part: str, only_judged: bool = False) -> PairScore:
    """Pairwise figures over the part's cases; a found pair with one case in the part counts against it.

    ``only_judged``: the found pairs whose relation no annotator labeled (see :func:`judged`) are left out.
    """
    everyone = range(len(found))
    labeled = {p for p in _pairs([c.story for c in found], everyone) if found[p[0]].part == part}
    made = {p for p in _pairs(stories, everyone) if part in (found[p[0]].part, found[p[1]].part)}
    if only_judged:
        made = {p for p in made if judged(found[p[0]], found[p[1]])}
    return PairScore(len(labeled), len(made), len(labeled & made))


def report(found: Sequence[Case], stories: Sequence[int], parts: Sequence[str], seconds: float) -> str:
    sizes = Counter(c.story for c in found)
    lines = [
        f"story clustering: {len(found)} articles, {len(sizes)} labeled stories "
        f"({sum(1 for n in sizes.values() if n > 1)} with copies), {len(set(stories))} stories stored, "
        f"{seconds:.1f} s to store",
    ]
    for part in parts:
        groups = sum(1 for s, n in sizes.items() if n > 1 and next(c for c in found if c.story == s).part == part)
        for name, only in (("judged pairs", True), ("all pairs", False)):
            result = score(found, stories, part, only)
            lines.append(
                f"  {part}, {name}: pairwise precision {result.precision:.3f} recall {result.recall:.3f} "
                f"({result.right} of {result.found} found pairs right, of {result.labeled} labeled pairs; "
                f"{groups} labeled groups)"
            )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parts = argv or ["dev"]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        print(f"unknown part {unknown[0]!r}; parts: {', '.join(PARTS)}", file=sys.stderr)
        return 2
    found = cases()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        stories = cluster(found, Path(tmp))
        seconds = time.perf_counter() - started
    print(report(found, stories, parts, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
