"""The ``cpec-watch`` command line: a thin layer over flows/ and storage/.

Read-only commands (``articles``, ``feeds``, ``items``, ``timeline``) never import Prefect.
``run`` and ``backfill`` go through the Prefect flows when a Prefect API is configured
(``PREFECT_API_URL``) or ``--prefect`` is given, and otherwise run the same code path
in-process, with no server to start.
"""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import click

from cli.errors import USER_ERRORS
from config.settings import Settings, load_settings


def _handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can cause into one line and exit status 1."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="CPEC_WATCH_DB", help="SQLAlchemy URL [default: sqlite:///data/cpec-watch.db].")
@click.option("--config", "config_file", envvar="CPEC_WATCH_CONFIG", type=click.Path(path_type=Path),
              help="TOML config file (feeds, relevance terms, items, subscriptions).")
@click.option("--archive", envvar="CPEC_WATCH_ARCHIVE", type=click.Path(path_type=Path),
              help="Folder of seed-format article files [default: ./data/articles].")
@click.option("-v", "--verbose", is_flag=True, help="Log each feed and page as it is handled (stderr).")
@click.version_option(package_name="cpec-watch")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_file: Path | None, archive: Path | None, verbose: bool) -> None:
    """CPEC Watch: follow CPEC Phase II projects in Pakistani news.

    \b
    Examples:
      cpec-watch run                      # one monitoring pass over the shipped feeds
      cpec-watch articles --since 2025-09-01 --json
      cpec-watch feeds
    """
    ctx.obj = {"db": db, "config": config_file, "archive": archive}
    log = logging.getLogger("cpec_watch")
    log.handlers[:] = [logging.StreamHandler() if verbose else logging.NullHandler()]
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False


def settings_from(ctx: click.Context) -> Settings:
    return load_settings(**ctx.obj)


def use_prefect(flag: bool | None) -> bool:
    return flag if flag is not None else bool(os.environ.get("PREFECT_API_URL"))


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@cli.command()
@click.option("--feeds", "feeds_file", type=click.Path(path_type=Path), help="Feed list (OPML or TOML).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--prefect/--no-prefect", default=None, help="Run as a Prefect flow [default: when PREFECT_API_URL is set].")
@click.pass_context
@_handle_errors
def run(ctx: click.Context, feeds_file: Path | None, as_json: bool, prefect: bool | None) -> None:
    """One monitoring pass: poll the feeds, store new CPEC articles, report.

    \b
    Examples:
      cpec-watch run
      cpec-watch run --feeds my-feeds.opml --json
    """
    settings = settings_from(ctx)
    if use_prefect(prefect):
        from flows.prefect_flows import monitor

        data = monitor(feeds=str(feeds_file) if feeds_file else None, db=settings.db, archive=str(settings.archive),
                       config=str(settings.config) if settings.config else None)
        click.echo(json.dumps(data, indent=2, default=str) if as_json else _summary_text(data))
        return
    from flows.runs import monitor_pass

    summary = monitor_pass(settings, feeds_file=feeds_file, print_alerts=not as_json)
    echo_json(summary.to_json()) if as_json else click.echo(summary.to_text())


def _summary_text(data: dict[str, Any]) -> str:
    failed = "".join(f"\n  FAILED {f['name']} ({f['url']}): {f['error']}" for f in data["feeds_failed"])
    return (f"{data['kind']}: {data['new']} new article(s), {data['duplicates']} duplicate(s), "
            f"{data['irrelevant']} irrelevant, {data['already_seen']} already seen, "
            f"{data['failed_pages']} page(s) failed; {len(data['feeds_failed'])} source(s) failed{failed}")


@cli.command()
@click.option("--from-dir", type=click.Path(path_type=Path, file_okay=False), help="Folder of seed-format files.")
@click.option("--urls", "urls_file", type=click.Path(path_type=Path, dir_okay=False), help="File of article URLs, one per line.")
@click.option("--feeds", "feeds_file", type=click.Path(path_type=Path), help="Feed list (OPML or TOML) to read within --since/--until.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First publication date (YYYY-MM-DD) for --feeds.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last publication date (YYYY-MM-DD) for --feeds.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--prefect/--no-prefect", default=None, help="Run as a Prefect flow [default: when PREFECT_API_URL is set].")
@click.pass_context
@_handle_errors
def backfill(ctx: click.Context, from_dir: Path | None, urls_file: Path | None, feeds_file: Path | None,
             since: Any, until: Any, as_json: bool, prefect: bool | None) -> None:
    """Load older articles: from a seed-format folder, a URL list, or feeds within a date window.

    \b
    Examples:
      cpec-watch backfill --from-dir old-articles/
      cpec-watch backfill --urls urls.txt
      cpec-watch backfill --feeds feeds.opml --since 2025-09-01 --until 2025-09-30
    """
    from flows.runs import backfill_pass, read_url_list, thread_mapper

    settings = settings_from(ctx)
    urls = read_url_list(urls_file) if urls_file else []
    since_d: date | None = since.date() if since else None
    until_d: date | None = until.date() if until else None
    if since_d and until_d and since_d > until_d:
        raise click.BadParameter(f"--since {since_d} is after --until {until_d}", param_hint="--since")
    if use_prefect(prefect):
        from flows.prefect_flows import backfill as backfill_flow

        data = backfill_flow(from_dir=str(from_dir) if from_dir else None, urls=urls,
                             feeds=str(feeds_file) if feeds_file else None, since=since_d, until=until_d,
                             db=settings.db, archive=str(settings.archive),
                             config=str(settings.config) if settings.config else None)
        click.echo(json.dumps(data, indent=2, default=str) if as_json else _summary_text(data))
        return
    show_bar = sys.stderr.isatty() and not as_json and feeds_file is not None
    with _feeds_bar(feeds_file) if show_bar else contextlib.nullcontext() as bar:
        progress = (lambda report: bar.update(1)) if bar else None
        summary = backfill_pass(settings, functools.partial(thread_mapper, progress=progress), from_dir=from_dir,
                                urls=urls, feeds_file=feeds_file, since=since_d, until=until_d)
    echo_json(summary.to_json()) if as_json else click.echo(summary.to_text())


def _feeds_bar(feeds_file: Path) -> Any:
    from parsers.feedlist import load_feed_list

    return click.progressbar(length=len(load_feed_list(feeds_file)), label="backfilling feeds", file=sys.stderr)


@cli.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published on or after this date.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per article.")
@click.pass_context
@_handle_errors
def articles(ctx: click.Context, since: Any, as_json: bool) -> None:
    """List stored articles, with their story and tracked items.

    \b
    Examples:
      cpec-watch articles
      cpec-watch articles --since 2025-09-01 --json
    """
    from storage.queries import article_rows

    rows = article_rows(settings_from(ctx).db, since.date() if since else None)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        items = f" [{', '.join(row['items'])}]" if row["items"] else ""
        click.echo(f"{row['id']:>4}  {row['published'] or '   ?      '}  story {row['story']:<4} "
                   f"{row['source'][:18]:<18} {(row['title'] or '(no title)')[:70]}{items}")
    click.echo(f"{len(rows)} article(s)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per feed.")
@click.pass_context
@_handle_errors
def feeds(ctx: click.Context, as_json: bool) -> None:
    """Show each polled feed's health: last status, last error, when, entries seen.

    \b
    Examples:
      cpec-watch feeds
      cpec-watch feeds --json
    """
    from storage.queries import feed_rows

    rows = feed_rows(settings_from(ctx).db)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = f"ERROR {row['last_error']}" if row["last_error"] and row["consecutive_failures"] else "ok"
        click.echo(f"{row['name'][:22]:<22} {str(row['last_status'] or '-'):>4}  {row['entries_seen']:>5} seen  "
                   f"{state}  {row['url']}")
    click.echo(f"{len(rows)} feed(s)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per tracked item.")
@click.pass_context
@_handle_errors
def items(ctx: click.Context, as_json: bool) -> None:
    """List tracked items with their latest reported status and date.

    \b
    Examples:
      cpec-watch items
      cpec-watch items --json
    """
    from flows.pipeline import load_user_catalogue
    from storage.queries import item_rows

    settings = settings_from(ctx)
    rows = item_rows(settings.db, load_user_catalogue(settings))
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        change = f"  ({row['last_change']})" if row["last_change"] else ""
        click.echo(f"{row['slug']:<28} {row['status'] or '-':<19} {row['date'] or '':<10} "
                   f"{row['updates']:>3} update(s){change}")


@cli.command()
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per update.")
@click.pass_context
@_handle_errors
def timeline(ctx: click.Context, slug: str | None, as_json: bool) -> None:
    """Show the dated updates of one tracked item (or all), status changes marked.

    \b
    Examples:
      cpec-watch timeline ml-1
      cpec-watch timeline --json
    """
    from flows.pipeline import load_user_catalogue
    from storage.queries import timeline_rows

    settings = settings_from(ctx)
    if slug is not None and slug not in {item.slug for item in load_user_catalogue(settings).items}:
        raise click.ClickException(f"unknown tracked item: {slug} (see cpec-watch items)")
    rows = timeline_rows(settings.db, slug)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = f"{row['previous_status']} → {row['status']}" if row["change"] else row["status"]
        outlets = ", ".join(dict.fromkeys(source["outlet"] for source in row["sources"]))
        click.echo(f"{row['date']}  {row['item']:<26} {state:<34} {outlets}\n            {row['evidence'][:160]}")
    click.echo(f"{len(rows)} update(s)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the count as JSON.")
@click.pass_context
@_handle_errors
def reindex(ctx: click.Context, as_json: bool) -> None:
    """Match the stored articles again after the catalogue changed (fetches nothing).

    \b
    Examples:
      cpec-watch --config my-items.toml reindex
    """
    from flows.pipeline import load_user_catalogue
    from storage.queries import reindex_store

    settings = settings_from(ctx)
    count = reindex_store(settings.db, load_user_catalogue(settings))
    echo_json({"updates": count}) if as_json else click.echo(f"reindexed: {count} update(s)")


@cli.command()
@click.option("--channel", type=click.Choice(["stdout", "markdown", "email", "slack", "apprise", "all"]),
              default="all", show_default=True, help="Only the subscriptions on this channel.")
@click.option("--since", "since_text", metavar="DURATION|DATE",
              help="Cover this period (24h, 7d, 2w or YYYY-MM-DD) instead of 'since the last digest'.")
@click.option("--dry-run", is_flag=True, help="Build and report the digests without sending or recording them.")
@click.option("--json", "as_json", is_flag=True, help="Report what went to which channel as JSON.")
@click.pass_context
@_handle_errors
def digest(ctx: click.Context, channel: str, since_text: str | None, dry_run: bool, as_json: bool) -> None:
    """Send the digest of what is new per tracked item (status changes first) to each subscription.

    \b
    Examples:
      cpec-watch digest                        # Markdown on stdout (the default subscription)
      cpec-watch digest --channel email        # needs CPEC_WATCH_SMTP_HOST, _EMAIL_FROM, _EMAIL_TO
      cpec-watch digest --since 7d --dry-run --json
    """
    from flows.digests import digest_pass, report_json

    since = parse_since(since_text) if since_text else None
    reports = digest_pass(settings_from(ctx), channel=channel, since=since, dry_run=dry_run,
                          print_stdout=not as_json)
    if as_json:
        echo_json(report_json(reports))
        return
    for report in reports:
        detail = f": {report.error}" if report.error else ""
        click.echo(f"{report.subscription} ({report.channel}): {report.status}, {report.updates} update(s), "
                   f"{report.status_changes} status change(s), {report.messages} message(s){detail}", err=True)
    if any(report.status in ("failed", "partial") for report in reports):
        ctx.exit(1)


def parse_since(text: str) -> datetime:
    """``24h``, ``7d``, ``2w``, ``90m`` before now, or a ``YYYY-MM-DD`` date (UTC midnight)."""
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    value = text.strip().lower()
    try:
        if value[:-1].isdigit() and value[-1:] in units:
            return datetime.now(timezone.utc) - timedelta(**{units[value[-1]]: int(value[:-1])})
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        raise click.BadParameter(f"{text!r}: use a duration such as 24h, 7d, 2w or a date YYYY-MM-DD",
                                 param_hint="--since") from None


def main() -> None:
    cli(prog_name="cpec-watch")
