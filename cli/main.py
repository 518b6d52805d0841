"""The ``cpec-watch`` command line: a thin layer over flows/ and storage/.

Read-only commands (``articles``, ``feeds``, ``items``, ``timeline``, ``web``, ``export-feeds``) never import Prefect.
``run`` and ``backfill`` go through the Prefect flows only when asked (``--prefect``, or the ``prefect``
setting), whatever the environment says, and otherwise run the same code path in-process, with no server to
start. Either way one summary goes to stdout (Prefect's own logs go to stderr).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from cpec_watch.cli.common import (
    echo_json,
    exit_if_stopped,
    export_store,
    handle_errors,
    settings_from,
    stoppable,
    use_prefect,
)
from cpec_watch.cli.digest import digest
from cpec_watch.cli.views import articles, feeds, items, reindex, status, timeline
from cpec_watch.cli.web import export_feeds, web
from cpec_watch.flows.report import summary_text


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="CPEC_WATCH_DB", help="SQLAlchemy URL [default: sqlite:///data/cpec-watch.db].")
@click.option(
    "--config",
    "config_file",
    envvar="CPEC_WATCH_CONFIG",
    type=click.Path(path_type=Path),
    help="TOML config file (feeds, relevance terms, items, subscriptions).",
)
@click.option(
    "--archive",
    envvar="CPEC_WATCH_ARCHIVE",
    type=click.Path(path_type=Path),
    help="Folder of seed-format article files [default: ./data/articles].",
)
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


@cli.command()
@click.option("--feeds", "feeds_file", type=click.Path(path_type=Path), help="Feed list (OPML or TOML).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option(
    "--prefect/--no-prefect", default=None, help="Run as a Prefect flow [default: the `prefect` setting, off]."
)
@click.pass_context
@handle_errors
def run(ctx: click.Context, feeds_file: Path | None, as_json: bool, prefect: bool | None) -> None:
    """One monitoring pass: poll the feeds, store new CPEC articles, report.

    \b
    Examples:
      cpec-watch run
      cpec-watch run --feeds my-feeds.opml --json
    """
    settings = settings_from(ctx)
    if use_prefect(prefect, settings):
        from cpec_watch.flows.prefect_flows import monitor

        export_store(settings)  # the run reads them from its environment: no password in its parameters
        data = monitor(feeds=str(feeds_file) if feeds_file else None)
        click.echo(json.dumps(data, indent=2, default=str) if as_json else summary_text(data))
        return
    from cpec_watch.flows.runs import monitor_pass

    with stoppable() as stop:
        summary = monitor_pass(settings, feeds_file=feeds_file, print_alerts=not as_json, stop=stop)
    echo_json(summary.to_json()) if as_json else click.echo(summary.to_text())
    exit_if_stopped(stop)


@cli.command()
@click.option("--from-dir", type=click.Path(path_type=Path, file_okay=False), help="Folder of seed-format files.")
@click.option(
    "--urls", "urls_file", type=click.Path(path_type=Path, dir_okay=False), help="File of article URLs, one per line."
)
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(path_type=Path),
    help="Feed list (OPML or TOML) to read within --since/--until.",
)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First publication date (YYYY-MM-DD) for --feeds.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last publication date (YYYY-MM-DD) for --feeds.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--prefect/--no-prefect", default=None, help="Run as a Prefect flow [default: the `prefect` setting, off]."
)
@click.pass_context
@handle_errors
def backfill(
    ctx: click.Context,
    from_dir: Path | None,
    urls_file: Path | None,
    feeds_file: Path | None,
    since: Any,
    until: Any,
    as_json: bool,
    prefect: bool | None,
) -> None:
    """Load older articles: from a seed-format folder, a URL list, or feeds within a date window.

    \b
    Examples:
      cpec-watch backfill --from-dir old-articles/
      cpec-watch backfill --urls urls.txt
      cpec-watch backfill --feeds feeds.opml --since 2025-09-01 --until 2025-09-30
    """
    from cpec_watch.flows.runs import backfill_pass, read_url_list, thread_mapper

    settings = settings_from(ctx)
    urls = read_url_list(urls_file) if urls_file else []
    since_d: date | None = since.date() if since else None
    until_d: date | None = until.date() if until else None
    if since_d and until_d and since_d > until_d:
        raise click.BadParameter(f"--since {since_d} is after --until {until_d}", param_hint="--since")
    if use_prefect(prefect, settings):
        from cpec_watch.flows.prefect_flows import backfill as backfill_flow

        export_store(settings)
        data = backfill_flow(
            from_dir=str(from_dir) if from_dir else None,
            urls=urls,
            feeds=str(feeds_file) if feeds_file else None,
            since=since_d,
            until=until_d,
        )
        click.echo(json.dumps(data, indent=2, default=str) if as_json else summary_text(data))
        return
    show_bar = sys.stderr.isatty() and not as_json and feeds_file is not None
    bar_context = _feeds_bar(feeds_file) if show_bar and feeds_file else contextlib.nullcontext()
    with stoppable() as stop, bar_context as bar:
        progress = (lambda report: bar.update(1)) if bar else None
        summary = backfill_pass(
            settings,
            functools.partial(thread_mapper, progress=progress),
            from_dir=from_dir,
            urls=urls,
            feeds_file=feeds_file,
            since=since_d,
            until=until_d,
            stop=stop,
        )
    echo_json(summary.to_json()) if as_json else click.echo(summary.to_text())
    exit_if_stopped(stop)


def _feeds_bar(feeds_file: Path) -> Any:
    from cpec_watch.parsers.feedlist import load_feed_list

    return click.progressbar(length=len(load_feed_list(feeds_file)), label="backfilling feeds", file=sys.stderr)


@cli.command()
@click.pass_context
@handle_errors
def serve(ctx: click.Context) -> None:
    """Serve the scheduled flows (monitor, digest) and the backfill deployment until Ctrl-C.

    Needs a Prefect server: start one with `prefect server start` and export PREFECT_API_URL. Schedules come
    from [schedules] in the config file (monitor every 30 minutes, digest daily 08:00, Asia/Karachi).

    \b
    Examples:
      export PREFECT_API_URL=http://127.0.0.1:4200/api
      cpec-watch serve
      cpec-watch --config team.toml serve
    """
    settings = settings_from(ctx)
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise click.ClickException(
            "serve needs a Prefect server: run `prefect server start` in another terminal, then "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    from cpec_watch.flows.prefect_flows import serve_all

    export_store(settings)  # the served runs inherit it; their parameters carry no password
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how serve stops
        serve_all(settings)
    click.echo("serve: stopped; the schedules are paused until the next serve")


for command in (articles, feeds, items, timeline, reindex, digest, status, web, export_feeds):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="cpec-watch")
