"""Shared fixtures: paths to the seeds and fixture corpus."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


UNTOUCHABLE_SKIP = {".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}


def _checkout_state() -> dict[str, float]:
    """Every file and folder of the checkout (caches aside) with its modification time (folders: presence)."""
    state: dict[str, float] = {}
    stack = [ROOT]
    while stack:
        for entry in os.scandir(stack.pop()):
            if entry.name in UNTOUCHABLE_SKIP or entry.name.endswith(".egg-info"):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
                state[entry.path + os.sep] = 0.0
            else:
                state[entry.path] = entry.stat(follow_symlinks=False).st_mtime
    return state


@pytest.fixture(autouse=True, scope="session")
def _loopback_servers_allowed() -> Iterator[None]:
    """Every test server is on 127.0.0.1, which the network guard refuses unless told (tests/test_guard.py
    checks the guard itself with this off)."""
    os.environ["CPEC_WATCH_ALLOW_PRIVATE_NETWORKS"] = "1"
    yield


@pytest.fixture(autouse=True)
def _checkout_untouched() -> Iterator[None]:
    """Fail a test that writes, changes or removes anything in the checkout: tests write to their temp folders."""
    before = _checkout_state()
    yield
    after = _checkout_state()
    touched = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert not touched, f"the test touched the checkout: {[os.path.relpath(p, ROOT) for p in touched[:5]]}"


SHARED = ROOT.parent / "shared"  # the team's notes beside the checkout (CI has them; a user's clone does not)


def shared_file(name: str) -> Path:
    """``../shared/<name>``; a test that needs it skips, with the reason, when a clone has no ../shared (under
    CI, where ../shared is always there, it fails instead)."""
    path = SHARED / name
    if not path.is_file():
        if os.environ.get("CI"):
            raise FileNotFoundError(f"CI must have {path} beside the checkout")
        pytest.skip(f"needs {path}, which only the team's checkout has beside it")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


PG_SERVER = os.environ.get("CPEC_WATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DATABASE = f"cpec_watch_test_{os.getpid()}"  # one per test session, so parallel sessions never collide


def _postgres_url() -> str | None:
    """A fresh database on the machine's PostgreSQL, or None when there is none (never in CI)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    try:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
        admin.dispose()
    except OperationalError as exc:
        if os.environ.get("CI"):
            raise RuntimeError(f"CI must run the PostgreSQL tests, but {PG_SERVER} is unreachable: {exc}") from exc
        return None
    return PG_SERVER.rsplit("/", 1)[0] + f"/{PG_DATABASE}"


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str | None]:
    url = _postgres_url()
    yield url
    if url is not None:
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_server_url: str | None) -> str:
    """Each storage test runs on a fresh SQLite file and on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cpec.db'}"
    if postgres_server_url is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (CI always has one)")
    _reset_postgres(postgres_server_url)
    return postgres_server_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cpec.db'}"
