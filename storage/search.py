"""Full-text search over article titles and bodies: SQLite FTS5 or PostgreSQL text search (migration 0007).

What the user typed is never handed to the search syntax: it is split into words, and each word is quoted
(FTS5) or read by ``plainto_tsquery`` (PostgreSQL), so every word must occur and ``"``, ``*``, ``:``, ``-``,
``NEAR`` or ``OR`` mean nothing special.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

from cpec_watch.storage.db import using

MARK_START, MARK_END = "\x02", "\x03"  # around matched words in a snippet; the web view turns them into <mark>
_WORD = re.compile(r"\w+")
_PG_DOCUMENT = "to_tsvector('english', coalesce(a.title, '') || ' ' || a.body)"  # the index's expression


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search to one tracked item, one outlet and a publication-date window (all optional)."""

    item: str | None = None
    outlet: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, best first, and how many there are in all."""

    total: int
    hits: list[dict[str, Any]]


def search_articles(
    store: str | Engine, query: str, filters: SearchFilters, page: int = 1, per_page: int = 20
) -> SearchPage:
    """Articles whose title or body holds every word of ``query``; page 1 is the first."""
    words = _WORD.findall(query)
    if not words:
        return SearchPage(0, [])
    params: dict[str, Any] = {"limit": per_page, "offset": (max(page, 1) - 1) * per_page}
    where = _filters(filters, params)
    with using(store) as engine, engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            params["match"] = " ".join('"' + word.replace('"', '""') + '"' for word in words)
            source = "article_fts f JOIN article a ON a.id = f.rowid"
            matched, rank = "article_fts MATCH :match", "bm25(article_fts)"
            snippet = f"snippet(article_fts, 1, '{MARK_START}', '{MARK_END}', '…', 24)"
        else:
            params["words"] = " ".join(words)
            source, matched = "article a", f"{_PG_DOCUMENT} @@ plainto_tsquery('english', :words)"
            rank = f"-ts_rank({_PG_DOCUMENT}, plainto_tsquery('english', :words))"
            snippet = (
                "ts_headline('english', a.body, plainto_tsquery('english', :words), "
                f"'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12')"
            )
        condition = " AND ".join([matched, *where])
        total = connection.execute(text(f"SELECT count(*) FROM {source} WHERE {condition}"), params).scalar()
        rows = connection.execute(
            text(
                f"SELECT a.id, a.title, a.source, a.published, a.url, a.story_id, {snippet} AS snippet "
                f"FROM {source} WHERE {condition} ORDER BY {rank}, a.published DESC, a.id "
                "LIMIT :limit OFFSET :offset"
            ),
            params,
        ).mappings()
        hits = [{**row, "published": row["published"] and str(row["published"])} for row in rows]
    return SearchPage(int(total or 0), hits)


def _filters(filters: SearchFilters, params: dict[str, Any]) -> list[str]:
    where = []
    if filters.item:
        params["item"] = filters.item
        where.append(
            "a.id IN (SELECT s.article_id FROM updatesource s JOIN itemupdate u ON u.id = s.update_id "
            "WHERE u.item = :item)"
        )
    if filters.outlet:
        params["outlet"] = filters.outlet
        where.append("a.source = :outlet")
    if filters.since:
        params["since"] = filters.since.isoformat()
        where.append("a.published >= :since")
    if filters.until:
        params["until"] = filters.until.isoformat()
        where.append("a.published <= :until")
    return where


def outlets(store: str | Engine) -> list[str]:
    """Every outlet with a stored article, for the search form."""
    with using(store) as engine, engine.connect() as connection:
        return list(connection.execute(text("SELECT DISTINCT source FROM article ORDER BY source")).scalars())
