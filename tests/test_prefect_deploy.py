"""The README's Prefect section, run as written against a temporary Prefect server (on a free port, not 4200):
a process worker running the prefect.yaml deployments, then ``cpec-watch serve``; a backfill with parameters is
triggered as a user would (``prefect deployment run``) and the store is checked.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ROOT, _reset_postgres
from tests.support.corpus import write_corpus
from tests.support_alerts import free_port

pytestmark = pytest.mark.prefect
BIN = Path(sys.executable).parent


def readme_commands() -> list[str]:
    """The shell lines of the README's Prefect section, in order (TOML blocks left out)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Prefect: schedules") : readme.index("## Benchmarks")]
    blocks = re.findall(r"```(\w*)\n(.*?)```", section, re.DOTALL)
    return [line.strip() for kind, body in blocks if kind != "toml" for line in body.splitlines() if line.strip()]


def command(line: str, port: int) -> list[str]:
    words = shlex.split(line.replace("4200", str(port)))
    return [str(BIN / Path(words[0]).name), *words[1:]] if words[0].startswith(".venv/bin/") else words


def stop(process: subprocess.Popen) -> int:
    """Ctrl-C, as a user stops it; a second signal if it lingers (a worker may ignore the first)."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.terminate()
        return process.wait(timeout=30)


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], int]]:
    """A fresh server per test: the two ways of running register deployments of the same names."""
    home, port = tmp_path_factory.mktemp("prefect-home"), free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    [start] = [line for line in readme_commands() if "prefect server start" in line]
    process = subprocess.Popen(
        [*command(start, port), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "the Prefect server did not start"
        time.sleep(0.5)
    yield env, port
    stop(process)


def articles(db: Path) -> int:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM article")).scalar()
    engine.dispose()
    return int(count or 0)


def wait_for_deployments(port: int, process: subprocess.Popen, names: int = 4) -> None:
    """Until ``cpec-watch serve`` has registered its deployments (slow on a busy machine)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        found = httpx.post(f"http://127.0.0.1:{port}/api/deployments/filter", json={}, timeout=10).json()
        if len(found) >= names:
            time.sleep(1)  # and has started polling for their runs
            return
        time.sleep(0.5)
    raise AssertionError("cpec-watch serve did not register its deployments")


def run_section(server, tmp_path: Path, background: str, skip: tuple[str, ...]) -> Path:  # type: ignore[no-untyped-def]
    """Run the section's commands: ``background`` in the background, the others to completion, ``skip`` not."""
    env, port = server
    db = tmp_path / "store.db"
    env = {**env, "CPEC_WATCH_DB": f"sqlite:///{db}", "CPEC_WATCH_ARCHIVE": str(tmp_path / "articles")}
    running: list[subprocess.Popen] = []
    try:
        lines = readme_commands()
        triggers = [line for line in lines if "deployment run" in line]  # once the deployments exist
        for line in [line for line in lines if line not in triggers] + triggers:
            if "server start" in line or any(s in line for s in skip):
                continue
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                env[name] = value.replace("4200", str(port))
            elif background in line:
                running.append(
                    subprocess.Popen(
                        command(line, port),
                        env=env,
                        cwd=ROOT,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                    )
                )
                if "serve" in line:
                    wait_for_deployments(port, running[-1])
                else:
                    time.sleep(3)  # the worker starts polling its pool
            else:
                done = subprocess.run(
                    command(line, port), env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
                )
                assert done.returncode == 0, (line, done.stdout[-2000:], done.stderr[-2000:])
                if "deployment run" in line:
                    assert "Completed" in done.stdout + done.stderr, done.stdout[-2000:]
    finally:
        codes = [stop(process) for process in running]
    if background == "cpec-watch serve":
        assert codes == [0]
        assert "serve: stopped" in (running[0].stdout.read() if running[0].stdout else "")
    return db


def test_prefect_yaml_deployments_on_a_process_worker_run_a_backfill(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = run_section(server, tmp_path, background="worker start", skip=("cpec-watch serve",))
    assert articles(db) == 5  # the seeds, backfilled by the worker's flow run


def test_cpec_watch_serve_runs_the_deployments_from_one_process(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = run_section(server, tmp_path, background="cpec-watch serve", skip=("work-pool", "deploy --all", "worker"))
    assert articles(db) == 5
    deployments = httpx.post(f"http://127.0.0.1:{server[1]}/api/deployments/filter", json={}, timeout=10).json()
    assert {d["name"] for d in deployments} == {"monitor", "digest", "backfill", "backfill-chunk"}
    assert all(str(db) not in str(d["parameters"]) for d in deployments)  # the store is not a parameter


@pytest.mark.postgres
def test_two_workers_share_the_chunks_of_one_folder_backfill_on_postgresql(  # type: ignore[no-untyped-def]
    server, tmp_path: Path, postgres_server_url: str | None
) -> None:
    """The backfill deployment fans a folder out as backfill-chunk flow runs; two process workers take them, and the
    shared PostgreSQL store holds every article once. Running it again adds nothing."""
    if postgres_server_url is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (CI always has one)")
    _reset_postgres(postgres_server_url)
    env, port = server
    env = {
        **env,
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "CPEC_WATCH_DB": postgres_server_url,
        "CPEC_WATCH_ARCHIVE": str(tmp_path / "articles"),
        "CPEC_WATCH_IMPORT_SEEDS": "false",
    }
    written = write_corpus(tmp_path / "old", 50)

    def prefect(*args: str) -> str:
        done = subprocess.run(
            [str(BIN / "prefect"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done.stdout + done.stderr

    prefect("work-pool", "create", "cpec-watch", "--type", "process")
    prefect("deploy", "--all")
    workers = [
        subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", "cpec-watch", "--name", f"worker-{n}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in (1, 2)
    ]
    try:
        time.sleep(3)
        for _ in range(2):  # the second run finds every file stored
            out = prefect(
                "deployment",
                "run",
                "backfill/backfill",
                "-p",
                f"from_dir={tmp_path / 'old'}",
                "-p",
                "chunk=25",
                "--watch",
            )
            assert "Completed" in out, out[-2000:]
    finally:
        logs = []
        for worker in workers:
            stop(worker)
            logs.append(worker.stdout.read() if worker.stdout else "")
    runs = httpx.post(
        f"http://127.0.0.1:{port}/api/flow_runs/filter", json={"flow_runs": {"name": {"like_": "files "}}}, timeout=10
    ).json()
    chunks = -(-len(list((tmp_path / "old").glob("*.txt"))) // 25)
    assert len(runs) == 2 * chunks and all(run["state_type"] == "COMPLETED" for run in runs)
    assert all(run["run_count"] == 1 for run in runs), "each chunk run ran once"
    # Both workers may see a run and try to take it; the server lets one have it, the other logs that it aborted.
    taken = [sum(_took(log, run["id"]) for log in logs) for run in runs]
    assert taken == [1] * len(runs), "each chunk run is taken by one worker"
    engine = create_engine(postgres_server_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        stored, keys, stories, pairs = connection.execute(
            text(
                "SELECT count(*), count(DISTINCT url_key), count(DISTINCT story_id), "
                "(SELECT count(*) FROM (SELECT DISTINCT item, story_id FROM itemupdate) AS u) FROM article"
            )
        ).one()
        updates = connection.execute(text("SELECT count(*) FROM itemupdate")).scalar()
    engine.dispose()
    assert stored == keys == written["story"] + written["rewrite"]
    assert stories == written["story"]  # each rewrite joined its original's story
    assert updates == pairs  # one update per item per story


def _took(worker_log: str, run_id: str) -> bool:
    """Whether a worker submitted a flow run and the server let it have it."""
    submitted = f"submitting flow run '{run_id}'" in worker_log
    return submitted and f"Aborted submission of flow run '{run_id}'" not in worker_log
