"""Feed lists: OPML (``<outline xmlUrl=...>`` at any depth) or TOML (``[[feeds]] url, name``).

Any problem with a list raises ``FeedListError`` whose message is one line naming the file and what is wrong.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from cpec_watch.models import FeedSource

_TOML_KEYS = {"url", "name", "topical"}


class FeedListError(Exception):
    """A feed list that cannot be read or is invalid."""

    def __init__(self, message: str) -> None:
        self.message = " ".join(message.split())
        super().__init__(self.message)


def load_feed_list(path: str | Path) -> list[FeedSource]:
    """The feeds listed in an OPML or TOML file (by extension; otherwise OPML when it starts with ``<``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedListError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    is_opml = path.suffix.lower() in (".opml", ".xml") or (
        path.suffix.lower() != ".toml" and data.lstrip().startswith(b"<")
    )
    feeds = _from_opml(data, path) if is_opml else _from_toml(data, str(path))
    if not feeds:
        raise FeedListError(f"{path}: no feeds listed")
    return feeds


def default_feeds() -> list[FeedSource]:
    """The shipped list, ``config/feeds.toml``."""
    resource = resources.files("cpec_watch.config").joinpath("feeds.toml")
    return _from_toml(resource.read_bytes(), "config/feeds.toml")


def _from_toml(data: bytes, origin: str) -> list[FeedSource]:
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FeedListError(f"{origin}: invalid TOML: {exc}") from exc
    tables = document.get("feeds", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise FeedListError(f"{origin}: 'feeds' must be an array of tables ([[feeds]])")
    feeds = []
    for index, table in enumerate(tables):
        where = f"{origin}: feeds[{index}]"
        unknown = sorted(set(table) - _TOML_KEYS)
        if unknown:
            raise FeedListError(f"{where}: unknown key {unknown[0]!r} (expected url, name, topical)")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise FeedListError(f"{where}: 'name' must be a non-empty string")
        if not isinstance(table.get("topical", False), bool):
            raise FeedListError(f"{where}: 'topical' must be true or false")
        url = _checked_url(table.get("url"), where)
        feeds.append(FeedSource(url=url, name=name.strip(), topical=table.get("topical", False)))
    return _without_duplicates(feeds, origin)


def _from_opml(data: bytes, path: Path) -> list[FeedSource]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedListError(f"{path}: invalid OPML: {exc}") from exc
    if root is None or root.tag != "opml":
        raise FeedListError(f"{path}: invalid OPML: root element is not <opml>")
    feeds = []
    for index, outline in enumerate(root.iter("outline")):
        if outline.get("xmlUrl") is None:
            continue
        url = _checked_url(outline.get("xmlUrl"), f"{path}: outline {index}")
        name = (outline.get("title") or outline.get("text") or "").strip() or urlsplit(url).hostname or url
        feeds.append(FeedSource(url=url, name=name))
    return _without_duplicates(feeds, str(path))


def _checked_url(url: object, where: str) -> str:
    if not isinstance(url, str):
        raise FeedListError(f"{where}: 'url' must be a string")
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FeedListError(f"{where}: not a valid URL: {url!r} ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedListError(f"{where}: not an http(s) URL: {url!r}")
    return url


def _without_duplicates(feeds: list[FeedSource], origin: str) -> list[FeedSource]:
    seen: set[str] = set()
    for feed in feeds:
        if feed.url in seen:
            raise FeedListError(f"{origin}: feed listed twice: {feed.url}")
        seen.add(feed.url)
    return feeds


def to_opml(feeds: list[FeedSource], title: str = "CPEC Watch feeds") -> str:
    """The feeds as an OPML 2.0 document any feed reader imports (and :func:`load_feed_list` reads back)."""
    root = etree.Element("opml", version="2.0")
    etree.SubElement(etree.SubElement(root, "head"), "title").text = title
    body = etree.SubElement(root, "body")
    for feed in feeds:
        etree.SubElement(body, "outline", type="rss", text=feed.name, title=feed.name, xmlUrl=feed.url)
    document = etree.tostring(root, encoding="unicode", pretty_print=True)
    assert isinstance(document, str)  # lxml is untyped; encoding="unicode" gives str
    return document
