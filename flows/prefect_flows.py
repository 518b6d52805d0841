"""Prefect flows: ``monitor`` (one pass, scheduled), ``backfill`` (manual, with parameters), ``digest``, and
:func:`serve_all`, which serves all three from one process (``cpec-watch serve``).

One task per feed (retries, concurrency and logs per source); the work itself is the
plain code path in ``flows/runs.py`` and ``flows/pipeline.py`` that the CLI also runs.
Each run leaves a markdown artifact summarizing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, serve, task
from prefect.artifacts import create_markdown_artifact
from prefect.blocks.system import Secret
from prefect.cache_policies import NO_CACHE
from prefect.schedules import Cron
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import SecretStr

from cpec_watch.config.settings import Settings
from cpec_watch.flows import pipeline, runs
from cpec_watch.flows.digests import digest_pass, report_json
from cpec_watch.flows.logfields import log_feed
from cpec_watch.flows.report import FeedReport, RunSummary
from cpec_watch.flows.setup import load_checked_settings
from cpec_watch.models import FeedSource


@task(
    name="poll-feed", task_run_name="poll {source.name}", retries=2, retry_delay_seconds=[10, 60], cache_policy=NO_CACHE
)
def poll_feed_task(pipe: pipeline.Pipeline, source: FeedSource, window: tuple[date, date] | None) -> FeedReport:
    """Fetch one feed and ingest its new entries (HTTP retries happen inside; these are for the rest)."""
    log = get_run_logger()
    report = pipeline.poll_feed(replace(pipe, log=log), source, window=window)
    log_feed(log, pipe.engine, report)
    return report


def prefect_mapper(
    pipe: pipeline.Pipeline, sources: Sequence[FeedSource], window: tuple[date, date] | None
) -> list[FeedReport]:
    """One task run per feed, at most ``[fetch] concurrency`` of them polling at once."""
    runner: ThreadPoolTaskRunner[FeedReport] = ThreadPoolTaskRunner(max_workers=max(1, pipe.settings.fetch.concurrency))
    with runner:
        futures = [
            runner.submit(poll_feed_task, parameters={"pipe": pipe, "source": source, "window": window})
            for source in sources
        ]
        return [future.result() for future in futures]


def _settings(db: str | None, config: str | None, archive: str | None) -> Settings:
    settings = load_checked_settings(
        db=db, config=Path(config) if config else None, archive=Path(archive) if archive else None
    )
    return _with_block_secrets(settings)


def _finish(summary: RunSummary, key: str) -> dict[str, Any]:
    get_run_logger().info(summary.to_text().splitlines()[0])  # the whole summary is the CLI's and the artifact's
    create_markdown_artifact(summary.to_markdown(), key=key, description=f"CPEC Watch {summary.kind} summary")
    return summary.to_json()


@flow(name="monitor")
def monitor(
    feeds: str | None = None, db: str | None = None, config: str | None = None, archive: str | None = None
) -> dict[str, Any]:
    """Poll every feed once, store what is new, and summarize the run."""
    settings = _settings(db, config, archive)
    summary = runs.monitor_pass(settings, prefect_mapper, feeds_file=Path(feeds) if feeds else None)
    return _finish(summary, "monitor-summary")


@flow(name="backfill")
def backfill(
    from_dir: str | None = None,
    urls: list[str] | None = None,
    feeds: str | None = None,
    since: date | None = None,
    until: date | None = None,
    db: str | None = None,
    config: str | None = None,
    archive: str | None = None,
) -> dict[str, Any]:
    """Backfill from a seed-format folder, a list of URLs, or feeds within a date window."""
    settings = _settings(db, config, archive)
    summary = runs.backfill_pass(
        settings,
        prefect_mapper,
        from_dir=Path(from_dir) if from_dir else None,
        urls=urls or (),
        feeds_file=Path(feeds) if feeds else None,
        since=since,
        until=until,
    )
    return _finish(summary, "backfill-summary")


def _with_block_secrets(settings: Settings) -> Settings:
    """Channel secrets: the environment first, then the Secret blocks ``cpec-watch-slack-webhook`` and
    ``cpec-watch-smtp-password`` when they exist on the Prefect server."""

    def block(name: str) -> SecretStr | None:
        try:
            return SecretStr(Secret.load(name).get())  # type: ignore[union-attr]  # sync in a sync flow
        except ValueError:  # no such block
            return None

    return settings.model_copy(
        update={
            "slack_webhook_url": settings.slack_webhook_url or block("cpec-watch-slack-webhook"),
            "smtp_password": settings.smtp_password or block("cpec-watch-smtp-password"),
        }
    )


@flow(name="digest")
def digest(
    channel: str = "all",
    since: datetime | None = None,
    dry_run: bool = False,
    db: str | None = None,
    config: str | None = None,
    archive: str | None = None,
) -> list[dict[str, Any]]:
    """Send each subscription what is new since its last digest; keep the digest as an artifact."""
    settings = _settings(db, config, archive)
    reports = digest_pass(settings, channel=channel, since=since, dry_run=dry_run, print_stdout=False)
    for report in reports:
        get_run_logger().info(
            "%s (%s): %s, %d update(s)", report.subscription, report.channel, report.status, report.updates
        )
        if report.markdown:
            create_markdown_artifact(
                report.markdown,
                key=f"digest-{_artifact_key(report.subscription)}",
                description=f"CPEC Watch digest for {report.subscription}",
            )
    return report_json(reports)


def _artifact_key(name: str) -> str:
    """Artifact keys allow lower-case letters, digits and dashes only."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "digest"


def serve_all(settings: Settings) -> None:
    """Serve the ``monitor`` and ``digest`` schedules and the ``backfill`` deployment from this process, against
    the Prefect server ``PREFECT_API_URL`` names, until Ctrl-C (which pauses the schedules). The runs read the
    store and config from the environment they inherit, so no password is a deployment parameter."""
    times = settings.schedules
    deployments = [
        monitor.to_deployment("monitor", schedule=Cron(times.monitor, timezone=times.timezone), concurrency_limit=1),
        digest.to_deployment("digest", schedule=Cron(times.digest, timezone=times.timezone)),
        backfill.to_deployment("backfill"),
    ]
    serve(*deployments)  # type: ignore[arg-type]  # sync here: to_deployment returns the deployment itself
