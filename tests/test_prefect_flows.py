"""The Prefect flows, run for real under Prefect's test harness (one server per session)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.support.webserver import FixtureServer, serve_fixtures

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def prefect_harness() -> Iterator[None]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=60),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    with serve_fixtures() as running:
        yield running


def test_monitor_flow_polls_each_feed_in_its_own_task_and_leaves_an_artifact(
    prefect_harness: None, server: FixtureServer, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    from cpec_watch.flows.prefect_flows import monitor

    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        "".join(
            f'[[feeds]]\nurl = "{server.url(path)}"\nname = "{name}"\n'
            for path, name in [("/feeds/dawn.xml", "Dawn"), ("/feeds/down.xml", "Down")]
        )
    )
    config = tmp_path / "config.toml"
    config.write_text("import_seeds = false\n[fetch]\nretries = 0\n")
    db, archive = f"sqlite:///{tmp_path / 'cpec.db'}", str(tmp_path / "articles")

    state = monitor(feeds=str(feeds), db=db, config=str(config), archive=archive, return_state=True)
    summary = state.result()
    assert summary["new"] >= 1
    assert [f["name"] for f in summary["feeds_failed"]] == ["Down"]

    async def task_names_and_artifact() -> tuple[list[str], str]:
        """Task runs reach the server as events (a run may first appear under its default name), so poll for them."""
        async with get_client() as client:
            for _ in range(150):
                runs = await client._client.post(
                    "/task_runs/filter",
                    json={"flow_runs": {"id": {"any_": [str(state.state_details.flow_run_id)]}}, "limit": 50},
                )
                if len(runs.json()) >= 2 and not any(r["name"].startswith("poll-feed-") for r in runs.json()):
                    break
                await asyncio.sleep(0.2)
            artifacts = await client._client.post(
                "/artifacts/filter",
                json={"artifacts": {"key": {"any_": ["monitor-summary"]}}, "sort": "CREATED_DESC", "limit": 5},
            )
            return [run["name"] for run in runs.json()], artifacts.json()[0]["data"]

    names, markdown = asyncio.run(task_names_and_artifact())
    assert sorted(names) == ["poll Dawn", "poll Down"]
    assert "| Dawn |" in markdown and "HTTP 500" in markdown

    again = monitor(feeds=str(feeds), db=db, config=str(config), archive=archive)
    assert again["new"] == 0


def test_backfill_flow_imports_a_seed_folder(prefect_harness: None, tmp_path: Path) -> None:
    from cpec_watch.flows.prefect_flows import backfill

    result = backfill(
        from_dir=str(ROOT / "seeds"), db=f"sqlite:///{tmp_path / 'b.db'}", archive=str(tmp_path / "articles")
    )
    assert result["new"] == 5
    assert json.loads(json.dumps(result)) == result  # plain JSON for the UI: no dates or objects


def test_a_folder_backfill_runs_in_chunks_and_a_second_run_adds_nothing(prefect_harness: None, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    from cpec_watch.flows.prefect_flows import backfill

    db, archive = f"sqlite:///{tmp_path / 'c.db'}", str(tmp_path / "articles")
    state = backfill(from_dir=str(ROOT / "seeds"), chunk=2, db=db, archive=archive, return_state=True)
    assert state.result()["new"] == 5

    async def chunk_runs() -> list[str]:
        async with get_client() as client:
            runs = await client._client.post(
                "/task_runs/filter",
                json={"flow_runs": {"id": {"any_": [str(state.state_details.flow_run_id)]}}, "limit": 50},
            )
            return sorted(run["name"] for run in runs.json() if run["name"].startswith("files "))

    for _ in range(150):  # task runs reach the server as events
        names = asyncio.run(chunk_runs())
        if len(names) == 3:
            break
        time.sleep(0.2)
    assert len(names) == 3 and names[0].startswith("files 000_")  # 5 files in chunks of 2
    again = backfill(from_dir=str(ROOT / "seeds"), chunk=2, db=db, archive=archive)
    assert (again["new"], again["already_seen"]) == (0, 5)


def test_prefect_yaml_deploys_monitor_on_a_schedule_and_backfill_with_parameters() -> None:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert deployments["monitor"]["schedules"][0]["cron"]
    assert deployments["backfill"]["schedules"] == []
    assert {"from_dir", "urls", "feeds", "since", "until", "chunk"} <= set(deployments["backfill"]["parameters"])
    assert deployments["backfill-chunk"]["schedules"] == []
    for deployment in deployments.values():
        module, _, name = deployment["entrypoint"].partition(":")
        assert (ROOT / module).exists()
        source = (ROOT / module).read_text()
        assert f"def {name}(" in source


def test_digest_flow_sends_once_and_keeps_the_digest_as_an_artifact(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client

    from cpec_watch.flows.prefect_flows import backfill, digest

    for name in ("CPEC_WATCH_SMTP_HOST", "CPEC_WATCH_SLACK_WEBHOOK_URL", "CPEC_WATCH_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    db = f"sqlite:///{tmp_path / 'd.db'}"
    backfill(from_dir=str(ROOT / "seeds"), db=db, archive=str(tmp_path / "articles"))
    [report] = digest(db=db)
    assert report["status"] == "sent" and report["updates"] >= 1  # the seeds' readings (one dated story each)
    assert digest(db=db)[0]["status"] == "nothing-new"

    async def artifact() -> str:
        async with get_client() as client:
            found = await client._client.post(
                "/artifacts/filter",
                json={"artifacts": {"key": {"any_": ["digest-stdout"]}}, "sort": "CREATED_DESC", "limit": 1},
            )
            return found.json()[0]["data"]

    assert "## Updates" in asyncio.run(artifact())


def test_the_cli_runs_the_flow_when_asked(prefect_harness: None, server: FixtureServer, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cpec_watch.cli.main import cli

    (tmp_path / "feeds.toml").write_text(f'[[feeds]]\nurl = "{server.url("/feeds/dawn.xml")}"\nname = "Dawn"\n')
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            f"sqlite:///{tmp_path / 'c.db'}",
            "--archive",
            str(tmp_path / "a"),
            "run",
            "--prefect",
            "--feeds",
            str(tmp_path / "feeds.toml"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert summary["kind"] == "monitor" and summary["new"] == 3


def test_a_folder_backfill_waits_for_its_chunk_runs_only_so_long(prefect_harness: None) -> None:
    """A chunk run that no worker takes stays Scheduled for ever: the wait ends at its timeout, the run counted as
    not completed (the folder's report then says to run the backfill again), instead of waiting for ever."""
    from prefect.deployments import run_deployment

    from cpec_watch.flows.prefect_flows import _wait_for, backfill_chunk

    backfill_chunk.to_deployment("never-taken").apply()  # no worker serves it
    scheduled = run_deployment(
        "backfill-chunk/never-taken", parameters={"from_dir": "/nowhere", "first": "a", "last": "b"}, timeout=0
    )
    assert _wait_for([scheduled], poll=0.1, timeout=1) == [False]
