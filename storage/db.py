"""The engine, schema migrations and dialect-neutral upserts.

Any SQLAlchemy URL works; SQLite (the default) gets WAL and a busy timeout so a
scheduled run and a manual command can share one file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError
from sqlmodel import Session, SQLModel, create_engine

from cpec_watch.storage.locks import file_lock

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


class StorageError(Exception):
    """The database cannot be opened or migrated; the message is one line."""


def open_engine(url: str, *, create: bool = True, make_folder: bool = False) -> Engine:
    """An engine for ``url`` with the schema at the latest revision.

    ``create=False`` (read-only commands) refuses to create a new SQLite file: a mistyped
    path is reported instead of answered with an empty store. A new SQLite file is created only in a folder that
    exists (a typo in ``--db`` must not start a second store somewhere), unless ``make_folder`` (the default store).
    """
    parsed = _parsed(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not create and not path.exists():
            raise StorageError(f"no store at {path} yet: `cpec-watch run` or `backfill` creates it")
        if not make_folder and not path.parent.is_dir():
            raise StorageError(f"no folder {path.parent} for the store {path.name}: check --db, or create the folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    try:
        engine = create_engine(parsed)
    except NoSuchModuleError:
        raise StorageError(f"unknown database type in URL: {parsed.drivername}") from None
    except ImportError as exc:
        raise StorageError(f"no driver for {parsed.drivername}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        revision = _revision(engine)
        if revision is not None and revision > HEAD:
            raise StorageError(
                f"the store at {parsed.render_as_string()} was written by a newer CPEC Watch "
                f"(schema {revision}, this one knows {HEAD})"
            )
        if revision != HEAD:
            with sqlite_file_lock(parsed, "migrate"):  # PostgreSQL takes an advisory lock in upgrade()
                if _revision(engine) != HEAD:  # another process may have migrated while we waited
                    upgrade(engine)
    except DatabaseError as exc:
        raise StorageError(
            f"cannot open database {parsed.render_as_string()}: {' '.join(str(exc.orig).split())}"
        ) from None
    return engine


def open_read_only(url: str) -> Engine:
    """An engine over an existing store that cannot write to it (the web view's).

    The store is opened once as every command opens it (a missing one is a StorageError, an old schema is
    migrated), then read through SQLite's ``mode=ro`` and ``query_only`` or a PostgreSQL session whose
    transactions are read-only (``default_transaction_read_only``).
    """
    open_engine(url, create=False).dispose()
    parsed = _parsed(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).resolve()
        engine = create_engine(parsed.set(database=f"file:{path}", query={"mode": "ro", "uri": "true"}))
        event.listen(engine, "connect", _sqlite_read_only)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, connect_args={"options": "-c default_transaction_read_only=on"})
    raise StorageError(f"cannot open {parsed.render_as_string()} read-only: a SQLite file or PostgreSQL only")


@contextmanager
def using(store: str | Engine) -> Iterator[Engine]:
    """The engine of ``store``: a URL is opened (never created) and disposed after; an engine is lent as is."""
    if isinstance(store, Engine):
        yield store
        return
    engine = open_engine(store, create=False)
    try:
        yield engine
    finally:
        engine.dispose()


def _parsed(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@contextmanager
def sqlite_file_lock(url: URL, purpose: str) -> Iterator[None]:
    """Across processes, one holder at a time of ``purpose`` for a SQLite file (a no-op for other databases)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    with file_lock(f"{url.database}.{purpose}.lock"):
        yield


def _revision(engine: Engine) -> str | None:
    """The schema's Alembic revision, read without importing Alembic (which costs ~0.3 s)."""
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DatabaseError:
            return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (a no-op when it is there)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # SQLite rebuilds altered tables: referencing rows must not block it
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(731337)")  # one migrator at a time
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def insert_ignore(sess: Session, model: type[SQLModel], rows: list[dict[str, Any]] | dict[str, Any]) -> list[Any]:
    """INSERT … ON CONFLICT DO NOTHING (one statement, compiled once, for all rows); returns the primary keys
    of the rows it inserted (its length: how many).

    Every row names the same columns. It runs on the session's connection, past the ORM: nothing is flushed.
    """
    rows = [rows] if isinstance(rows, dict) else rows
    if not rows:
        return []
    statement = _insert_ignore(sess.get_bind().dialect.name, model)
    return [key[0] if len(key) == 1 else tuple(key) for key in sess.connection().execute(statement, rows).all()]


@cache
def _insert_ignore(dialect: str, model: type[SQLModel]) -> Any:
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise StorageError(f"unsupported database dialect: {dialect}")
    keys = list(model.__table__.primary_key.columns)  # type: ignore[attr-defined]
    return insert(model).on_conflict_do_nothing().returning(*keys)  # type: ignore[attr-defined]
