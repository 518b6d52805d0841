"""The web view in a real headless Chromium: the projects page, a timeline and a search, read back from the DOM
Chromium built, and the README's screenshots taken (into a temp folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dense_store import build_dense_store
from tests.support.web_screenshots import DENSE_SHOTS, SHOTS, take
from tests.support.webview import build_store, serving
from tests.test_alerts_browser import CHROMIUM, chromium, read_png

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'cpec.db'}"
    with serving(url, build_store(url, folder)) as base:
        yield base, folder


@pytest.fixture(scope="module")
def dense_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("dense-browser")
    url = f"sqlite:///{folder / 'cpec.db'}"
    with serving(url, build_dense_store(url, folder, 130)) as base:
        yield base, folder


def dom(site: tuple[str, Path], path: str) -> str:
    base, folder = site
    return chromium(folder, "--dump-dom", base + path)


def test_the_projects_page_in_chromium(site: tuple[str, Path]) -> None:
    page = dom(site, "/?category=rail")
    assert page.startswith("<!DOCTYPE html>") or page.startswith("<html")
    assert "Main Line-1 railway upgrade (Karachi–Peshawar)" in page and "under-construction" in page
    assert "Rashakai Special Economic Zone" not in page and "<script" not in page.lower()


def test_a_timeline_in_chromium(site: tuple[str, Path]) -> None:
    page = dom(site, "/items/ml-1")
    assert '<svg class="chart"' in page and '<circle class="change"' in page
    assert "<mark>ML-1</mark>" in page and "proposed</span> → <span" in page


def test_a_paginated_timeline_with_a_dense_chart_in_chromium(dense_site: tuple[str, Path]) -> None:
    page = dom(dense_site, "/items/ml-1?page=2")
    assert "130 update(s)" in page and "page 2 of 3" in page and page.count('<li id="u') == 50
    assert 'rel="prev" href="/items/ml-1?page=1"' in page and 'rel="next" href="/items/ml-1?page=3"' in page
    assert '<rect class="month"' in page and '<circle class="change"' in page and 'class="point"' not in page
    assert 'class="tick end"' in page and 'text-anchor="end"' in page
    base, folder = dense_site
    shot = folder / "phone.png"
    chromium(folder, f"--screenshot={shot}", "--window-size=390,900", base + "/items/ml-1?page=2")
    width, height, pixels = read_png(shot.read_bytes())
    assert (width, height) == (390, 900) and len(set(pixels)) > 100


def test_a_search_in_chromium(site: tuple[str, Path]) -> None:
    page = dom(site, "/search?q=contractor")
    assert "1 article(s)" in page and "<mark>contractor</mark>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_the_readme_screenshots(tmp_path: Path) -> None:
    shots = take(tmp_path)
    assert [p.name for p in shots] == [name for name, _, _ in SHOTS + DENSE_SHOTS]
    for shot, (_, _, size) in zip(shots, SHOTS + DENSE_SHOTS, strict=True):
        width, height, pixels = read_png(shot.read_bytes())
        assert f"{width},{height}" == size and len(set(pixels)) > 100  # a rendered page, not a blank one
