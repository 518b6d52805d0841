"""Statuses: the cues' claims (the rules, now the reader's labeling functions and features) with one sentence per
rule family, reading rules (negation, future, earlier states), cue assignment and headline references; and the
production path (item_updates, the trained reader): one update per item, its evidence, confidence, times, amounts."""

from __future__ import annotations

import re

import pytest

from cpec_watch.parsers.items import load_catalogue
from cpec_watch.parsers.quantities import find_amounts, find_times
from cpec_watch.parsers.status import STATUSES, article_claims, item_updates, precedence
from cpec_watch.parsers.status_model import winner
from tests.conftest import shared_file

CATALOGUE = load_catalogue()
HEADLINES = {  # an item of each category, named by the headline; the lead sentence under test refers to it
    "rail": ("ML-1 railway upgrade", "ml-1"),
    "port": ("Gwadar port", "gwadar-port"),
    "border": ("Torkham border", "torkham-border"),
    "energy": ("Kohala hydropower project", "azad-pattan-kohala-hydro"),
    "committee": ("CPEC JCC", "jcc"),
    "sez": ("Rashakai SEZ", "rashakai-sez"),
    "road": ("M-6 motorway", "m6-motorway"),
}


def rule_statuses(title: str | None, paragraphs: list[str]) -> dict[str, str]:
    """Per item, the status the rules' winning claim gives it (``mentioned`` when no cue is read)."""
    found = {}
    for slug, claims in article_claims(title, paragraphs, CATALOGUE).items():
        best = winner(claims, precedence)
        found[slug] = best.status if best else "mentioned"
    return found


def headline_status(sentence: str, category: str) -> str:
    """The rules' status for the headline's item when the lead's first sentence is ``sentence``."""
    headline, slug = HEADLINES[category]
    return rule_statuses(headline, [sentence])[slug]


def test_statuses_are_exactly_those_the_status_guide_defines():
    guide = shared_file("STATUS-GUIDE.md").read_text(encoding="utf-8")
    assert set(STATUSES) == set(re.findall(r"^\| `([a-z-]+)` \|", guide, re.M))


@pytest.mark.parametrize(
    "sentence, category, expected",
    [
        ("The project has been scrapped by the new government.", "rail", "cancelled"),
        ("Work has stalled due to unpaid dues to the contractor.", "rail", "stalled"),
        ("No progress could be achieved on the port in four years.", "port", "stalled"),
        ("The crossing remained closed for trade on Sunday.", "border", "stalled"),
        ("The opening has been postponed to March.", "port", "delayed"),
        ("Work on the project has not started yet.", "energy", "delayed"),
        ("The 14th meeting was held in Beijing on Friday.", "committee", "meeting-held"),
        ("Pakistan and China opened the 14th meeting of the committee.", "committee", "meeting-held"),
        ("The new terminal was inaugurated by the prime minister.", "port", "inaugurated"),
        ("The zone was inaugurated by the prime minister.", "sez", "groundbreaking"),  # a zone's works begin
        ("The terminal is now fully operational.", "border", "operational"),
        ("Gwadar has transformed from a fishing town into a key maritime hub.", "port", "operational"),
        ("The first section has been completed ahead of schedule.", "road", "completed"),
        ("The prime minister performed the groundbreaking on Monday.", "road", "groundbreaking"),
        ("Work is underway on the northern section.", "road", "under-construction"),
        ("Work on this project has already begun.", "rail", "under-construction"),
        ("The two sides signed a financing agreement for the line.", "rail", "financing"),
        ("ECNEC approved the revised PC-1 on Tuesday.", "rail", "approved"),
        ("Plans for a cargo train are currently under review.", "rail", "under-review"),
        ("The minister proposed a new economic zone in Karachi.", "sez", "proposed"),
        ("The line runs through Punjab.", "rail", "mentioned"),
    ],
)
def test_each_rule_has_a_sentence(sentence, category, expected):
    assert headline_status(sentence, category) == expected


@pytest.mark.parametrize(
    "sentence, category, expected",
    [
        ("The project has not been approved.", "rail", "under-review"),  # negation drops "approved"
        ("The scheme is still awaiting approval from ECNEC.", "rail", "under-review"),
        ("The zone will be launched in September.", "sez", "proposed"),  # future launch is a plan
        ("The road is expected to be completed by 2030.", "road", "under-construction"),  # future completion
        ("The forthcoming meeting will be held in October.", "committee", "proposed"),
        ("Trade resumed after remaining shut for ten days.", "border", "operational"),  # "after" = earlier state
        ("The committee approved twelve projects.", "committee", "meeting-held"),  # it met; the projects are approved
        ("The line was approved in 2020 but work has stalled.", "rail", "stalled"),  # the later, current state
    ],
)
def test_reading_rules(sentence, category, expected):
    assert headline_status(sentence, category) == expected


def statuses(text: str) -> dict[str, str]:
    return rule_statuses(None, [text])


def test_cue_goes_to_the_mention_it_precedes():
    text = (
        "Officials discussed the agenda for the Joint Working Group on Industrial Cooperation and the forthcoming"
        " JCC in Beijing."
    )
    assert statuses(text) == {"jwg-industrial-cooperation": "mentioned", "jcc": "proposed"}


def test_cue_skips_the_object_of_a_preposition():
    text = "The mining corridor linking Chaghi with Gwadar port was approved in principle."
    assert statuses(text) == {"mining-corridor": "approved", "gwadar-port": "mentioned"}


def test_cpec_itself_absorbs_its_own_cues():
    text = "CPEC, launched in 2015, built motorways, power plants and the Gwadar port."
    assert statuses(text) == {"gwadar-port": "mentioned"}


def test_coordinated_mentions_share_a_cue():
    assert statuses("Border markets at Khunjerab and Torkham are planned.") == {
        "khunjerab-border": "proposed",
        "torkham-border": "proposed",
    }


def test_committee_approval_goes_to_the_project():
    assert statuses("The JCC approved the inclusion of the Karachi Circular Railway in CPEC.") == {
        "jcc": "meeting-held",
        "karachi-circular-railway": "approved",
    }


def test_one_update_per_item_the_lead_over_the_body_with_its_evidence():
    paragraphs = [
        "Plans for a cargo train from Kohat to Afghanistan are currently under review, he added.",
        "He said the factories at Rashakai SEZ will grow.",
        "He said the train from Kohat to Central Asia would boost trade. Work on this project has already begun.",
    ]
    updates = item_updates("CPEC Phase II", paragraphs, CATALOGUE)
    assert [u.slug for u in updates] == ["kohat-cargo-train", "rashakai-sez"]
    kohat = updates[0]
    assert kohat.status == "under-review"  # the lead's state, not the body's
    assert kohat.evidence == paragraphs[0]
    body_only = ["Trade grew.", paragraphs[1], paragraphs[2]]
    assert rule_statuses("CPEC Phase II", body_only)["kohat-cargo-train"] == "under-construction"  # "this project"
    sentences = [
        "He said the train from Kohat to Central Asia would boost trade.",
        "Work on this project has already begun.",
    ]
    assert item_updates("CPEC Phase II", body_only, CATALOGUE)[1].evidence in sentences  # one that speaks of it
    assert updates[1].evidence == paragraphs[1]  # its only sentence (its status is the reader's: cross-validated)
    assert 0 < kohat.confidence <= 1


def test_update_carries_times_and_amounts_of_its_evidence():
    [update] = item_updates(
        None, ["The Rashakai SEZ will be launched in September at a cost of Rs85 billion."], CATALOGUE
    )
    assert (update.status, update.times, update.amounts) == ("proposed", ("in September",), ("Rs85 billion",))


def test_no_items_no_updates():
    assert item_updates("Weather", ["Rain lashed Karachi, Gwadar and Quetta."], CATALOGUE) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It will be launched in September.", ("in September",)),
        ("Clean energy by 2030 is the goal.", ("by 2030",)),
        ("It was completed six months before the deadline.", ("six months before the deadline",)),
        ("Tenders will open next year.", ("next year",)),
        ("The draft was shared in early November 2020.", ("in early November 2020",)),
        ("Phase two ends by December 2026, within two years.", ("by December 2026", "within two years")),
        ("The JCC is due in October/November this year.", ("in October/November this year",)),
        ("No progress for the last four years.", ("for the last four years",)),
        ("The port opened by the end of 2025.", ("by the end of 2025",)),
        ("Nothing about time here.", ()),
    ],
)
def test_find_times(text, expected):
    assert find_times(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Companies signed deals worth $8.5 billion.", ("$8.5 billion",)),
        ("A Rs85 billion package and US$ 6.8bn loan.", ("Rs85 billion", "US$ 6.8bn")),
        ("The plan costs Rs. 1.2 trillion.", ("Rs. 1.2 trillion",)),
        ("China pledged 500 million dollars.", ("500 million dollars",)),
        ("PKR 300 billion and USD 2 billion were sought.", ("PKR 300 billion", "USD 2 billion")),
        ("It employs 20,000 workers in 2025.", ()),
    ],
)
def test_find_amounts(text, expected):
    assert find_amounts(text) == expected
