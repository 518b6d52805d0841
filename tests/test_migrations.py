"""Migrations carry a store with data from every earlier revision to the latest one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.pipeline import import_folder, open_pipeline
from cpec_watch.storage.db import HEAD, MIGRATIONS, open_engine
from tests.conftest import SEEDS


def test_a_store_with_data_at_the_first_revision_upgrades_to_head(db_url: str, tmp_path: Path) -> None:
    with open_pipeline(load_settings(db=db_url, archive=tmp_path / "articles")) as pipe:
        import_folder(pipe, SEEDS, "seed")  # a full store: articles, bands, updates, sources
    engine = create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        connection.execute(text("UPDATE itemupdate SET date = '2025-09-01' WHERE date IS NULL"))  # 0003 had no NULLs
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    engine.dispose()
    upgraded = open_engine(db_url)
    with upgraded.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert connection.execute(text("SELECT count(*) FROM article")).scalar() == 5
        assert connection.execute(text("SELECT count(*) FROM storyband")).scalar() > 0
    upgraded.dispose()
