"""Migrations: an empty database and a store with data at every earlier revision upgrade to the latest one."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.backfill import import_folder
from cpec_watch.flows.pipeline import open_pipeline
from cpec_watch.storage.db import HEAD, MIGRATIONS, open_engine
from cpec_watch.storage.search import SearchFilters, search_articles
from tests.conftest import SEEDS

EARLIER = ["0001", "0002", "0003", "0004", "0005", "0006"]  # every revision before HEAD (0007)


def alembic(db_url: str, step: str, revision: str) -> None:
    engine = create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, step)(config, revision)
    engine.dispose()


def count(db_url: str, table: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return int(value or 0)


def test_an_empty_database_is_created_at_head(db_url: str) -> None:
    engine = open_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()
    assert HEAD == "0007" and count(db_url, "article") == 0


@pytest.mark.parametrize("revision", EARLIER)
def test_a_store_with_data_at_an_earlier_revision_upgrades_to_head(db_url: str, tmp_path: Path, revision: str) -> None:
    with open_pipeline(load_settings(db=db_url, archive=tmp_path / "articles")) as pipe:
        import_folder(pipe, SEEDS, "seed")  # a full store: articles, bands, updates, sources
    updates = count(db_url, "itemupdate")
    engine = create_engine(db_url)
    with engine.begin() as connection:  # before 0004 an update always had a date
        connection.execute(text("UPDATE itemupdate SET date = '2025-09-01' WHERE date IS NULL"))
    engine.dispose()
    alembic(db_url, "downgrade", revision)
    upgraded = open_engine(db_url)  # opening a store migrates it
    with upgraded.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    upgraded.dispose()
    assert count(db_url, "article") == 5 and count(db_url, "storyband") > 0
    assert search_articles(db_url, "CPEC", SearchFilters()).total == 5  # 0007 indexed the stored articles
    # 0001 predates tracked-item updates: they are rebuilt from the stored articles by the next run's repair.
    assert count(db_url, "itemupdate") == (0 if revision == "0001" else updates)
