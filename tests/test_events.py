"""Event signatures (parsers/events.py): names, figures and headline words, their score and their index keys."""

from __future__ import annotations

from datetime import date

from cpec_watch.parsers.events import (
    EVENT_DAYS,
    EVENT_THRESHOLD,
    TEXT_ONLY_THRESHOLD,
    event_keys,
    event_score,
    jaccard,
    same_story,
    signature,
)

SIGNING = (
    "Planning Minister Ahsan Iqbal said on Monday that Pakistan and China signed a $2.5 billion agreement for "
    "the 1,124 MW Kohala Hydropower Project at a ceremony in Islamabad attended by Prime Minister Imran Khan."
)
REWORDED = (
    "A $2.5 billion deal for the 1,124 MW Kohala Hydropower Project was inked in Islamabad, with Prime Minister "
    "Imran Khan looking on; Ahsan Iqbal called it historic."
)
OTHER_EVENT = (
    "The Kohala hydropower project will be reviewed next month, the Private Power and Infrastructure Board said, "
    "after its financial close slipped for the third time since 2019."
)


def test_signature_reads_names_figures_and_headline() -> None:
    sig = signature(SIGNING, "Kohala power deal signed")
    assert {"Planning Minister Ahsan Iqbal", "Kohala Hydropower Project", "Prime Minister Imran Khan"} <= sig.names
    assert {"2.5", "1124"} <= sig.figures
    assert sig.headline == {"kohala", "power", "deal", "signed"}
    assert "f:1124" in sig.lead and "n:planning minister ahsan iqbal" in sig.lead


def test_years_are_figures_but_not_keys() -> None:
    sig = signature(OTHER_EVENT)
    assert "2019" in sig.figures
    assert not any(token.startswith("f:2019") for token in sig.lead)


def test_no_text_no_signature() -> None:
    sig = signature("", None)
    assert not sig.names and not sig.figures and not sig.headline and sig.lead == ()
    assert jaccard(sig.names, sig.names) == 0.0


def test_a_reworded_copy_scores_above_another_event_of_the_project() -> None:
    a, b, c = signature(SIGNING, "Kohala deal signed"), signature(REWORDED, "Kohala deal inked"), signature(OTHER_EVENT)
    assert event_score(0.2, a, b) >= EVENT_THRESHOLD
    assert event_score(0.2, a, c) < EVENT_THRESHOLD


def test_the_date_window_decides_which_evidence_counts() -> None:
    a, b = signature(SIGNING, "Kohala deal signed"), signature(REWORDED, "Kohala deal inked")
    assert same_story(0.2, a, b, EVENT_DAYS) is not None  # within the window: the event signature counts
    assert same_story(0.2, a, b, EVENT_DAYS + 1) is None  # further apart: words alone, and too few
    assert same_story(0.2, a, b, None) is None  # undated: words alone
    assert same_story(TEXT_ONLY_THRESHOLD, a, b, None) is not None


def test_event_keys_meet_within_the_window() -> None:
    a, b = signature(SIGNING), signature(REWORDED)
    stored = set(event_keys(b, date(2020, 6, 26)))
    assert stored and all(key.startswith("ev:") and key.endswith(":2020-06-26") for key in stored)
    assert stored & set(event_keys(a, date(2020, 6, 25), EVENT_DAYS))
    assert not stored & set(event_keys(a, date(2020, 6, 20), EVENT_DAYS))
    assert len(event_keys(a, date(2020, 6, 25), EVENT_DAYS)) == len(a.lead) * (2 * EVENT_DAYS + 1)
