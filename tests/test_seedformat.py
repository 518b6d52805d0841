"""The seed file format: reading the five seeds, writing, round trips, archive names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cpec_watch.models import SeedText
from cpec_watch.parsers.seedformat import archive_name, parse, render, split_archive_name
from cpec_watch.parsers.urls import url_key


def seed_text(seeds_dir: Path, number: str) -> str:
    (path,) = seeds_dir.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("number", "published", "title", "first", "count"),
    [
        (
            "000",
            date(2025, 8, 31),
            "Open Menu",
            "CPEC Phase II To Boost Technology, Exports, Employment In KP; Secretary Industry",
            14,
        ),
        (
            "001",
            None,
            "China and Pakistan Agree to Fast-Track Pace of Industrial Cooperation under CPEC",
            "• Board of Investment and the National Development and Reform Commission has agreed to advance industrial "
            "cooperation under CPEC.",
            46,
        ),
        (
            "002",
            None,
            None,
            "ISLAMABAD: Pakistan and China opened the 14th meeting of the Joint Coordination Committee "
            "(JCC) on the China-Pakistan Economic Corridor (CPEC) in Beijing on Friday, Radio Pakistan said, with officials "
            "pledging to expand cooperation in the second phase of the multibillion-dollar infrastructure program.",
            9,
        ),
        (
            "003",
            date(2025, 9, 26),
            None,
            "Pakistan and China have opened the 14th meeting of the Joint Coordination "
            "Committee (JCC) on the China-Pakistan Economic Corridor (CPEC) in Beijing. The session, held on Friday, focused "
            "on expanding cooperation under the second phase of the multibillion-dollar program. Pakistan and China focus "
            "on the proposed Digital Silk Road that includes investments in 5G, robotics, and biotech.",
            13,
        ),
        (
            "004",
            None,
            "Joint Working Group on CPEC Agrees on Framework Agreement on Industrial Cooperation",
            "The 5th meeting of the Joint Working Group (JWG) on Industrial Cooperation (IC) under China Pakistan Economic "
            "Corridor (CPEC) was held via video conference regarding the Framework Agreement on CPEC Industrial Cooperation "
            "(IC).",
            23,
        ),
    ],
)
def test_reads_every_seed(
    seeds_dir: Path, number: str, published: date | None, title: str | None, first: str, count: int
) -> None:
    seed = parse(seed_text(seeds_dir, number))
    assert seed.published == published
    assert seed.title == title
    assert seed.paragraphs[0] == first
    assert len(seed.paragraphs) == count
    assert all(paragraph and "\n" not in paragraph and paragraph == paragraph.strip() for paragraph in seed.paragraphs)


def test_seed_002_lines_are_paragraphs(seeds_dir: Path) -> None:
    seed = parse(seed_text(seeds_dir, "002"))
    assert seed.paragraphs[-1].startswith("Iqbal stressed that Islamabad remained committed")


def test_well_formed_seed_003_is_reproduced_byte_for_byte(seeds_dir: Path) -> None:
    text = seed_text(seeds_dir, "003")
    assert render(parse(text)) == text


@pytest.mark.parametrize("number", ["000", "001", "002", "004"])
def test_other_seeds_change_only_in_whitespace(seeds_dir: Path, number: str) -> None:
    """000 ends with two newlines, 001 and 004 have triple newlines and indented lines, 002 has no blank lines."""
    text = seed_text(seeds_dir, number)
    rendered = render(parse(text))
    assert rendered != text
    assert rendered.split() == text.split()
    assert parse(rendered) == parse(text)
    assert render(parse(rendered)) == rendered


@pytest.mark.parametrize(
    "seed",
    [
        SeedText(
            published=date(2025, 9, 26),
            title="Gwadar Port Handles First Transit Cargo",
            paragraphs=("The port received its first transit consignment.", "Officials called it a milestone."),
        ),
        SeedText(published=None, title="ML-1: Financing Talks Resume?", paragraphs=("Talks resumed on Monday.",)),
        SeedText(
            published=date(2024, 1, 2), title=None, paragraphs=("A lede that ends like a sentence.", "Second one.")
        ),
        SeedText(published=None, title=None, paragraphs=("Only one paragraph, ending with a full stop.",)),
        SeedText(published=date(2025, 3, 1), title="Title Only", paragraphs=()),
        SeedText(published=None, title="Rashakai SEZ “fully allotted”", paragraphs=("He said: “Work has begun.”",)),
        SeedText(),
    ],
)
def test_round_trip(seed: SeedText) -> None:
    assert parse(render(seed)) == seed


def test_render_layout() -> None:
    seed = SeedText(published=date(2025, 8, 31), title="Kohat Cargo Train Plan", paragraphs=("One.", "Two."))
    assert render(seed) == " date 2025-08-31 Kohat Cargo Train Plan\n\nOne.\n\nTwo."
    assert render(SeedText(paragraphs=("Lede.",))) == "Lede."


def test_render_flattens_line_breaks_and_drops_empty_paragraphs() -> None:
    seed = SeedText(title="Dhabeji Zone\nBids", paragraphs=("first line\nsecond line", "", "  ", "Last."))
    assert render(seed) == "Dhabeji Zone Bids\n\nfirst line second line\n\nLast."


def test_title_rule_limits() -> None:
    long_line = "A" * 201
    assert parse(long_line + "\n\nBody.").title is None
    assert parse("Officials met on Monday.\n\nBody.").title is None
    assert parse("CPEC talks resume\nBody without a blank line.").title is None
    assert parse("CPEC talks resume\n\nBody.").title == "CPEC talks resume"


def test_tolerant_reading() -> None:
    seed = parse("\ufeff date 2025-09-26 Gwadar Update\r\n\r\n  First.  \r\n \r\nSecond.\r\n\r\n\r\n")
    assert seed == SeedText(published=date(2025, 9, 26), title="Gwadar Update", paragraphs=("First.", "Second."))
    assert parse(" date 2025-13-40 Not a date.").published is None
    assert parse("") == SeedText()


def test_archive_names() -> None:
    url = "https://www.dawn.com/news/1934512/cpec-phase-ii-gets-going?utm_source=rss"
    assert archive_name(7, url_key(url)) == f"007_{url_key(url)}.txt"
    assert archive_name(1234, url_key(url)).startswith("1234_")
    assert split_archive_name(archive_name(1234, url_key(url))) == (1234, url_key(url))
    assert split_archive_name("12_a1585c22ca6705fb.txt") is None and split_archive_name("000_xyz.txt") is None
