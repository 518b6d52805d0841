"""What an article page says about itself: title, publication date and canonical URL.

Date, in order of trust: JSON-LD ``datePublished`` (article types before WebPage, inside
``@graph`` and lists too), ``article:published_time`` and similar meta, ``<time datetime>``,
then a visible "Published/Updated ..." byline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urljoin, urlsplit

import lxml.html

from cpec_watch.parsers.dates import parse_date

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "report",
        "webpage",
        "liveblogposting",
        "backgroundnewsarticle",
    }
)
DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "article:published",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "og:updated_time",
)
BYLINE = re.compile(r"(?:published|posted|updated|last updated)\b[\s:|-]*(.{6,60})", re.IGNORECASE)
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")


def meta_tags(root: lxml.html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        value = el.get("content")
        if key and value and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def json_ld(root: lxml.html.HtmlElement) -> list[dict[str, object]]:
    """JSON-LD objects describing the page (also inside @graph or lists), articles before web pages."""
    found: list[tuple[bool, int, dict[str, object]]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        for item in _ld_items(data):
            declared = item.get("@type")
            types = {t.lower() for t in (declared if isinstance(declared, list) else [declared]) if isinstance(t, str)}
            if types & ARTICLE_TYPES:
                found.append((types == {"webpage"}, len(found), item))
    return [item for *_, item in sorted(found, key=lambda entry: entry[:2])]


def _ld_items(data: object) -> Iterator[dict[str, object]]:
    if isinstance(data, list):
        for value in data:
            yield from _ld_items(value)
    elif isinstance(data, dict):
        yield data
        yield from _ld_items(data.get("@graph"))


def title(
    root: lxml.html.HtmlElement, meta: dict[str, str], ld: list[dict[str, object]], url: str | None
) -> str | None:
    h1 = next((_squash(el.text_content()) for el in root.iter("h1")), "")
    title_el = next(root.iter("title"), None)
    headline = next((value for item in ld if isinstance(value := item.get("headline"), str)), "")
    for candidate in (meta.get("og:title"), headline, h1, title_el.text_content() if title_el is not None else ""):
        text = _squash(candidate or "")
        if text:
            return _strip_site(text, meta.get("og:site_name", ""), url)
    return None


def _strip_site(title: str, site: str, url: str | None) -> str:
    """Drop a trailing (or leading) " - Outlet" part that names the site."""
    parts = TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    host = urlsplit(url or "").hostname or ""
    names = {_letters(site)} | {_letters(label) for label in host.split(".") if len(label) > 3} - {"", "www"}
    for index in (-1, 0):
        label = _letters(parts[index])
        if label and any(name and (name in label or label in name) for name in names):
            del parts[index]
            return " - ".join(parts) if len(parts) > 1 else parts[0]
    return title


def published(root: lxml.html.HtmlElement, meta: dict[str, str], ld: list[dict[str, object]]) -> date | None:
    candidates = [item.get(key) for item in ld for key in ("datePublished", "dateCreated")]
    candidates += [meta.get(key) for key in DATE_META]
    candidates += [el.get("datetime") for el in root.iter("time")]
    for value in candidates:
        if isinstance(value, str) and (found := parse_date(value)):
            return found
    for el in root.iter("span", "div", "p", "time", "small", "li"):
        text = el.text_content() if len(el) < 8 else ""
        if 8 < len(text) < 200 and (match := BYLINE.search(text)) and (found := parse_date(match.group(1))):
            return found
    return None


def canonical(root: lxml.html.HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    href = next(
        (
            el.get("href")
            for el in root.iter("link")
            if "canonical" in (el.get("rel") or "").lower().split() and el.get("href")
        ),
        None,
    )
    href = (href or meta.get("og:url") or "").strip()
    if not href:
        return None
    return urljoin(url, href) if url else href


def _squash(text: str) -> str:
    return " ".join(text.split())


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
