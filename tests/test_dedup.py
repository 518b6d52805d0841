"""Near-duplicate stories (MinHash + LSH) and exact content hashes, on the seeds and a written corpus.

The corpus (tests/fixtures/feeds_unit/stories/) holds one invented story per file: a JCC meeting (jcc15_body) with a
light rewrite, another JCC meeting, an ML-1 story, and two SEZ stories (Rashakai, with a rewrite, and Dhabeji).
"""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpec_watch.parsers import dedup
from cpec_watch.parsers.dedup import BANDS, NUM_PERM, SAME_STORY_THRESHOLD, content_hash, fingerprint, similarity
from cpec_watch.parsers.minhash import minima

ROOT = Path(__file__).resolve().parent.parent
STORIES = Path(__file__).resolve().parent / "fixtures" / "feeds_unit" / "stories"


def story(name: str) -> str:
    return (STORIES / f"{name}.txt").read_text(encoding="utf-8")


def syndicated(header: str, footer: str) -> str:
    return f"{header}\n\n{story('jcc15_body')}\n\n{footer}"


WIRE_A = syndicated(
    "ISLAMABAD, Nov 12 (APP):",
    "Follow us on Google News for the latest updates.\nShare this story on Facebook, X and WhatsApp.\n"
    "Read more: Gold prices fall for the third day in Karachi",
)
WIRE_B = syndicated(
    "Staff Report",
    "Comments are closed.\nSubscribe to our newsletter to get the latest news in your inbox.\n"
    "Copyright 2025 The Daily Example. All rights reserved.",
)


def same_story(a: str, b: str) -> bool:
    return similarity(fingerprint(a), fingerprint(b)) >= SAME_STORY_THRESHOLD


def candidates(a: str, b: str) -> bool:
    return bool(set(fingerprint(a).bands) & set(fingerprint(b).bands))


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> dict[str, str]:
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(seeds_dir.glob("*.txt"))}


def test_seeds_002_and_003_are_one_story(seeds: dict[str, str]) -> None:
    assert candidates(seeds["002"], seeds["003"])
    assert same_story(seeds["002"], seeds["003"])


def test_no_other_seed_pair_merges(seeds: dict[str, str]) -> None:
    for a, b in itertools.combinations(sorted(seeds), 2):
        if (a, b) != ("002", "003"):
            assert not same_story(seeds[a], seeds[b]), (a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (WIRE_A, WIRE_B),  # (a) verbatim syndication, different boilerplate
        (story("jcc15_body"), WIRE_A),
        (story("jcc15_body"), story("jcc15_rewrite")),  # (b) light rewrite
        (WIRE_B, story("jcc15_rewrite")),
        (story("sez_rashakai_factory"), story("sez_rashakai_rewrite")),  # (b) shorter rewrite
    ],
)
def test_same_story_variants_merge(a: str, b: str) -> None:
    assert candidates(a, b)
    assert same_story(a, b)


DIFFERENT = ["jcc15_body", "jcc13_other_meeting", "ml1_railway_funds", "sez_rashakai_factory", "sez_dhabeji_bids"]


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(DIFFERENT, 2)))
def test_different_cpec_stories_do_not_merge(a: str, b: str) -> None:
    """(c) Two JCC meetings, two SEZ stories, an ML-1 story: shared vocabulary, different news."""
    assert not same_story(story(a), story(b))
    assert not candidates(story(a), story(b))


def test_fingerprint_shape() -> None:
    result = fingerprint(story("jcc15_body"))
    assert len(result.signature) == NUM_PERM
    assert len(result.bands) == BANDS
    assert [key.split(":")[0] for key in result.bands] == [f"{band:02d}" for band in range(BANDS)]
    assert all(len(key) <= 16 for key in result.bands)
    assert similarity(result, result) == 1.0


def test_band_keys_are_fixed_across_processes() -> None:
    text = "Gwadar port handles its first transit cargo for Afghanistan under CPEC."
    expected = fingerprint(text).bands[:3]
    code = f"from cpec_watch.parsers.dedup import fingerprint; print(' '.join(fingerprint({text!r}).bands[:3]))"
    other = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert tuple(other.stdout.split()) == expected
    assert expected[0] == "00:3fbe1b8b1d62"


def plain_minhash(text: str) -> tuple[int, ...]:
    """The signature by the textbook formula, one Python int at a time: what the numpy path must equal."""
    hashes = [
        int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big") % dedup._PRIME
        for word in dedup.shingles(text)
    ]
    return tuple(min((a * x + b) % dedup._PRIME for x in hashes) for a, b in dedup._PERMUTATIONS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzé'’", min_size=2, max_size=12), min_size=1, max_size=400))
def test_vectorised_minhash_equals_the_plain_formula(words: list[str]) -> None:
    text = " ".join(words)
    assert fingerprint(text).signature == (plain_minhash(text) if dedup.shingles(text) else ())


_EDGES = [0, 1, 2, (1 << 29) - 1, 1 << 29, (1 << 32) - 1, 1 << 32, (1 << 33) + 7, (1 << 60) + 12345]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, dedup._PRIME - 1) | st.sampled_from(_EDGES + [dedup._PRIME - n for n in (1, 2, 3)])))
def test_minima_equal_the_formula_on_any_hash_values_edges_included(hashes: list[int]) -> None:
    hashes = hashes or [0]
    expected = tuple(min((a * x + b) % dedup._PRIME for x in hashes) for a, b in dedup._PERMUTATIONS)
    assert minima(hashes, dedup._PERMUTATIONS, dedup._PRIME) == expected


def test_texts_without_words_have_empty_fingerprints() -> None:
    empty = fingerprint("  ... 1 2 3 — the of and ")
    assert empty.signature == () and empty.bands == ()
    assert similarity(empty, empty) == 0.0
    assert similarity(empty, fingerprint(story("jcc15_body"))) == 0.0


def test_content_hash_ignores_case_whitespace_and_punctuation() -> None:
    text = story("sez_dhabeji_bids")
    variant = text.upper().replace("\n\n", "\n").replace(",", " ,").replace("-", " - ").replace("'", "’")
    assert content_hash(variant) == content_hash(text)
    assert content_hash(text) != content_hash(text.replace("1,530", "1,531"))
    assert len(content_hash(text)) == 64
