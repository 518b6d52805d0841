"""The web view and its feeds: ``web`` serves the store read-only, ``export-feeds`` writes the Atom feeds."""

from __future__ import annotations

from pathlib import Path

import click

from cpec_watch.cli.common import handle_errors, mask_password, settings_from
from cpec_watch.flows.setup import user_catalogue


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", default=8790, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.pass_context
@handle_errors
def web(ctx: click.Context, host: str, port: int) -> None:
    """Serve a read-only web view of the store: projects, timelines, articles, search, sources, Atom feeds.

    \b
    Examples:
      cpec-watch web                      # then open http://127.0.0.1:8790/
      cpec-watch --db postgresql://cpec@db.example.org/cpec web --host 0.0.0.0 --port 8080
    """
    from cpec_watch.storage.db import open_read_only
    from cpec_watch.web.server import serve

    settings = settings_from(ctx)
    store = open_read_only(settings.db)
    click.echo(f"serving {mask_password(settings.db)} read-only on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    try:
        serve(store, user_catalogue(settings), settings.archive, host, port, settings.status.announce)
    finally:
        store.dispose()


@click.command("export-feeds")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--base-url",
    default="http://127.0.0.1:8790",
    show_default=True,
    help="Where the web view is served: the feeds' links are made absolute from it.",
)
@click.pass_context
@handle_errors
def export_feeds(ctx: click.Context, folder: Path, base_url: str) -> None:
    """Write the Atom feeds (changes.atom, items/<slug>.atom, categories/<category>.atom) to FOLDER.

    \b
    Examples:
      cpec-watch export-feeds public/feeds --base-url https://cpec.example.org
    """
    from cpec_watch.storage.queries import last_activity, timeline_rows
    from cpec_watch.web.atom import write_feeds

    settings = settings_from(ctx)
    catalogue = user_catalogue(settings)
    rows = timeline_rows(settings.db, catalogue, announce=settings.status.announce)
    written = write_feeds(rows, catalogue, folder, base_url, last_activity(settings.db))
    click.echo(f"wrote {len(written)} feed(s) to {folder}")
