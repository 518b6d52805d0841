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
    originals = {raw["url"]: raw for raw in reversed(_records("dev*.toml"))}
    rewrites = _records("rewrites_*.toml")
    story_of = {raw["rewrite_of"]: raw["story"] for raw in rewrites}
    found = []
    for raw in [*reversed(originals.values()), *rewrites]:
        story = raw.get("story") or story_of.get(raw["url"]) or raw["url"]
        day = raw.get("published", "")
        published = date.fromisoformat(day) if len(day) == 10 else None  # a month alone ("2018-05"): undated
        found.append(Case(raw["url"], raw["outlet"], raw["title"], tuple(raw["paragraphs"]), published, story))
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


def score(found: Sequence[Case], stories: Sequence[int], part: str) -> PairScore:
    """Pairwise figures over the part's cases; a found pair with one case in the part counts against it."""
    everyone = range(len(found))
    labeled = {p for p in _pairs([c.story for c in found], everyone) if found[p[0]].part == part}
    made = {p for p in _pairs(stories, everyone) if part in (found[p[0]].part, found[p[1]].part)}
    return PairScore(len(labeled), len(made), len(labeled & made))


def report(found: Sequence[Case], stories: Sequence[int], parts: Sequence[str], seconds: float) -> str:
    sizes = Counter(c.story for c in found)
    lines = [
        f"story clustering: {len(found)} articles, {len(sizes)} labeled stories "
        f"({sum(1 for n in sizes.values() if n > 1)} with copies), {len(set(stories))} stories stored, "
        f"{seconds:.1f} s to store",
    ]
    for part in parts:
        result = score(found, stories, part)
        groups = sum(1 for s, n in sizes.items() if n > 1 and next(c for c in found if c.story == s).part == part)
        lines.append(
            f"  {part}: pairwise precision {result.precision:.3f} recall {result.recall:.3f} "
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
