"""Relevance rules: one regex over CPEC terms plus catalogue names."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpec_watch.parsers.relevance import DEFAULT_TERMS, RelevanceRules

RULES = RelevanceRules.from_terms(DEFAULT_TERMS)


@pytest.mark.parametrize(
    "text",
    [
        "Talks on the China-Pakistan Economic Corridor resumed.",
        "talks on the china pakistan economic corridor resumed",
        "the China–Pakistan Economic Corridor (en dash)",
        "the China-Pakistan\nEconomic Corridor across a line break",
        "CPEC's second phase",
        "Phase II of cpec",
        "the ML-1 railway",
        "the ML 1 railway",
        "ML1 upgrade",
        "Main Line-1 upgrade",
        "Main Line 1 upgrade",
        "Gwadar port",
        "factories at Rashakai",
        "Dhabeji zone",
        "Allama Iqbal Industrial City in Faisalabad",
        "Alama Iqbal Industrial City (as misspelt in seed 004)",
        "border market at Khunjerab Pass",
        "two special economic zones",
        "the Joint Cooperation Committee met",
    ],
)
def test_default_terms_match(text: str) -> None:
    assert RULES.matches(text)


@pytest.mark.parametrize(
    "text",
    [
        "ICPEC is not a word we track",
        "the ML-10 motorway",
        "an MLA-1 form",
        "Gwadarport without a space is another word",
        "Prices of wheat rose in Lahore.",
        "",
    ],
)
def test_whole_words_only(text: str) -> None:
    assert not RULES.matches(text)


def test_matches_any_of_several_texts() -> None:
    assert RULES.matches("Wheat prices", "", "Gwadar update")
    assert not RULES.matches("Wheat prices", "Cotton prices")
    assert not RULES.matches()


def test_extra_terms_are_escaped() -> None:
    rules = RelevanceRules.from_terms([*DEFAULT_TERMS, "Kohat (cargo) train", "a.b*c", "  ", "C++ [draft]"])
    assert rules.matches("the Kohat (cargo) train")
    assert rules.matches("the Kohat ( cargo ) train")
    assert not rules.matches("the Kohat cargo train")
    assert rules.matches("a.b*c") and not rules.matches("axbbc")
    assert rules.matches("the C++ [draft]")
    assert "" not in rules.terms


def test_catalogue_names_and_aliases() -> None:
    rules = RelevanceRules.from_terms(["Kohat cargo train", "Rashakai SEZ", "M-3"])
    assert rules.matches("Plans for a Kohat-cargo train are under review")
    assert rules.matches("Rashakai SEZs are filling up")
    assert rules.matches("Allama Iqbal Industrial City (M3)")
    assert not rules.matches("Gwadar")  # only the given terms


def test_equality_ignores_the_compiled_pattern_and_repeats() -> None:
    assert RelevanceRules.from_terms(["CPEC", "Gwadar", "CPEC"]) == RelevanceRules.from_terms(["CPEC", "Gwadar"])
    assert RelevanceRules.from_terms(["CPEC", "Gwadar"]).terms == ("CPEC", "Gwadar")


def test_no_terms_match_nothing() -> None:
    assert not RelevanceRules.from_terms([]).matches("CPEC")


def test_every_seed_is_relevant(seeds_dir: Path) -> None:
    for path in seeds_dir.glob("*.txt"):
        assert RULES.matches(path.read_text(encoding="utf-8")), path.name
