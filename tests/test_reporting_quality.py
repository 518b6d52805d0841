"""Quality on labeled real reporting (tests/fixtures/reporting).

``python3 tasks.py quality`` prints the full tables (per status and per item) for every part. The development part
shaped the rules and trains the status reader: CI gates on the reader's cross-validation there (grouped by story),
which ``python3 tasks.py train-status`` wrote into the shipped model; item detection and relevance, which are
rules, keep their floors on it. The held-out parts are scored once and reported, never pinned: a floor would make
them a tuning set. Floors are measured figures minus a small margin (0.02): raise them when the reading gets
better, never lower one to make a change pass.
"""

from __future__ import annotations

import gzip
import json
import tomllib
from collections import Counter
from importlib import resources

import pytest

from cpec_watch.parsers.items import load_catalogue
from cpec_watch.parsers.status import STATUSES
from tests.support.quality import PARTS, REPORTING, load, score
from tests.support.train_status import TRAINING_FILES, data_hash, evaluate, examples

# Measured (python3 tasks.py quality, 2026-12-08) on the development part, minus 0.02. The part grew from 418 to
# 1,101 articles that day (dev3_*.toml): the floors were measured again on the larger part, whose new non-CPEC
# articles are harder (other zones, non-CPEC trains and mills: 0.936 -> 0.615 rejected), not lowered for a change
# in the code. Relevance is issue 17's.
FLOORS = {"precision": 0.92, "recall": 0.92, "cpec_kept": 0.97, "other_rejected": 0.59}
CV_FLOOR = 0.55  # the reader's cross-validated status accuracy (docs/status-model.md: 0.574), minus 0.02
CALIBRATION_CEILING = 0.05  # expected calibration error of its cross-validated probabilities


@pytest.fixture(scope="module")
def development():  # type: ignore[no-untyped-def]
    return score(load("dev"), load_catalogue())


def test_item_and_relevance_floors_on_the_development_part(development) -> None:  # type: ignore[no-untyped-def]
    assert development.ratio("precision") >= FLOORS["precision"]
    assert development.ratio("recall") >= FLOORS["recall"]
    assert development.cpec_kept >= FLOORS["cpec_kept"]
    assert development.other_rejected >= FLOORS["other_rejected"]


def shipped_training() -> dict[str, object]:
    raw = resources.files("cpec_watch.config").joinpath("status_model.json.gz").read_bytes()
    return dict(json.loads(gzip.decompress(raw))["trained"])


def test_the_shipped_reader_was_trained_on_the_development_part_as_it_is() -> None:
    assert shipped_training()["data_sha256"] == data_hash(TRAINING_FILES), "run: python3 tasks.py train-status"


def test_the_reader_cross_validates_on_the_development_part() -> None:
    """Grouped by story, the shipped setting reproduces the model card's figures and clears the floors."""
    trained = shipped_training()
    data = examples(load("dev"), load_catalogue())
    found = evaluate(data, float(trained["c"]), trained["class_weight"])  # type: ignore[arg-type]
    assert abs(found.accuracy(data) - float(trained["cv_accuracy"])) < 0.005  # train-status is reproducible
    assert found.accuracy(data) >= CV_FLOOR
    from tests.support.train_status import calibration_error

    assert calibration_error(found.confidence, found.correct) <= CALIBRATION_CEILING


def raw_articles(name: str) -> list[dict]:
    return tomllib.loads((REPORTING / name).read_text(encoding="utf-8"))["articles"]


def test_the_development_set_is_broad_enough() -> None:
    articles = [a for name in PARTS["dev"] for a in raw_articles(name)]
    cases = [(slug, status) for a in articles for slug, status in a.get("expect", {}).items()]
    assert len(articles) >= 1100 and len(cases) >= 1450
    assert len({a["outlet"] for a in articles}) >= 40
    years = {a["published"][:4] for a in articles if a.get("published")}
    assert min(years) <= "2016" and max(years) >= "2025"
    assert {slug for slug, _ in cases} == {item.slug for item in load_catalogue().items}
    assert {status for _, status in cases} == set(STATUSES)
    assert sum(1 for a in articles if not a.get("cpec", True)) >= 80  # non-CPEC economy news
    assert sum(1 for a in articles if a.get("cpec", True) and not a.get("expect")) >= 5  # hard negatives


def test_new_records_carry_evidence_found_in_their_own_text() -> None:
    for name in PARTS["dev"] + PARTS["heldout3"]:
        for article in raw_articles(name):
            if "evidence" not in article:
                continue  # the records written before evidence was asked for
            text = [article["title"], *article["paragraphs"]]
            for slug, sentences in article["evidence"].items():
                assert slug in article["expect"], (name, article["url"], slug)
                for sentence in sentences:
                    assert any(sentence in block for block in text), (name, article["url"], sentence[:60])


def test_every_case_records_its_source_and_the_held_out_parts_are_separate() -> None:
    dev = {
        a["url"].removeprefix("https://").removeprefix("http://").removeprefix("www.")
        for name in PARTS["dev"]
        for a in raw_articles(name)
    }
    for part in ("heldout", "heldout2", "heldout3"):
        held = [a for name in PARTS[part] for a in raw_articles(name)]
        urls = {a["url"].removeprefix("https://").removeprefix("http://").removeprefix("www.") for a in held}
        assert len(held) >= 45 and sum(len(a.get("expect", {})) for a in held) >= 100
        assert all(a["url"].startswith("http") for a in held)
        assert not dev & urls, (part, sorted(dev & urls)[:3])
    assert all(a["url"].startswith("http") for name in PARTS["dev"] for a in raw_articles(name))
    held = raw_articles("heldout.toml")
    assert Counter(status for a in held for status in a.get("expect", {}).values()).keys() == set(STATUSES)
