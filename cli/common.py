"""What every command shares: settings from the global options, JSON output, one-line errors."""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from cpec_watch.cli.errors import USER_ERRORS
from cpec_watch.cli.exits import CANNOT_RUN
from cpec_watch.config.settings import Settings
from cpec_watch.flows.setup import load_checked_settings
from cpec_watch.flows.stopping import Stop


class CannotRun(click.ClickException):
    """A run that could not start or go on (bad config, unreadable store, unusable archive): one line, exit 2."""

    exit_code = CANNOT_RUN


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can cause into one line and exit status 2 ("could not run", cli/exits.py)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise CannotRun(str(exc)) from None

    return wrapper


def settings_from(ctx: click.Context) -> Settings:
    return load_checked_settings(**ctx.obj)


def export_store(settings: Settings) -> None:
    """Put the store, archive and config file in the environment the Prefect runs read their settings from, so
    that a database password never becomes a flow-run parameter (shown in the UI and the API)."""
    os.environ["CPEC_WATCH_DB"] = settings.db
    os.environ["CPEC_WATCH_ARCHIVE"] = str(settings.archive)
    if settings.config is not None:
        os.environ["CPEC_WATCH_CONFIG"] = str(settings.config)


def use_prefect(flag: bool | None, settings: Settings) -> bool:
    """Prefect only when asked (``--prefect``, or ``prefect = true`` / CPEC_WATCH_PREFECT=1), whatever
    PREFECT_API_URL says: it only names the server a Prefect run reports to."""
    return flag if flag is not None else settings.prefect


_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # ANSI sequences, C0/C1 controls


def echo_line(text: str) -> None:
    """Print a line built from article text, with escape sequences and control characters taken out: a headline
    cannot recolour, clear or retitle the reader's terminal."""
    click.echo(_CONTROL.sub("", text))


def mask_password(url: str) -> str:
    """A database URL fit to print: its password, if any, replaced by ***."""
    return re.sub(r"(//[^:/@]+:)[^@/]+@", r"\1***@", url)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@contextmanager
def stoppable() -> Iterator[Stop]:
    """A :class:`Stop` that the first Ctrl-C or SIGTERM requests (the pass winds down and reports); a second
    signal exits at once, without a traceback. Exits 130 (SIGINT) or 143 (SIGTERM) after an interrupted pass."""
    stop = Stop()

    def handle(signum: int, _frame: object) -> None:
        if stop.requested():
            os._exit(128 + signum)  # a second signal: at once
        stop.request(signal.Signals(signum).name)
        name = signal.Signals(signum).name
        click.echo(f"stopping ({name}): requests in flight aborted, nothing new started; again to quit now", err=True)

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def exit_if_stopped(stop: Stop) -> None:
    """After an interrupted pass (its summary printed): exit 130/143 now, not after requests still in flight."""
    if stop.reason is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signal.Signals[stop.reason].value)
