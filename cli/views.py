"""Read-only commands: articles, feeds, tracked items, timelines, status (they never import Prefect); reindex."""

from __future__ import annotations

import os
from typing import Any

import click

from cpec_watch.cli.common import CannotRun, echo_json, echo_line, handle_errors, mask_password, settings_from
from cpec_watch.flows.setup import user_catalogue


@click.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published on or after this date.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per article.")
@click.pass_context
@handle_errors
def articles(ctx: click.Context, since: Any, as_json: bool) -> None:
    """List stored articles, with their story and tracked items.

    \b
    Examples:
      cpec-watch articles
      cpec-watch articles --since 2025-09-01 --json
    """
    from cpec_watch.storage.queries import article_rows

    rows = article_rows(settings_from(ctx).db, since.date() if since else None)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        items = f" [{', '.join(row['items'])}]" if row["items"] else ""
        echo_line(
            f"{row['id']:>4}  {row['published'] or '   ?      '}  story {row['story']:<4} "
            f"{row['source'][:18]:<18} {(row['title'] or '(no title)')[:70]}{items}"
        )
    click.echo(f"{len(rows)} article(s)")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per feed.")
@click.option("--opml", is_flag=True, help="Print the configured feed list as OPML instead (reads no store).")
@click.pass_context
@handle_errors
def feeds(ctx: click.Context, as_json: bool, opml: bool) -> None:
    """Show each polled feed's health: last status, last error, when, entries seen.

    \b
    Examples:
      cpec-watch feeds
      cpec-watch feeds --json
      cpec-watch feeds --opml > cpec-feeds.opml
    """
    settings = settings_from(ctx)
    if opml:
        from cpec_watch.flows.setup import feed_sources
        from cpec_watch.parsers.feedlist import to_opml

        click.echo(to_opml(feed_sources(settings)), nl=False)
        return
    from cpec_watch.storage.queries import feed_rows

    rows = feed_rows(settings.db)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        echo_line(
            f"{row['name'][:22]:<22} {row['last_status'] or '-'!s:>4}  {row['entries_seen']:>5} seen  "
            f"{row['health']}  {row['url']}"
        )
    click.echo(f"{len(rows)} feed(s)")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per tracked item.")
@click.pass_context
@handle_errors
def items(ctx: click.Context, as_json: bool) -> None:
    """List tracked items with their latest reported status and date.

    \b
    Examples:
      cpec-watch items
      cpec-watch items --json
    """
    from cpec_watch.storage.queries import item_rows

    settings = settings_from(ctx)
    rows = item_rows(settings.db, user_catalogue(settings), settings.status.announce)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        change = f"  ({row['last_change']})" if row["last_change"] else ""
        change += "  (unsure: not announced)" if row["unsure"] else ""
        echo_line(
            f"{row['slug']:<28} {row['status'] or '-':<19} {row['date'] or '':<10} "
            f"{row['updates']:>3} update(s){change}"
        )


@click.command()
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per update.")
@click.pass_context
@handle_errors
def timeline(ctx: click.Context, slug: str | None, as_json: bool) -> None:
    """Show the dated updates of one tracked item (or all), status changes marked.

    \b
    Examples:
      cpec-watch timeline ml-1
      cpec-watch timeline --json
    """
    from cpec_watch.storage.queries import timeline_rows, transition

    settings = settings_from(ctx)
    if slug is not None and slug not in {item.slug for item in user_catalogue(settings).items}:
        raise CannotRun(f"unknown tracked item: {slug} (see cpec-watch items)")
    rows = timeline_rows(settings.db, user_catalogue(settings), slug, settings.status.announce)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = transition(row)
        sure = f"{row['confidence']:.0%} sure"
        outlets = ", ".join(dict.fromkeys(source["outlet"] for source in row["sources"]))
        echo_line(f"{row['date'] or 'undated':<10}  {row['item']:<26} {state:<34} {sure:<9} {outlets}")
        echo_line(f"            {row['excerpt']}")
    click.echo(f"{len(rows)} update(s)")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the count as JSON.")
@click.pass_context
@handle_errors
def reindex(ctx: click.Context, as_json: bool) -> None:
    """Match the stored articles again after the catalogue changed (fetches nothing).

    \b
    Examples:
      cpec-watch --config my-items.toml reindex
    """
    from cpec_watch.parsers.status import updates_finder
    from cpec_watch.storage.queries import reindex_store

    settings = settings_from(ctx)
    count = reindex_store(settings.db, updates_finder(user_catalogue(settings)))
    echo_json({"updates": count}) if as_json else click.echo(f"reindexed: {count} update(s)")


@click.command()
@click.pass_context
@handle_errors
def status(ctx: click.Context) -> None:
    """Say where the store, the archive, the config file and the Prefect API are, and whether each answers.

    Exits 1 when the store cannot be read.

    \b
    Examples:
      cpec-watch status
      cpec-watch --db postgresql://cpec@db.example.org/cpec status
    """
    from cpec_watch.storage.db import StorageError
    from cpec_watch.storage.queries import store_summary

    settings = settings_from(ctx)
    try:
        store, store_ok = f"ok, {store_summary(settings.db)}", True
    except StorageError as exc:
        store, store_ok = f"PROBLEM: {exc}", False
    archive = settings.archive
    files = len(list(archive.glob("*.txt"))) if archive.is_dir() else 0
    writable = archive.is_dir() and os.access(archive, os.W_OK)
    api = os.environ.get("PREFECT_API_URL")
    for name, where, state in (
        ("store", mask_password(settings.db), store),
        ("archive", str(archive), f"ok, {files} file(s)" if writable else "not there yet or not writable"),
        ("config", str(settings.config or "none: the defaults"), "ok" if settings.config else "-"),
        ("prefect", api or "not configured", _prefect_state(api) if api else "runs in-process (--prefect to use it)"),
    ):
        echo_line(f"{name:<8} {where}\n         {state}")
    if not store_ok:
        raise SystemExit(1)


def _prefect_state(api: str) -> str:
    import httpx  # only `status` needs it: the other read-only commands start without it

    try:
        answer = httpx.get(f"{api.rstrip('/')}/health", timeout=3)
    except httpx.HTTPError as exc:
        return f"PROBLEM: {type(exc).__name__}"
    return "ok" if answer.status_code == 200 else f"PROBLEM: HTTP {answer.status_code}"
