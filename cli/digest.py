"""The digest command."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import click

from cpec_watch.cli.common import echo_json, handle_errors, settings_from
from cpec_watch.cli.exits import digest_status
from cpec_watch.clock import utcnow


@click.command()
@click.option(
    "--channel",
    type=click.Choice(["stdout", "markdown", "email", "slack", "apprise", "all"]),
    default="all",
    show_default=True,
    help="Only the subscriptions on this channel.",
)
@click.option(
    "--since",
    "since_text",
    metavar="DURATION|DATE",
    help="Cover this period (24h, 7d, 2w or YYYY-MM-DD) instead of 'since the last digest'.",
)
@click.option("--dry-run", is_flag=True, help="Build and report the digests without sending or recording them.")
@click.option("--json", "as_json", is_flag=True, help="Report what went to which channel as JSON.")
@click.pass_context
@handle_errors
def digest(ctx: click.Context, channel: str, since_text: str | None, dry_run: bool, as_json: bool) -> None:
    """Send the digest of what is new per tracked item (status changes first) to each subscription.

    \b
    Examples:
      cpec-watch digest                        # Markdown on stdout (the default subscription)
      cpec-watch digest --channel email        # needs CPEC_WATCH_SMTP_HOST, _EMAIL_FROM, _EMAIL_TO
      cpec-watch digest --since 7d --dry-run --json
    """
    from cpec_watch.flows.digests import digest_pass, report_json

    since = parse_since(since_text) if since_text else None
    reports = digest_pass(settings_from(ctx), channel=channel, since=since, dry_run=dry_run, print_stdout=not as_json)
    data = report_json(reports)
    if as_json:
        echo_json(data)
    else:
        for report in reports:
            detail = f": {report.error}" if report.error else ""
            click.echo(
                f"{report.subscription} ({report.channel}): {report.status}, {report.updates} update(s), "
                f"{report.status_changes} status change(s), {report.messages} message(s){detail}",
                err=True,
            )
    ctx.exit(digest_status(data))  # 3 when a channel failed (cli/exits.py)


def parse_since(text: str) -> datetime:
    """``24h``, ``7d``, ``2w``, ``90m`` before now, or a ``YYYY-MM-DD`` date (UTC midnight)."""
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    value = text.strip().lower()
    try:
        if value[:-1].isdigit() and value[-1:] in units:
            return utcnow() - timedelta(**{units[value[-1]]: int(value[:-1])})
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except (ValueError, OverflowError):
        raise click.BadParameter(
            f"{text!r}: use a duration such as 24h, 7d, 2w or a date YYYY-MM-DD", param_hint="--since"
        ) from None
