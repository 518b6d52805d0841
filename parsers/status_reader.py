"""The trained status reader: what an article says about one tracked item, as a status with a probability.

The evidence decides, not one rule. For each (article, item) the reader collects features (:func:`features`):
the words of the sentences that name the item, its name masked (``ITEM``; other tracked items ``OTHER``); the
words just before and after each mention; the status cues' claims (``parsers/status.py``) with where and in which
tense they were read, and the rules' own choice; the item's category. A multinomial logistic
regression, trained on the project's labeled reporting by ``python3 tasks.py train-status``, turns them into one
probability per status; a temperature fitted on cross-validated predictions makes those probabilities calibrated.
The model is a small JSON file shipped in the package (``config/status_model.json.gz``); reading it needs numpy
only.

The evidence of a reading is the sentence that alone gives the winning status the highest probability.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from cpec_watch.parsers.items import Catalogue, find_mentions, split_sentences
from cpec_watch.parsers.status_model import MENTIONED, WHERE, Claim, winner

MODEL_FILE = "status_model.json.gz"
WINDOW = 4  # words each side of a mention in the item-centred window
_WORD = re.compile(r"[^\W_]+(?:['’][a-z]+)?|\d+(?:[.,]\d+)*%?", re.IGNORECASE)
_ZONE = {  # where a claim was read: headline, lead (first two paragraphs), body
    "title": "t",
    "lead": "l",
    "second": "l",
    "body": "b",
}


@dataclass(frozen=True)
class Passage:
    """A sentence that says something about the item: where it stands, its text, and its masked words."""

    where: str  # title | lead | second | body
    text: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """The reader's answer for one (article, item): the status, its probability, and the sentence behind it."""

    status: str
    probability: float
    evidence: str


def passages(title: str | None, paragraphs: Sequence[str], catalogue: Catalogue) -> dict[str, list[Passage]]:
    """Per item, the sentences that name it, masked, in reading order."""
    found: dict[str, list[Passage]] = {}
    blocks = ([title] if title else []) + list(paragraphs)
    for number, block in enumerate(blocks):
        paragraph = number - 1 if title else number
        where = "title" if paragraph < 0 else WHERE[1 + min(paragraph, 2)]
        mentions = find_mentions(block, catalogue)
        for start, end in split_sentences(block):
            inside = sorted((m for m in mentions if start <= m.start < end), key=lambda m: m.start, reverse=True)
            for slug in dict.fromkeys(m.slug for m in reversed(inside)):
                masked = block[start:end]
                for m in inside:
                    token = " ITEM " if m.slug == slug else " OTHER "
                    masked = masked[: m.start - start] + token + masked[m.end - start :]
                found.setdefault(slug, []).append(Passage(where, block[start:end], tuple(_words(masked))))
    return found


def referring(claims: Sequence[Claim]) -> list[Passage]:
    """The sentences that refer back to the item without naming it ("It was inaugurated on Monday"), where a cue
    was read in them."""
    seen = dict.fromkeys((c.where, c.evidence) for c in claims if c.how != "direct")
    return [Passage(where, text, tuple(_words(text))) for where, text in seen]


def _words(text: str) -> list[str]:
    return [w if w in ("ITEM", "OTHER") else w.lower() for w in _WORD.findall(text)]


def features(
    passages: Sequence[Passage], claims: Sequence[Claim], category: str, rank: Callable[[str], int]
) -> dict[str, float]:
    """The reader's input for one (article, item): the masked words, the words just before and after the item,
    the cues' claims and the rules' own choice (``rank`` is their precedence)."""
    found: dict[str, float] = {f"cat:{category}": 1.0, f"mentions:{min(len(passages), 4)}": 1.0}
    for passage in [*passages, *referring(claims)]:
        words = passage.words
        for i, word in enumerate(words):
            found[f"w:{word}"] = 1.0
            if word == "ITEM":
                for k in range(1, WINDOW + 1):
                    if i + k < len(words):
                        found[f"after:{words[i + k]}"] = 1.0
                    if i >= k:
                        found[f"before:{words[i - k]}"] = 1.0
    if any(p.where == "title" for p in passages):
        found["in-title"] = 1.0
    for claim in claims:
        if claim.status == MENTIONED:
            continue
        found[f"claim:{claim.status}"] = 1.0
        found[f"claim:{claim.status}:{_ZONE[claim.where]}"] = 1.0
        found[f"claim:{claim.status}:{'future' if claim.future else claim.tense}"] = 1.0
    best = winner(claims, rank)
    found[f"rule:{best.status if best else MENTIONED}"] = 1.0
    if best:
        found[f"rule:{best.status}:{_ZONE[best.where]}"] = 1.0
    return found


@dataclass(frozen=True)
class Model:
    """A multinomial logistic regression over named features, with its calibration temperature."""

    statuses: tuple[str, ...]
    index: dict[str, int]
    weights: np.ndarray  # features x statuses
    bias: np.ndarray  # statuses
    temperature: float
    announce: float = 0.9  # the probability from which a reading is sure enough to announce as a change

    def probabilities(self, found: dict[str, float]) -> np.ndarray:
        logits = self.bias.copy()
        for name, value in found.items():
            row = self.index.get(name)
            if row is not None:
                logits += value * self.weights[row]
        logits /= self.temperature
        logits -= logits.max()
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum())

    def to_json(self) -> dict[str, object]:
        names = sorted(self.index, key=self.index.__getitem__)
        return {
            "statuses": list(self.statuses),
            "features": names,
            "weights": [[round(float(v), 4) for v in row] for row in self.weights],
            "bias": [round(float(v), 4) for v in self.bias],
            "temperature": round(self.temperature, 4),
            "announce": self.announce,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Model:
        names = list(data["features"])  # type: ignore[call-overload]
        return cls(
            tuple(data["statuses"]),  # type: ignore[arg-type]
            {name: i for i, name in enumerate(names)},
            np.asarray(data["weights"], dtype=np.float64).reshape(len(names), -1),
            np.asarray(data["bias"], dtype=np.float64),
            float(data["temperature"]),  # type: ignore[arg-type]
            float(data["announce"]),  # type: ignore[arg-type]
        )


@cache
def shipped_model() -> Model:
    """The model shipped in the package (``config/status_model.json.gz``)."""
    raw = resources.files("cpec_watch.config").joinpath(MODEL_FILE).read_bytes()
    return Model.from_json(json.loads(gzip.decompress(raw)))


def read(
    slug: str,
    passages: Sequence[Passage],
    claims: Sequence[Claim],
    catalogue: Catalogue,
    rank: Callable[[str], int],
    model: Model | None = None,
) -> Reading:
    """The status an article gives ``slug`` (its ``passages`` and ``claims``), its calibrated probability, and the
    sentence that shows it."""
    model = model or shipped_model()
    category = catalogue.item(slug).category
    probabilities = model.probabilities(features(passages, claims, category, rank))
    best = int(np.argmax(probabilities))
    status = model.statuses[best]
    return Reading(status, float(probabilities[best]), _evidence(passages, claims, status, category, rank, model))


def _evidence(
    passages: Sequence[Passage],
    claims: Sequence[Claim],
    status: str,
    category: str,
    rank: Callable[[str], int],
    model: Model,
) -> str:
    """The sentence that, read alone with its own claims, makes ``status`` most probable."""
    candidates = [*passages, *referring(claims)]
    if not candidates:
        return claims[0].evidence if claims else ""
    column = model.statuses.index(status)

    def alone(passage: Passage) -> float:
        own = [c for c in claims if c.evidence == passage.text]
        return float(model.probabilities(features([passage], own, category, rank))[column])

    return max(candidates, key=alone).text
