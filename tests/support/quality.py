"""Score item detection, statuses and relevance on the labeled real reporting (tests/fixtures/reporting).

    python3 tasks.py quality                  # every part: development and the held-out ones
    python3 tasks.py quality dev heldout2     # the parts named

Item precision/recall count (article, item) pairs. Status accuracy counts the labeled pairs whose status is not
``mentioned`` (as the acceptance measure does): right when the item is found with that status (or with the other
annotator's reading, for the articles labeled twice). Relevance: CPEC articles kept, non-CPEC articles rejected.
Then what the reader's probabilities do (``evidence_report``): their calibration error, the status changes the
items' timelines announce (each item's articles in date order, one reading per story) with their precision and
the share of labeled changes announced right, and each item's current state against its latest dated label.
The development part trains the reader, so its figures here are in-sample; docs/status-model.md has its
cross-validated ones. ``heldout3`` is the frozen held-out part of this round: score it once.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cpec_watch.parsers import seedformat
from cpec_watch.parsers.changes import ItemState
from cpec_watch.parsers.items import Catalogue, load_catalogue
from cpec_watch.parsers.relevance import judge
from cpec_watch.parsers.status import article_claims, item_updates
from cpec_watch.parsers.status_reader import shipped_model

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPORTING = FIXTURES / "reporting"
SEEDS = FIXTURES.parent.parent / "seeds"
CARD = FIXTURES.parent.parent / "docs" / "status-model.md"
SECOND_READING = "second_reading.toml"  # a blind second annotator's labels for 160 development articles
PARTS = {
    "dev": sorted(p.name for p in REPORTING.glob("dev*.toml")),
    "heldout": ["heldout.toml"],
    "heldout2": ["heldout2.toml"],
    "heldout3": sorted(p.name for p in REPORTING.glob("heldout3*.toml")),
}


@dataclass(frozen=True)
class Labeled:
    url: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    cpec: bool
    expect: dict[str, str]
    also: dict[str, str] = field(default_factory=dict)  # a second annotator's differing reading
    story: str = ""  # the event it reports: copies share it (its URL when not labeled)
    published: str = ""  # YYYY-MM-DD, or "" when the page gives no date


def seeds() -> list[Labeled]:
    """The five seed articles (``seeds/``) with their labels (``tests/fixtures/labeled/seeds.toml``)."""
    labels = tomllib.loads((FIXTURES / "labeled" / "seeds.toml").read_text(encoding="utf-8"))["seeds"]
    found = []
    for entry in labels:
        seed = seedformat.parse((SEEDS / entry["file"]).read_text(encoding="utf-8"))
        title, *paragraphs = seed.paragraphs if seed.title is None else (seed.title, *seed.paragraphs)
        url = f"seed:{entry['file']}"
        found.append(
            Labeled(url, title, "", tuple(paragraphs), True, dict(entry["expect"]), story=entry.get("story", url))
        )
    return found


def load(part: str) -> list[Labeled]:
    """The part's articles, one per URL (a second labeling of the same URL, or the blind second reading of
    ``second_reading.toml``, becomes ``also`` where it differs); dev has the seeds."""
    by_url: dict[str, Labeled] = {case.url: case for case in (seeds() if part == "dev" else [])}
    for name in PARTS[part]:
        for raw in _articles(name):
            case = Labeled(
                raw["url"],
                raw.get("title", ""),
                raw.get("summary", ""),
                tuple(raw["paragraphs"]),
                raw.get("cpec", True),
                dict(raw.get("expect", {})),
                story=raw.get("story", raw["url"]),
                published=raw.get("published", ""),
            )
            first = by_url.get(case.url)
            if first is None:
                by_url[case.url] = case
            else:
                also = {slug: s for slug, s in case.expect.items() if first.expect.get(slug) != s}
                by_url[case.url] = Labeled(**{**first.__dict__, "also": {**first.also, **also}})
    for raw in _articles(SECOND_READING):
        first = by_url.get(raw["url"])
        if first is not None:
            also = {slug: s for slug, s in raw["expect"].items() if slug in first.expect and first.expect[slug] != s}
            by_url[first.url] = Labeled(**{**first.__dict__, "also": {**also, **first.also}})
    return list(by_url.values())


def _articles(name: str) -> list[dict[str, Any]]:
    return list(tomllib.loads((REPORTING / name).read_text(encoding="utf-8"))["articles"])


@dataclass
class Score:
    items: dict[str, Counter] = field(default_factory=dict)  # slug -> tp/fp/fn
    statuses: dict[str, Counter] = field(default_factory=dict)  # expected status -> right/total
    confusion: Counter = field(default_factory=Counter)  # (expected, got)
    relevance: Counter = field(default_factory=Counter)

    def ratio(self, key: str) -> float:
        tp = sum(c["tp"] for c in self.items.values())
        other = sum(c["fp" if key == "precision" else "fn"] for c in self.items.values())
        return tp / (tp + other) if tp + other else 1.0

    @property
    def status_accuracy(self) -> float:
        right = sum(c["right"] for c in self.statuses.values())
        total = sum(c["total"] for c in self.statuses.values())
        return right / total if total else 1.0

    @property
    def cue_recall(self) -> float:
        """Share of labeled statuses that some cue claimed: the ceiling of status accuracy."""
        total = sum(c["total"] for c in self.statuses.values())
        return sum(c["claimed"] for c in self.statuses.values()) / total if total else 1.0

    @property
    def cpec_kept(self) -> float:
        return self.relevance["cpec_kept"] / max(1, self.relevance["cpec"])

    @property
    def other_rejected(self) -> float:
        return self.relevance["other_rejected"] / max(1, self.relevance["other"])


def score(cases: Iterable[Labeled], catalogue: Catalogue | None = None) -> Score:
    catalogue = catalogue or load_catalogue()
    result = Score()
    for case in cases:
        got = {u.slug: u.status for u in item_updates(case.title, case.paragraphs, catalogue)}
        claims = article_claims(case.title, case.paragraphs, catalogue)
        for slug in got.keys() | case.expect.keys():
            tally = result.items.setdefault(slug, Counter())
            tally["tp" if slug in got and slug in case.expect else "fp" if slug in got else "fn"] += 1
        for slug, expected in case.expect.items():
            if expected == "mentioned":
                continue
            tally = result.statuses.setdefault(expected, Counter())
            tally["total"] += 1
            found = got.get(slug, "missed")
            tally["right"] += found in (expected, case.also.get(slug))
            tally["claimed"] += expected in {c.status for c in claims.get(slug, [])}  # a cue for it was read at all
            result.confusion[(expected, found)] += 1
        decision = judge(case.title, case.summary, "\n\n".join(case.paragraphs), catalogue)
        key = "cpec" if case.cpec else "other"
        result.relevance[key] += 1
        result.relevance["fetched"] += decision.read_page
        kept = decision.relevant
        result.relevance[f"{key}_kept" if kept else f"{key}_rejected"] += 1
    return result


@dataclass(frozen=True)
class Read:
    """One labeled (article, item) pair the catalogue found, and the reader's answer."""

    item: str
    story: str
    day: str
    label: str
    also: str | None
    status: str
    probability: float

    @property
    def right(self) -> bool:
        return self.status in (self.label, self.also)


def reads(cases: Iterable[Labeled], catalogue: Catalogue) -> list[Read]:
    found = []
    for case in cases:
        for update in item_updates(case.title, case.paragraphs, catalogue):
            if update.slug in case.expect:
                label, also = case.expect[update.slug], case.also.get(update.slug)
                found.append(
                    Read(update.slug, case.story, case.published, label, also, update.status, update.confidence)
                )
    return found


def calibration_error(found: list[Read], bins: int = 10) -> float:
    """Expected calibration error of the readings' probabilities (equal-width bins)."""
    total = 0.0
    for b in range(bins):
        inside = [r for r in found if b / bins < r.probability <= (b + 1) / bins]
        if inside:
            gap = sum(r.probability for r in inside) - sum(r.right for r in inside)
            total += abs(gap) / len(found)
    return total


@dataclass
class Timelines:
    """The items' timelines read forward in date order (one reading per story), against the labels."""

    announced: int = 0
    announced_right: int = 0
    labeled_changes: int = 0
    labeled_changes_announced: int = 0
    items: int = 0
    items_right: int = 0

    @property
    def change_precision(self) -> float:
        return self.announced_right / self.announced if self.announced else 1.0

    @property
    def change_recall(self) -> float:
        return self.labeled_changes_announced / self.labeled_changes if self.labeled_changes else 1.0

    @property
    def state_accuracy(self) -> float:
        return self.items_right / self.items if self.items else 1.0


def timelines(found: list[Read], announce: float) -> Timelines:
    """Announced changes (their precision, and the share of labeled changes announced right before the labels
    change again) and each item's current state against its latest dated labeled reading."""
    result = Timelines()
    by_item: dict[str, dict[str, Read]] = {}
    for r in found:
        if len(r.day) == 10:  # a full date (a month alone does not order one day's reporting)
            stories = by_item.setdefault(r.item, {})
            if r.story not in stories or r.probability > stories[r.story].probability:
                stories[r.story] = r
    for stories in by_item.values():
        state, labeled, pending = ItemState(announce), None, None
        for r in sorted(stories.values(), key=lambda r: (r.day, r.story)):
            step = state.read(r.status, r.probability, date.fromisoformat(r.day))
            if r.label != "mentioned" and labeled is not None and r.label != labeled:
                result.labeled_changes += 1
                pending = r.label  # a labeled change, waiting to be announced
            right = step.change and step.state in (r.label, r.also)
            result.announced += step.change
            result.announced_right += right
            if step.change and step.state == pending:
                result.labeled_changes_announced += 1
                pending = None
            labeled = r.label if r.label != "mentioned" else labeled
        if labeled is not None:
            result.items += 1
            result.items_right += state.state == labeled
    return result


def evidence_report(found: list[Read], announce: float) -> str:
    flows = timelines(found, announce)
    return (
        f"  calibration error={calibration_error(found):.3f} over {len(found)} readings; "
        f"announced changes: precision={flows.change_precision:.3f} ({flows.announced_right}/{flows.announced}), "
        f"labeled changes announced right={flows.change_recall:.3f} "
        f"({flows.labeled_changes_announced}/{flows.labeled_changes}); "
        f"current state right={flows.state_accuracy:.3f} ({flows.items_right}/{flows.items} items)"
    )


def report(label: str, result: Score) -> str:
    lines = [
        f"{label}: item P={result.ratio('precision'):.3f} R={result.ratio('recall'):.3f}  "
        f"status accuracy={result.status_accuracy:.3f} (cues claim {result.cue_recall:.3f})  "
        f"CPEC kept={result.cpec_kept:.3f}  "
        f"non-CPEC rejected={result.other_rejected:.3f}  pages read={result.relevance['fetched']}",
        f"  {'status':20} {'right':>5} {'of':>4} {'acc':>6} {'claimed':>8}",
    ]
    for status, tally in sorted(result.statuses.items()):
        lines.append(
            f"  {status:20} {tally['right']:5} {tally['total']:4} {tally['right'] / tally['total']:6.2f}"
            f" {tally['claimed']:8}"
        )
    lines.append(f"  {'item':28} {'P':>6} {'R':>6}  tp fp fn")
    for slug, c in sorted(result.items.items()):
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        lines.append(f"  {slug:28} {p:6.2f} {r:6.2f} {c['tp']:3} {c['fp']:2} {c['fn']:2}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    catalogue = load_catalogue()
    announce = shipped_model().announce
    print(f"the development part trained the shipped reader: its honest figures are {CARD.name}'s cross-validation")
    for part in argv or list(PARTS):
        cases = load(part)
        print(report(f"{part} ({len(cases)} articles)", score(cases, catalogue)))
        print(evidence_report(reads(cases, catalogue), announce))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
