"""Train the status reader (parsers/status_reader.py) on the development reporting and write its model card.

    python3 tasks.py train-status      # writes config/status_model.json.gz and docs/status-model.md

Only the development part is read (tests/fixtures/reporting/dev*.toml and the seeds): the held-out parts never
shape the model. Every labeled (article, item) pair whose item the catalogue finds is one example. The
regularization is chosen by 5-fold cross-validation grouped by story (copies of one event never straddle a
fold); the calibration temperature is fitted on the out-of-fold predictions, and so is the announcement
threshold: the lowest probability from which readings of a status other than ``mentioned`` are right at least
90% of the time. Deterministic: the same fixtures give the same file.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from cpec_watch.parsers.items import Catalogue, load_catalogue
from cpec_watch.parsers.status import STATUSES, article_claims, precedence
from cpec_watch.parsers.status_reader import MODEL_FILE, Model, features, passages
from tests.support.quality import FIXTURES, PARTS, REPORTING, SECOND_READING, Labeled, Read, load, timelines

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "config" / MODEL_FILE
CARD = ROOT / "docs" / "status-model.md"
C_GRID = (0.3, 1.0, 3.0)
WEIGHTS = ("balanced", None)  # each status counts as much as the others, or as often as it is labeled
MIN_COUNT = 2  # a feature seen in fewer training examples is dropped
FOLDS = 5
TARGET_PRECISION = 0.90
TRAINING_FILES = [
    FIXTURES / "labeled" / "seeds.toml",
    *(REPORTING / name for name in PARTS["dev"]),
    REPORTING / SECOND_READING,
]


@dataclass(frozen=True)
class Examples:
    """One row per labeled (article, item) pair the catalogue finds: features, label, story, second reading."""

    rows: list[dict[str, float]]
    labels: list[str]
    groups: list[str]
    also: list[str | None]
    items: list[str]
    days: list[str]

    def reads(self, predicted: Sequence[str], confidence: np.ndarray) -> list[Read]:
        """The examples with the given readings, as the quality measure takes them."""
        return [
            Read(item, story, day, label, also, status, float(p))
            for item, story, day, label, also, status, p in zip(
                self.items, self.groups, self.days, self.labels, self.also, predicted, confidence, strict=True
            )
        ]


def examples(cases: Sequence[Labeled], catalogue: Catalogue) -> Examples:
    rows, labels, groups, also, items, days = [], [], [], [], [], []
    for case in cases:
        claims = article_claims(case.title, case.paragraphs, catalogue)
        found = passages(case.title, case.paragraphs, catalogue)
        for slug, status in case.expect.items():
            if slug not in claims:
                continue  # the item is not found: the matcher's miss, not the reader's
            rows.append(features(found.get(slug, []), claims[slug], catalogue.item(slug).category, precedence))
            labels.append(status)
            groups.append(case.story)
            also.append(case.also.get(slug))
            items.append(slug)
            days.append(case.published)
    return Examples(rows, labels, groups, also, items, days)


def fit(rows: list[dict[str, float]], labels: list[str], c: float, weight: str | None) -> Model:
    """A model over the features seen at least MIN_COUNT times, temperature 1."""
    counts = Counter(name for row in rows for name in row)
    kept = [{k: v for k, v in row.items() if counts[k] >= MIN_COUNT} for row in rows]
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(kept)
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight=weight)
    classifier.fit(x, labels)
    names = list(vectorizer.get_feature_names_out())
    weights = (
        classifier.coef_.T if len(classifier.classes_) > 2 else np.hstack([-classifier.coef_.T, classifier.coef_.T])
    )
    return Model(
        tuple(str(s) for s in classifier.classes_),
        {name: i for i, name in enumerate(names)},
        np.asarray(weights, dtype=np.float64),
        np.asarray(classifier.intercept_, dtype=np.float64),
        1.0,
    )


def out_of_fold(data: Examples, c: float, weight: str | None) -> np.ndarray:
    """Every example's logits (log-probabilities at temperature 1, in STATUSES order) from a model that never saw
    its story."""
    logits = np.zeros((len(data.labels), len(STATUSES)))
    for train, test in GroupKFold(n_splits=FOLDS).split(data.rows, data.labels, data.groups):
        model = fit([data.rows[i] for i in train], [data.labels[i] for i in train], c, weight)
        for i in test:
            raw = np.log(np.clip(model.probabilities(data.rows[i]), 1e-12, 1.0))
            row = np.full(len(STATUSES), -30.0)
            for j, status in enumerate(model.statuses):
                row[STATUSES.index(status)] = raw[j]
            logits[i] = row
    return logits


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    scaled = logits / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def right(data: Examples, predicted: Sequence[str]) -> np.ndarray:
    return np.array([p in (label, also) for p, label, also in zip(predicted, data.labels, data.also, strict=True)])


def temperature(logits: np.ndarray, labels: list[str]) -> float:
    """The temperature that minimizes the out-of-fold negative log-likelihood."""
    truth = np.array([STATUSES.index(label) for label in labels])

    def nll(t: float) -> float:
        p = softmax(logits, t)[np.arange(len(truth)), truth]
        return float(-np.log(np.clip(p, 1e-12, 1.0)).mean())

    return float(min(np.arange(0.3, 3.01, 0.05), key=nll))


def calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the gap between confidence and accuracy, weighted over equal-width bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(total)


def threshold(found: list[Read]) -> float:
    """The lowest weight of evidence from which the changes the items' timelines announce are right at least
    TARGET_PRECISION of the time (at least 10 of them)."""
    for t in np.arange(0.30, 3.001, 0.05):
        flows = timelines(found, float(t))
        if flows.announced >= 10 and flows.change_precision >= TARGET_PRECISION:
            return round(float(t), 2)
    return 3.0


@dataclass(frozen=True)
class Evaluation:
    """Out-of-fold figures of one regularization."""

    c: float
    weight: str | None
    temperature: float
    predicted: list[str]
    confidence: np.ndarray
    correct: np.ndarray

    def accuracy(self, data: Examples) -> float:
        """On the pairs labeled with a status (not ``mentioned``), as the quality measure counts."""
        mask = np.array([label != "mentioned" for label in data.labels])
        return float(self.correct[mask].mean())


def evaluate(data: Examples, c: float, weight: str | None) -> Evaluation:
    logits = out_of_fold(data, c, weight)
    t = temperature(logits, data.labels)
    probabilities = softmax(logits, t)
    predicted = [STATUSES[j] for j in probabilities.argmax(axis=1)]
    return Evaluation(c, weight, t, predicted, probabilities.max(axis=1), right(data, predicted))


def data_hash(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def card(
    data: Examples, best: Evaluation, tried: dict[str, float], cut: float, digest: str, size: int, features: int
) -> str:
    """The model card: data, selection, out-of-fold per-status figures, timelines, confusion, calibration."""
    flows = timelines(data.reads(best.predicted, best.confidence), cut)
    lines = [
        "# Status reader — model card",
        "",
        "Written by `python3 tasks.py train-status` (tests/support/train_status.py); do not edit by hand.",
        "",
        "- **What it does**: (article, tracked item) → one of the 14 statuses of `../shared/STATUS-GUIDE.md`, with a",
        "  calibrated probability (`parsers/status_reader.py`).",
        "- **Model**: multinomial logistic regression (scikit-learn, L2) over the masked words of the sentences that",
        "  name the item, the words just before and after it, the status cues' claims, the rules' own choice and the",
        "  item's category; temperature-scaled.",
        f"- **Data**: the development reporting ({len(set(data.groups))} stories, {len(data.labels)} labeled"
        f" pairs whose item the catalogue finds); sha256 of the files `{digest[:16]}`. Held-out parts unused.",
        f"- **File**: `config/{MODEL_FILE}`, {size / 1024:.0f} KiB, {features} features; numpy at run time.",
        f"- **Selection**: C and class weights by {FOLDS}-fold cross-validation grouped by story"
        " (accuracy on status-bearing pairs): "
        + ", ".join(f"{setting}: {a:.3f}" for setting, a in tried.items())
        + f"; chosen {setting_name(best.c, best.weight)}, temperature {best.temperature:.2f}.",
        "",
        "## Cross-validated figures (grouped by story, out of fold)",
        "",
        f"- status accuracy on pairs labeled with a status (not `mentioned`): **{best.accuracy(data):.3f}**",
        f"- accuracy on all pairs (`mentioned` included): {best.correct.mean():.3f}",
        f"- expected calibration error (10 bins): **{calibration_error(best.confidence, best.correct):.3f}**",
        f"- announcement threshold (weight of evidence): **{cut:.2f}**, the lowest at which the changes the items'"
        " timelines announce"
        f" (articles in date order, one reading per story) are right {TARGET_PRECISION:.0%} of the time: precision"
        f" {flows.change_precision:.3f} ({flows.announced_right}/{flows.announced}); labeled changes announced right"
        f" {flows.change_recall:.3f} ({flows.labeled_changes_announced}/{flows.labeled_changes}); current state"
        f" right for {flows.state_accuracy:.3f} of items ({flows.items_right}/{flows.items})",
        "",
        "What other thresholds (`[status] announce` in the config file) would trade, out of fold:",
        "",
        "| announce | changes announced | right | labeled changes announced right |",
        "|---|---|---|---|",
        *(
            _tradeoff(data.reads(best.predicted, best.confidence), t)
            for t in sorted({0.5, 0.7, 0.9, 1.2, 1.5, 2.0, cut})
        ),
        "",
        "| status | labeled | precision | recall |",
        "|---|---|---|---|",
    ]
    for status in STATUSES:
        labeled = [i for i, label in enumerate(data.labels) if label == status]
        said = [i for i, p in enumerate(best.predicted) if p == status]
        precision = best.correct[said].mean() if said else float("nan")
        recall = best.correct[labeled].mean() if labeled else float("nan")
        lines.append(f"| {status} | {len(labeled)} | {precision:.2f} | {recall:.2f} |")
    lines += ["", "## Calibration (out of fold)", "", "| probability | readings | right |", "|---|---|---|"]
    edges = np.linspace(0.0, 1.0, 6)
    for low, high in itertools.pairwise(edges):
        inside = (best.confidence > low) & (best.confidence <= high)
        if inside.any():
            lines.append(f"| {low:.1f}–{high:.1f} | {inside.sum()} | {best.correct[inside].mean():.2f} |")
    lines += ["", "## Confusion (rows: label, columns: reading; out of fold)", ""]
    short = [s[:6] for s in STATUSES]
    lines += ["| label | " + " | ".join(short) + " |", "|---" * (len(STATUSES) + 1) + "|"]
    pairs = Counter(zip(data.labels, best.predicted, strict=True))
    for status in STATUSES:
        lines.append(f"| {status} | " + " | ".join(str(pairs[(status, p)] or "") for p in STATUSES) + " |")
    return "\n".join(lines) + "\n"


def _tradeoff(found: list[Read], announce: float) -> str:
    flows = timelines(found, announce)
    return (
        f"| {announce:.2f} | {flows.announced} | {flows.change_precision:.2f} |"
        f" {flows.change_recall:.2f} ({flows.labeled_changes_announced}/{flows.labeled_changes}) |"
    )


def setting_name(c: float, weight: str | None) -> str:
    return f"C={c:g}" + (f" {weight}" if weight else "")


def main() -> int:
    catalogue = load_catalogue()
    data = examples(load("dev"), catalogue)
    tried: dict[str, float] = {}
    evaluations = []
    for c, weight in itertools.product(C_GRID, WEIGHTS):
        evaluation = evaluate(data, c, weight)
        tried[setting_name(c, weight)] = evaluation.accuracy(data)
        evaluations.append(evaluation)
        print(
            f"{setting_name(c, weight)}: cross-validated status accuracy {evaluation.accuracy(data):.3f}",
            file=sys.stderr,
        )
    best = max(evaluations, key=lambda e: e.accuracy(data))
    cut = threshold(data.reads(best.predicted, best.confidence))
    final = fit(data.rows, data.labels, best.c, best.weight)
    model = Model(final.statuses, final.index, final.weights, final.bias, best.temperature, cut)
    digest = data_hash(TRAINING_FILES)
    trained = {
        "c": best.c,
        "class_weight": best.weight,
        "cv_accuracy": round(best.accuracy(data), 4),
        "data_sha256": digest,
    }
    payload = json.dumps(model.to_json() | {"trained": trained}, separators=(",", ":"))
    MODEL.write_bytes(gzip.compress(payload.encode(), mtime=0))
    text = card(data, best, tried, cut, digest, MODEL.stat().st_size, len(model.index))
    CARD.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL.relative_to(ROOT)} and {CARD.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
