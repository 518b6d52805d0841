"""The engine, schema migrations and dialect-neutral upserts.

Any SQLAlchemy URL works; SQLite (the default) gets WAL and a busy timeout so a
scheduled run and a manual command can share one file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine


class StorageError(Exception):
    """The database cannot be opened or migrated; the message is one line."""


def open_engine(url: str, *, migrate: bool = True) -> Engine:
    """An engine for ``url`` with the schema at the latest revision."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed)
    except NoSuchModuleError:
        raise StorageError(f"unknown database type in URL: {parsed.drivername}") from None
    except ImportError as exc:
        raise StorageError(f"no driver for {parsed.drivername}: {exc} (pip install 'cpec-watch[postgres]')") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        try:
            upgrade(engine)
        except OperationalError as exc:
            raise StorageError(f"cannot open database {parsed.render_as_string()}: {exc.orig}") from None
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (a no-op when it is there)."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(731337)")  # one migrator at a time
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def insert_ignore(sess: Session, model: type[SQLModel], rows: list[dict[str, Any]] | dict[str, Any]) -> int:
    """INSERT … ON CONFLICT DO NOTHING; returns how many rows were inserted."""
    rows = [rows] if isinstance(rows, dict) else rows
    if not rows:
        return 0
    dialect = sess.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise StorageError(f"unsupported database dialect: {dialect}")
    keys = list(model.__table__.primary_key.columns)  # type: ignore[attr-defined]
    statement = insert(model).values(rows).on_conflict_do_nothing().returning(*keys)
    return len(sess.exec(statement).all())  # type: ignore[call-overload]


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())
