"""Atom feeds of tracked-item updates: every status change, one item's updates, one category's updates.

Entry ids are tag: URIs made from the update's row id, so a feed read twice, or exported twice, names each entry
the same way; ``updated`` is when the update was recorded (or last changed its status), to the microsecond, so the
updates one backfill recorded within a second still differ; ``published`` is the reporting's date. A feed carries
the latest ``MAX_ENTRIES`` updates by reporting date (the timeline page has the rest); its ``updated`` is its newest
entry's, or the store's last activity when it has none. Every link is absolute, made from the base URL the feed is
served or exported under.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cpec_watch.parsers.items import Catalogue
from cpec_watch.storage.queries import transition

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:cpec-watch,2026:"
MAX_ENTRIES = 100  # the latest updates a feed carries
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedSpec:
    """Which updates one feed holds: ``path`` under /feeds/ (``changes.atom``, ``items/<slug>.atom``, ...)."""

    path: str
    title: str
    rows: list[dict[str, Any]]


def feed_specs(rows: list[dict[str, Any]], catalogue: Catalogue) -> list[FeedSpec]:
    """Every feed the store offers, from all items' timeline rows."""
    specs = [FeedSpec("changes.atom", "CPEC Watch: status changes", [r for r in rows if r["change"]])]
    for item in catalogue.items:
        own = [r for r in rows if r["item"] == item.slug]
        specs.append(FeedSpec(f"items/{item.slug}.atom", f"CPEC Watch: {item.name}", own))
    for category in sorted({item.category for item in catalogue.items}):
        slugs = {item.slug for item in catalogue.items if item.category == category}
        own = [r for r in rows if r["item"] in slugs]
        specs.append(FeedSpec(f"categories/{category}.atom", f"CPEC Watch: {category} projects", own))
    return specs


def render_feed(spec: FeedSpec, catalogue: Catalogue, base_url: str, last_activity: datetime | None = None) -> bytes:
    """The Atom document of one feed: its latest ``MAX_ENTRIES`` updates, newest first; ``last_activity`` (the
    store's, ``storage.queries.last_activity``) dates a feed with no entry, else it is now."""
    base = base_url.rstrip("/")
    rows = sorted(spec.rows, key=lambda r: (r["date"] or "", r["id"]), reverse=True)[:MAX_ENTRIES]
    quiet = _instant((last_activity or datetime.now(UTC)).isoformat())
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"{TAG}feeds/{spec.path}")
    _text(feed, "title", spec.title)
    _text(feed, "updated", max((_instant(r["recorded"]) for r in rows), default=quiet))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}/feeds/{spec.path}")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=f"{base}/")
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "CPEC Watch"
    for row in rows:
        feed.append(_entry(row, catalogue, base))
    ET.register_namespace("", ATOM)
    document = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    assert isinstance(document, bytes)  # typeshed: Any for an encoding other than "unicode"
    return document


def _entry(row: dict[str, Any], catalogue: Catalogue, base: str) -> ET.Element:
    name = catalogue.item(row["item"]).name
    change = transition(row)
    entry = ET.Element(f"{{{ATOM}}}entry")
    _text(entry, "id", f"{TAG}update/{row['id']}")
    _text(entry, "title", f"{name}: {change}")
    _text(entry, "updated", _instant(row["recorded"]))
    if row["date"]:
        _text(entry, "published", f"{row['date']}T00:00:00Z")
    evidence = f"{base}/items/{row['item']}#u{row['id']}"
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=evidence)
    for outlet in dict.fromkeys(source["outlet"] for source in row["sources"]):
        ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = _clean(outlet)
    ET.SubElement(entry, f"{{{ATOM}}}category", term=row["status"])
    _text(entry, "summary", row["evidence"])
    return entry


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = _clean(value)


def _clean(value: str) -> str:
    """Article text without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", value)


def _instant(recorded: str) -> str:
    moment = datetime.fromisoformat(recorded)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_feeds(
    rows: list[dict[str, Any]],
    catalogue: Catalogue,
    folder: Path,
    base_url: str,
    last_activity: datetime | None = None,
) -> list[Path]:
    """Write every feed under ``folder`` as the app serves it under /feeds/ (for static hosting)."""
    written = []
    for spec in feed_specs(rows, catalogue):
        path = folder / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_feed(spec, catalogue, base_url, last_activity))
        written.append(path)
    return written
