"""The ``cpec-watch`` command line: a thin layer over flows/ and storage/.

Read-only commands (``articles``, ``feeds``, ``items``, ``timeline``, ``web``, ``export-feeds``) never import Prefect.
``run`` and ``backfill`` go through the Prefect flows only when asked (``--prefect``, or the ``prefect``
setting), whatever the environment says, and otherwise run the same code path in-process, with no server to
start. Either way one summary goes to stdout (Prefect's own logs go to stderr).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from cpec_watch.cli.common import (
    CannotRun,
    echo_json,
    exit_if_stopped,
    export_store,
    handle_errors,
    settings_from,
    stoppable,
    use_prefect,
)
from cpec_watch.cli.digest import digest
from cpec_watch.cli.exits import run_status
from cpec_watch.cli.logs import configure_logging
from cpec_watch.cli.views import articles, feeds, items, reindex, status, timeline
from cpec_watch.cli.web import export_feeds, web
from cpec_watch.flows.report import summary_text
from cpec_watch.flows.stopping import Stop


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
@click.option(
    "--log-format",
    envvar="CPEC_WATCH_LOG_FORMAT",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines on stderr as text, or one JSON object each (json logs warnings even without -v).",
)
@click.version_option(package_name="cpec-watch")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, config_file: Path | None, archive: Path | None, verbose: bool, log_format: str
) -> None:
    """CPEC Watch: follow CPEC Phase II projects in Pakistani news.

    \b
    Examples:
      cpec-watch run                      # one monitoring pass over the shipped feeds
      cpec-watch articles --since 2025-09-01 --json
      cpec-watch feeds
    """
    ctx.obj = {"db": db, "config": config_file, "archive": archive}
    configure_logging(verbose, log_format)


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
        finish(ctx, flow_result(monitor(feeds=str(feeds_file) if feeds_file else None, return_state=True)), as_json)
    from cpec_watch.flows.runs import monitor_pass

    with stoppable() as stop:
        summary = monitor_pass(settings, feeds_file=feeds_file, print_alerts=not as_json, stop=stop)
    finish(ctx, summary.to_json(), as_json, stop)


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
        state = backfill_flow(
            from_dir=str(from_dir) if from_dir else None,
            urls=urls,
            feeds=str(feeds_file) if feeds_file else None,
            since=since_d,
            until=until_d,
            return_state=True,
        )
        finish(ctx, flow_result(state), as_json)
    show_bar = sys.stderr.isatty() and not as_json
    feeds_bar = _feeds_bar(feeds_file) if show_bar and feeds_file else contextlib.nullcontext()
    files_bar = _files_bar(from_dir) if show_bar and from_dir and from_dir.is_dir() else contextlib.nullcontext()
    with stoppable() as stop, feeds_bar as bar, files_bar as files:
        progress = (lambda report: bar.update(1)) if bar else None
        summary = backfill_pass(
            settings,
            functools.partial(thread_mapper, progress=progress),
            on_files=files.update if files else None,
            from_dir=from_dir,
            urls=urls,
            feeds_file=feeds_file,
            since=since_d,
            until=until_d,
            stop=stop,
        )
    finish(ctx, summary.to_json(), as_json, stop)


def finish(ctx: click.Context, data: dict[str, Any], as_json: bool, stop: Stop | None = None) -> NoReturn:
    """Print a run's one summary (JSON or text, the same from a Prefect flow) and exit with its status:
    130/143 after a signal, else 3 when something in it failed, else 0 (cli/exits.py)."""
    echo_json(data) if as_json else click.echo(summary_text(data))
    if stop is not None:
        exit_if_stopped(stop)
    ctx.exit(run_status(data))


def flow_result(state: Any) -> dict[str, Any]:
    """A Prefect run's summary, from a run that completed or one that failed because no feed could be polled (its
    Failed state holds the summary); whatever else failed it is raised as the flow raised it."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return dict(result)


def _files_bar(folder: Path) -> Any:
    return click.progressbar(length=sum(1 for _ in folder.glob("*.txt")), label="backfilling files", file=sys.stderr)


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
        raise CannotRun(
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
