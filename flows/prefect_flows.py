"""Prefect flows: ``monitor`` (one pass, scheduled), ``backfill`` (manual, with parameters) and its
``backfill-chunk`` runs, ``digest``, and :func:`serve_all`, which serves them from one process (``cpec-watch serve``).

One task per feed (retries, concurrency and logs per source); the work itself is the
plain code path in ``flows/runs.py`` and ``flows/pipeline.py`` that the CLI also runs.
Each run leaves a markdown artifact summarizing it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, serve, task
from prefect.artifacts import create_markdown_artifact
from prefect.blocks.system import Secret
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.runtime import deployment
from prefect.schedules import Cron
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import SecretStr

from cpec_watch.config.settings import ConfigError, Settings
from cpec_watch.flows import pipeline, runs
from cpec_watch.flows.backfill import count_stored, folder_chunks
from cpec_watch.flows.digests import digest_pass, report_json
from cpec_watch.flows.pipeline import open_pipeline
from cpec_watch.flows.report import FeedReport, RunSummary, nothing_polled
from cpec_watch.flows.setup import load_checked_settings
from cpec_watch.models import FeedSource

CHUNK_DEPLOYMENT = "backfill-chunk/backfill-chunk"  # prefect.yaml and serve_all both name it so
CHUNKS_TIMEOUT = 24 * 3600.0  # how long a folder backfill waits for its chunk runs (5000 files take minutes)


@task(
    name="poll-feed", task_run_name="poll {source.name}", retries=2, retry_delay_seconds=[10, 60], cache_policy=NO_CACHE
)
def poll_feed_task(pipe: pipeline.Pipeline, source: FeedSource, window: tuple[date, date] | None) -> FeedReport:
    """Fetch one feed and ingest its new entries (HTTP retries happen inside; these are for the rest)."""
    return pipeline.poll_feed(replace(pipe, log=get_run_logger()), source, window=window)


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


def _finish(summary: RunSummary, key: str) -> Any:
    """The run's summary as its result; a Failed state holding it when there were feeds to poll and not one could
    be (an outage must not show as a green run), so ``state.result(raise_on_failure=False)`` still gives it."""
    get_run_logger().info(summary.to_text().splitlines()[0])  # the whole summary is the CLI's and the artifact's
    create_markdown_artifact(summary.to_markdown(), key=key, description=f"CPEC Watch {summary.kind} summary")
    data = summary.to_json()
    why = nothing_polled(data)
    return Failed(message=why, data=data) if why else data


@flow(name="monitor")
def monitor(
    feeds: str | None = None, db: str | None = None, config: str | None = None, archive: str | None = None
) -> Any:  # the summary (dict), or a Failed state holding it
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
    chunk: int | None = None,
    db: str | None = None,
    config: str | None = None,
    archive: str | None = None,
) -> Any:  # the summary (dict), or a Failed state holding it
    """Backfill from a seed-format folder, a list of URLs, or feeds within a date window.

    A folder goes in chunks of ``chunk`` files (default ``[backfill] chunk``): from a deployment, each chunk is a
    ``backfill-chunk`` flow run that any worker of the pool can take; run directly, a task run each. A chunk that
    fails loses only itself; running the backfill again skips the files already stored.
    """
    settings = _settings(db, config, archive)
    reports: tuple[FeedReport, ...] = ()
    if from_dir:
        size = chunk or settings.backfill.chunk
        passed = {"db": db, "config": config, "archive": archive}
        reports = (_folder_in_chunks(settings, Path(from_dir), size, passed),)
    if urls or feeds:
        summary = runs.backfill_pass(
            settings,
            prefect_mapper,
            urls=urls or (),
            feeds_file=Path(feeds) if feeds else None,
            since=since,
            until=until,
        )
        reports += summary.reports
    elif not from_dir:
        raise ConfigError("backfill needs from_dir, urls or feeds")
    return _finish(RunSummary("backfill", reports), "backfill-summary")


@task(name="backfill-chunk", task_run_name="files {first} to {last}", retries=1, cache_policy=NO_CACHE)
def backfill_chunk_task(settings: Settings, folder: Path, first: str, last: str) -> FeedReport:
    """One chunk of a folder backfill, in this process."""
    return runs.chunk_pass(settings, folder, first, last).reports[0]


@flow(name="backfill-chunk", flow_run_name="files {first} to {last}")
def backfill_chunk(
    from_dir: str, first: str, last: str, db: str | None = None, config: str | None = None, archive: str | None = None
) -> Any:  # the summary (dict), or a Failed state holding it
    """One chunk of a folder backfill, the files named from ``first`` to ``last`` (started by ``backfill``)."""
    summary = runs.chunk_pass(_settings(db, config, archive), Path(from_dir), first, last)
    return _finish(summary, "backfill-chunk-summary")


def _folder_in_chunks(settings: Settings, folder: Path, size: int, passed: dict[str, str | None]) -> FeedReport:
    """A folder backfill fanned out in chunks; one report for the folder."""
    if not folder.is_dir():
        raise ConfigError(f"not a folder: {folder}")
    chunks = folder_chunks(folder, size)
    log = get_run_logger()
    log.info("backfill of %s: %d chunk(s) of up to %d files", folder, len(chunks), size)
    if deployment.id is None:  # a direct run: the chunks are task runs here, one after the other
        reports = [backfill_chunk_task(settings, folder, first, last) for first, last in chunks]
        return _merged(FeedReport(str(folder), "archive", feed=False), reports)
    with open_pipeline(settings) as pipe:
        before = count_stored(pipe, folder)
    started = [
        run_deployment(
            CHUNK_DEPLOYMENT,
            parameters={"from_dir": str(folder), "first": first, "last": last, **passed},
            timeout=0,
        )
        for first, last in chunks
    ]
    states = _wait_for(started)
    with open_pipeline(settings) as pipe:
        stored = count_stored(pipe, folder) - before
    failed = [f"{first} to {last}" for (first, last), state in zip(chunks, states, strict=True) if not state]
    error = f"{len(failed)} chunk(s) did not complete: {', '.join(failed)}; run the backfill again" if failed else None
    counts = {"stored": stored} if stored else {}
    return FeedReport(str(folder), "archive", error=error, counts=counts, feed=False)


def _wait_for(flow_runs: list[Any], poll: float = 2.0, timeout: float = CHUNKS_TIMEOUT) -> list[bool]:
    """Wait until every flow run is final, at most ``timeout`` seconds; whether each completed (a run not final
    by then, say one no worker took, did not: running the backfill again does its files)."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            states = [client.read_flow_run(run.id).state for run in flow_runs]
            if time.monotonic() >= deadline or all(state is not None and state.is_final() for state in states):
                return [state is not None and state.is_completed() for state in states]
            time.sleep(min(poll, max(deadline - time.monotonic(), 0)))


def _merged(report: FeedReport, parts: list[FeedReport]) -> FeedReport:
    counts: dict[str, int] = {}
    for part in parts:
        for outcome, n in part.counts.items():
            counts[outcome] = counts.get(outcome, 0) + n
    return replace(report, counts=counts, interrupted=any(part.interrupted for part in parts))


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
        backfill_chunk.to_deployment("backfill-chunk"),
    ]
    serve(*deployments)  # type: ignore[arg-type]  # sync here: to_deployment returns the deployment itself
