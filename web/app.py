"""The web view: a Starlette app over a read-only store, every page rendered on the server (no JavaScript).

Every article-derived string reaches the page through Jinja's autoescaping (the ``<mark>`` highlights are built
from escaped pieces, ``marks.py``); every response carries a strict Content-Security-Policy: nothing but this
app's own stylesheet, no script at all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, cast

from jinja2 import Environment, PackageLoader
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cpec_watch.parsers.items import Catalogue
from cpec_watch.parsers.status import STATUSES
from cpec_watch.storage.browse import article_page, story_page
from cpec_watch.storage.queries import feed_rows, item_rows, last_activity, timeline_rows
from cpec_watch.storage.search import SearchFilters, outlets, search_articles
from cpec_watch.web.atom import feed_specs, render_feed
from cpec_watch.web.chart import status_chart
from cpec_watch.web.marks import highlight_item, highlight_snippet
from cpec_watch.web.present import short_error, when, where

PER_PAGE = 50  # updates on one page of a timeline, newest first

HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """ASGI middleware: the Content-Security-Policy and nosniff headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def create_app(
    store: Engine, catalogue: Catalogue, archive: Path, per_page: int = 20, announce: float | None = None
) -> Starlette:
    """The app over ``store`` (an engine that cannot write: ``storage.db.open_read_only``); ``per_page`` search hits,
    ``announce`` the weight of evidence from which a status change is announced (default: the reader's)."""
    pages = Pages(store, catalogue, archive, per_page, announce)
    routes = [
        Route("/", pages.projects),
        Route("/items/{slug}", pages.timeline),
        Route("/articles/{article:int}", pages.article),
        Route("/stories/{story:int}", pages.story),
        Route("/search", pages.search),
        Route("/sources", pages.sources),
        Route("/feeds/{path:path}", pages.feed),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ]
    return Starlette(
        routes=routes, middleware=[Middleware(SecurityHeaders)], exception_handlers={HTTPException: pages.error}
    )


class Pages:
    """The request handlers, over one store and catalogue."""

    def __init__(
        self, store: Engine, catalogue: Catalogue, archive: Path, per_page: int, announce: float | None
    ) -> None:
        self.store, self.catalogue, self.archive, self.per_page = store, catalogue, archive, per_page
        self.announce = announce
        self.names = {item.slug: item.name for item in catalogue.items}
        environment = Environment(loader=PackageLoader("cpec_watch.web", "templates"), autoescape=True)
        environment.globals["names"] = self.names
        environment.tests["web_url"] = lambda url: str(url).startswith(("https://", "http://"))
        environment.filters.update(when=when, where=where, short_error=short_error)
        self.templates = Jinja2Templates(env=environment)

    def _page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return self.templates.TemplateResponse(request, template, context, status_code=status_code)

    def projects(self, request: Request) -> HTMLResponse:
        category, status = request.query_params.get("category") or None, request.query_params.get("status") or None
        rows = item_rows(self.store, self.catalogue, self.announce)
        shown = [r for r in rows if category in (None, r["category"]) and status in (None, r["status"])]
        return self._page(
            request,
            "projects.html",
            rows=shown,
            categories=sorted({r["category"] for r in rows}),
            statuses=[s for s in STATUSES if s in {r["status"] for r in rows}],
            category=category,
            status=status,
        )

    def timeline(self, request: Request) -> HTMLResponse:
        slug = request.path_params["slug"]
        if slug not in self.names:
            raise HTTPException(404, f"no tracked item {slug!r}")
        every = timeline_rows(self.store, self.catalogue, slug, self.announce)
        newest = every[::-1]
        pages = max(-(-len(newest) // PER_PAGE), 1)
        asked = request.query_params.get("page", "")
        page = int(asked) if asked.isdigit() and int(asked) >= 1 else 1
        if page > pages:
            raise HTTPException(404, f"{slug!r} has {pages} page(s) of updates")
        shown = newest[(page - 1) * PER_PAGE : page * PER_PAGE]
        rows = [{**row, "marked": highlight_item(row["evidence"], slug, self.catalogue)} for row in shown]
        on_page = {row["id"]: n // PER_PAGE + 1 for n, row in enumerate(newest)}

        def href(update: int) -> str:
            return f"#u{update}" if on_page[update] == page else f"?page={on_page[update]}#u{update}"

        return self._page(
            request,
            "timeline.html",
            item=self.catalogue.item(slug),
            rows=rows,
            total=len(every),
            chart=status_chart(every, href),
            page=page,
            pages=pages,
            page_links=_page_links(page, pages),
        )

    def article(self, request: Request) -> HTMLResponse:
        found = article_page(self.store, request.path_params["article"], self.archive)
        if found is None:
            raise HTTPException(404, "no such article")
        return self._page(request, "article.html", article=found)

    def story(self, request: Request) -> HTMLResponse:
        story = request.path_params["story"]
        copies = story_page(self.store, story)
        if not copies:
            raise HTTPException(404, "no such story")
        return self._page(request, "story.html", story=story, copies=copies)

    def search(self, request: Request) -> HTMLResponse:
        params = request.query_params
        query = params.get("q", "").strip()
        filters = SearchFilters(
            item=params.get("item") or None,
            outlet=params.get("outlet") or None,
            since=_day(params.get("since")),
            until=_day(params.get("until")),
        )
        page = max(int(params["page"]), 1) if params.get("page", "").isdigit() else 1
        found = search_articles(self.store, query, filters, page, self.per_page)
        hits = [{**hit, "marked": highlight_snippet(hit["snippet"] or "")} for hit in found.hits]
        others = {key: value for key, value in params.items() if key != "page" and value}
        return self._page(
            request,
            "search.html",
            query=query,
            filters=filters,
            hits=hits,
            total=found.total,
            page=page,
            pages=-(-found.total // self.per_page),
            others=others,
            outlets=outlets(self.store),
        )

    def sources(self, request: Request) -> HTMLResponse:
        return self._page(request, "sources.html", feeds=feed_rows(self.store))

    def feed(self, request: Request) -> Response:
        path = request.path_params["path"]
        slug = path.removeprefix("items/").removesuffix(".atom")
        item = slug if path == f"items/{slug}.atom" and slug in self.names else None  # read only its rows
        rows = timeline_rows(self.store, self.catalogue, item, self.announce)
        spec = next((spec for spec in feed_specs(rows, self.catalogue) if spec.path == path), None)
        if spec is None:
            raise HTTPException(404, "no such feed")
        quiet = None if spec.rows else last_activity(self.store)
        body = render_feed(spec, self.catalogue, str(request.base_url), quiet)
        return Response(body, media_type="application/atom+xml")

    async def error(self, request: Request, exc: Exception) -> Response:
        http = cast(HTTPException, exc)  # the handler is registered for HTTPException only
        code = http.status_code
        return self._page(request, "error.html", status_code=code, code=code, detail=http.detail)


def _page_links(page: int, pages: int) -> list[int | None]:
    """The page numbers to link: the first, the last and two either side of ``page``; None stands for a gap."""
    shown = sorted({1, pages, *range(max(page - 2, 1), min(page + 2, pages) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


def _day(value: str | None) -> date | None:
    """A YYYY-MM-DD form field; anything else (empty, mistyped) is no limit."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
