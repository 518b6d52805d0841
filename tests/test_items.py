"""The catalogue and the mention matcher: tolerance, word boundaries, context rules, sentences, overrides, scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpec_watch.parsers.items import (
    Catalogue,
    CatalogueError,
    TrackedItem,
    find_mentions,
    load_catalogue,
    split_sentences,
)

REQUIRED = {
    "rashakai-sez",
    "ml-1",
    "kohat-cargo-train",
    "gwadar-port",
    "gwadar-airport",
    "dhabeji-sez",
    "aiic-faisalabad",
    "bostan-sez",
    "pakistan-steel-mills",
    "kccdz",
    "khunjerab-border",
    "torkham-border",
    "mining-corridor",
    "kkh-realignment",
    "karachi-circular-railway",
    "azad-pattan-kohala-hydro",
    "m6-motorway",
    "jcc",
    "jwg-industrial-cooperation",
    "digital-silk-road",
    "special-technology-zones",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def slugs(text: str, catalogue: Catalogue) -> list[str]:
    return [m.slug for m in find_mentions(text, catalogue)]


def test_default_catalogue_has_every_required_item(catalogue):
    assert {item.slug for item in catalogue.items} == REQUIRED
    assert catalogue.item("jcc").category == "committee"


@pytest.mark.parametrize(
    "written",
    [
        "ML-1",
        "ML 1",
        "ML1",
        "ml-1",
        "Main Line-1",
        "Main Line 1",
        "MAIN LINE 1",
        "Mainline-1",
        "Main\nLine–1",
        "Main Line — 1",
        "ML-I",
    ],
)
def test_ml1_spelling_variants_match(written, catalogue):
    mentions = find_mentions(f"Work on the {written} project resumed.", catalogue)
    assert [(m.slug, m.matched) for m in mentions] == [("ml-1", written)]


@pytest.mark.parametrize(
    "text",
    [
        "The XML-1 schema was updated.",
        "Old HTML1 pages were removed.",
        "Each pack had a 500 ML bottle.",
        "The ML-10 form was filed.",
        "The main line of the water supply burst.",
    ],
)
def test_word_boundaries_and_units_do_not_match(text, catalogue):
    assert slugs(text, catalogue) == []


def test_weak_alias_needs_context_in_the_same_sentence(catalogue):
    assert slugs("A cargo train from Kohat to Afghanistan is planned.", catalogue) == ["kohat-cargo-train"]
    assert slugs("Kohat police arrested two men. A cargo train left Karachi.", catalogue) == []
    assert slugs("Traffic in the Kohat tunnel was suspended.", catalogue) == []


def test_gwadar_port_airport_and_bare_gwadar(catalogue):
    assert slugs("The Gwadar port handled two ships.", catalogue) == ["gwadar-port"]
    assert slugs("New Gwadar International Airport opened.", catalogue) == ["gwadar-airport"]
    assert slugs("Gwadar airport is ready.", catalogue) == ["gwadar-airport"]
    assert slugs("Gwadar — a deep-sea port — has grown.", catalogue) == ["gwadar-port"]
    assert slugs("The team visited Karachi, Gwadar and Quetta.", catalogue) == []


def test_ignored_names_swallow_the_alias_they_contain(catalogue):
    assert slugs("Khunjerab National Park reopened for tourists.", catalogue) == []
    assert slugs("A CPEC seminar at the Jinnah Convention Centre (JCC) drew students.", catalogue) == []
    assert slugs("The Pak-Afghan Joint Coordination Committee met in Kabul.", catalogue) == []
    assert slugs("The CPEC JCC met in Beijing.", catalogue) == ["jcc"]


def test_longest_alias_wins_and_plural_is_tolerated(catalogue):
    mentions = find_mentions("Progress on Rashakai, Dhabeji and Bostan SEZs was reviewed.", catalogue)
    assert [(m.slug, m.matched) for m in mentions] == [
        ("rashakai-sez", "Rashakai"),
        ("dhabeji-sez", "Dhabeji"),
        ("bostan-sez", "Bostan SEZs"),
    ]
    assert slugs("The Chaghi-Gwadar mining corridor was proposed.", catalogue) == ["mining-corridor"]


def test_mention_spans_and_sentence(catalogue):
    text = "Rs. 85 billion was released. Dr. Khan said the KKH realignment near Thakot is complete."
    [mention] = find_mentions(text, catalogue)
    assert text[mention.start : mention.end] == mention.matched == "KKH realignment"
    assert mention.sentence == "Dr. Khan said the KKH realignment near Thakot is complete."


@pytest.mark.parametrize(
    "text, count",
    [
        ("The cost is Rs. 1.2 trillion. The U.S. envoy met Dr. Ahsan Iqbal on Monday.", 2),
        ("Form No. 5 was filed. Gen. Asim visited. It ended.", 3),
        ("First line\n\nSecond paragraph here", 2),
        ("He inaugurated Phase-I. The next phase follows.", 2),
        ("  • First bullet without stop\n  • Second bullet.", 2),
    ],
)
def test_sentence_splitting_respects_abbreviations(text, count):
    assert len(split_sentences(text)) == count


def test_user_file_overrides_by_slug_and_adds(tmp_path: Path):
    user = tmp_path / "items.toml"
    user.write_text(
        '[[items]]\nslug = "ml-1"\nname = "ML-1 only"\naliases = ["ML-1"]\ncategory = "rail"\n\n'
        '[[items]]\nslug = "thar-coal"\nname = "Thar coal"\naliases = ["Thar coal block"]\n'
        'category = "energy"\n',
        encoding="utf-8",
    )
    catalogue = load_catalogue(user)
    assert catalogue.item("ml-1").name == "ML-1 only"
    assert slugs("Main Line-1 and the Thar coal block and ML-1.", catalogue) == ["thar-coal", "ml-1"]
    assert len(catalogue.items) == len(REQUIRED) + 1


@pytest.mark.parametrize(
    "content, message",
    [
        ("[[items]\nslug = 1", "invalid TOML"),
        ('[[items]]\nslug = "x"\nname = "X"\n', "missing aliases"),
        ('[[items]]\nslug = "x"\nname = "X"\naliases = ["X", 3]\n', "aliases must be a list"),
        ('[[items]]\nslug = "x"\nname = "X"\naliases = ["X"]\nweak_aliases = ["Y"]\n', "weak_aliases need requires"),
    ],
)
def test_invalid_user_file_raises_a_clear_error(tmp_path: Path, content, message):
    user = tmp_path / "bad.toml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message) as error:
        load_catalogue(user)
    assert str(user) in str(error.value)


def test_missing_user_file_raises_a_clear_error(tmp_path: Path):
    with pytest.raises(CatalogueError, match="cannot read catalogue"):
        load_catalogue(tmp_path / "absent.toml")


def test_large_catalogue_still_matches_everything(catalogue):
    synthetic = tuple(
        TrackedItem(f"item-{n}", f"Item {n}", (f"Project Zephyr {n} Industrial Park",), category="sez")
        for n in range(2000)
    )
    big = Catalogue(catalogue.items + synthetic, catalogue.ignore)
    text = "Work on Project Zephyr 1999 Industrial Park and ML-1 began; Project Zephyr 7 Industrial Park waits."
    assert slugs(text, big) == ["item-1999", "ml-1", "item-7"]
