"""What every command shares: settings from the global options, JSON output, one-line errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import click

from cpec_watch.cli.errors import USER_ERRORS
from cpec_watch.config.settings import Settings
from cpec_watch.flows.setup import load_checked_settings


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can cause into one line and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def settings_from(ctx: click.Context) -> Settings:
    return load_checked_settings(**ctx.obj)


def use_prefect(flag: bool | None, settings: Settings) -> bool:
    """Prefect only when asked (``--prefect``, or ``prefect = true`` / CPEC_WATCH_PREFECT=1), whatever
    PREFECT_API_URL says: it only names the server a Prefect run reports to."""
    return flag if flag is not None else settings.prefect


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
