"""The HTML digest rendered by a real headless Chromium: a screenshot and the parsed DOM."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from cpec_watch.alerts.render_html import to_html
from tests.support_alerts import HOSTILE, sample_digest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(tmp: Path, *args: str) -> str:
    """Run headless Chromium with a throwaway profile; return its stdout."""
    done = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def screenshot(html: Path, png: Path, size: str = "900,1400") -> None:
    chromium(png.parent, f"--screenshot={png}", f"--window-size={size}", html.as_uri())


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, decompressed scanlines) of an 8-bit RGB/RGBA PNG, checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(kind + body)
        chunks.append((kind, body))
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[0][1][:10])
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND" and depth == 8 and color in (2, 6)
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(pixels) == height * (1 + width * (3 if color == 2 else 4))
    return width, height, pixels


def test_screenshot_of_the_digest(tmp_path: Path) -> None:
    page = tmp_path / "digest.html"
    page.write_text(to_html(sample_digest()), encoding="utf-8")
    png = tmp_path / "out.png"
    screenshot(page, png)
    data = png.read_bytes()
    assert len(data) > 20_000
    width, height, pixels = read_png(data)
    assert (width, height) == (900, 1400)
    assert len(set(pixels)) > 100  # text and colours, not a blank page


def test_dom_has_the_text_and_no_script(tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(to_html(sample_digest(title=HOSTILE)), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.startswith("<!DOCTYPE html>") and "</body></html>" in dom
    assert "<script" not in dom.lower()
    assert '&lt;script&gt;alert(1)&lt;/script&gt; &amp; "CPEC"</h1>' in dom
    for text in (
        "Status changes (2)",
        "ML-1 railway",
        "Express Tribune: HTTP 403 since 2026-11-20",
        'href="https://dawn.example/jcc-security"',
    ):
        assert text in dom
