"""Relevance: the term regex, the screen of feed entries and the full-text verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpec_watch.parsers.items import Catalogue, TrackedItem
from cpec_watch.parsers.relevance import DEFAULT_TERMS, Relevance, RelevanceRules, is_about_cpec, judge, screen

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


# Screen and verdict, on a small catalogue of our own (the default one is edited as items are tuned).
CATALOGUE = Catalogue(
    items=(
        TrackedItem(
            slug="gwadar-port", name="Gwadar Port", aliases=("Gwadar port",), category="port",
            weak_aliases=("Gwadar",), requires=("port", "ship"),
        ),
        TrackedItem(
            slug="kohat-cargo-train", name="Kohat cargo train", aliases=("Kohat cargo train",), category="rail",
            weak_aliases=("Kohat",), requires=("cargo", "freight"),
        ),
        TrackedItem(slug="kkh", name="Karakoram Highway", aliases=("Karakoram Highway", "KKH"), category="road"),
        TrackedItem(slug="khunjerab", name="Khunjerab", aliases=("Khunjerab", "Khunjerab Pass"), category="border"),
        TrackedItem(slug="jcc", name="CPEC JCC", aliases=("Joint Cooperation Committee",), category="committee"),
    ),
    ignore=("Khunjerab National Park",),
)  # fmt: skip
PADDING = (
    "Officials said the details would be shared with the media in due course.",
    "The meeting was attended by senior officers of the departments concerned.",
)


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("CPEC's second phase to focus on industry", ""),
        ("Ships queue at Gwadar port", ""),
        ("Traders welcome a busier season", "Exports through the Khunjerab Pass rose sharply this month."),
    ],
)
def test_screen_yes_names_cpec_or_a_tracked_item(title: str, summary: str) -> None:
    assert screen(title, summary, CATALOGUE, RULES) == "yes"


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("PM breaks ground on industrial estate", ""),
        ("Railways plans to restore dormant lines", "Several closed routes are to reopen."),
        ("Work begins on new highway section", ""),
        ("Chinese delegation calls on minister", ""),
        ("Minister reviews progress", "The planning minister chaired a meeting on ongoing schemes."),
        ("Kohat to get a new link", ""),  # a tracked item's ambiguous name without its context
    ],
)
def test_screen_maybe_is_on_topic_but_undecided(title: str, summary: str) -> None:
    assert screen(title, summary, CATALOGUE, RULES) == "maybe"


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Babar Azam hits a century as Pakistan beat England", "The captain's knock sealed the T20I series."),
        ("Met Office forecasts rain in Lahore", "Temperatures are expected to drop over the weekend."),
        ("Actress wins award for her debut film", ""),
        ("Kohat police step up snap checks", "Checkpoints were set up on the highway and at railway crossings."),
        ("High court grants bail to former minister", "The bench heard arguments on the petition."),
        ("KSE-100 gains 800 points", "Shares rose on lower yields."),
        ("Snow leopards caught on camera in Khunjerab National Park", ""),
    ],
)
def test_screen_no_for_off_topic_entries(title: str, summary: str) -> None:
    assert screen(title, summary, CATALOGUE, RULES) == "no"


def test_vague_headline_is_read_and_kept_on_its_body() -> None:
    title = "Work begins on new highway section"
    body = article(
        "Ground levelling has started on a 24-kilometre stretch of the Karakoram Highway near Dasu.",
        "A Chinese contractor said bridges and two short tunnels would follow.",
    )
    assert judge(title, "", body, CATALOGUE) == Relevance(True, True)


def test_cricket_is_never_read() -> None:
    body = article("Pakistan beat England by ten wickets in Karachi.", "The series is level at 1-1.")
    assert judge("Babar Azam hits a second T20I century", "", body, CATALOGUE) == Relevance(False, False)


def test_passing_mention_of_cpec_in_an_imf_story_is_rejected() -> None:
    title = "IMF staff reach agreement with Pakistan on final tranche"
    body = article(
        "The IMF said it had reached a staff-level agreement on the last review of the $3 billion programme.",
        "The board is expected to take up the review next month, clearing $1.1 billion.",
        "Officials said repayments on earlier loans, including some taken for CPEC power plants, remained a concern.",
        "The central bank kept its policy rate unchanged.",
    )
    assert not is_about_cpec(title, body, CATALOGUE, RULES)
    assert judge(title, "", body, CATALOGUE, topical=True) == Relevance(False, True)


def test_kohat_police_story_is_rejected() -> None:
    title = "Kohat police step up snap checks"
    body = article(
        "Kohat police have set up checkpoints on highways and near the railway station to keep law and order.",
        "Officers are checking freight trucks and passing vehicles, the district police officer said.",
    )
    assert screen(title, "", CATALOGUE, RULES) == "no"
    assert not is_about_cpec(title, body, CATALOGUE, RULES)


@pytest.mark.parametrize(
    ("title", "paragraphs"),
    [
        ("Minister reviews progress", ("The minister reviewed work on the China-Pakistan Economic Corridor.",)),
        ("Minister reviews progress", (*PADDING, "He praised CPEC.", "CPEC's second phase was discussed.")),
        ("New berth opens", ("Officials said the Gwadar port can now take larger ships.", *PADDING)),
        ("Trade picks up", (*PADDING, "Trucks crossed the Khunjerab Pass.", "The Khunjerab route stays open.")),
        (
            "Railways plans to restore dormant lines",
            (*PADDING, "A line to Kharlachi is also planned.", "Work on a Kohat freight link is under study."),
        ),
        (
            "Chinese firms eye Pakistan",
            (
                "Chinese firms are looking at several sectors.",
                *PADDING,
                *PADDING,
                "One of them is studying the Karakoram Highway.",
            ),
        ),
    ],
)
def test_full_text_keeps_cpec_and_items_named_meaningfully(title: str, paragraphs: tuple[str, ...]) -> None:
    assert is_about_cpec(title, article(*paragraphs), CATALOGUE, RULES)


@pytest.mark.parametrize(
    ("title", "paragraphs"),
    [
        ("Petrol price raised by Rs4", ("The government raised petrol prices.", *PADDING, "CPEC was not discussed.")),
        ("Rupee gains against dollar", ("The rupee rose.", *PADDING, *PADDING, "Trade via the Karakoram Highway.")),
        ("Protesters block road in Gwadar", ("Thousands blocked the road to Gwadar port over water shortages.",)),
        ("Snow leopards in Khunjerab National Park", ("A survey found three leopards.", "Khunjerab is remote.")),
        ("Visitors flock to Khunjerab National Park", ("Hotels are full.", "Khunjerab is cold even in June.")),
    ],
)
def test_full_text_rejects_passing_mentions_and_other_stories(title: str, paragraphs: tuple[str, ...]) -> None:
    assert not is_about_cpec(title, article(*paragraphs), CATALOGUE, RULES)


def test_a_users_own_terms_count_like_cpec() -> None:
    rules = RelevanceRules.from_terms([*DEFAULT_TERMS, "Thar coal"])
    body = article("Output from the Thar coal blocks rose in the quarter.", *PADDING)
    assert screen("Thar coal output rises", "", CATALOGUE, rules) == "yes"
    assert is_about_cpec("Output rises", body, CATALOGUE, rules)
    assert not is_about_cpec("Output rises", body, CATALOGUE, RULES)
