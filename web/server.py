"""Serving the web view with uvicorn, and exporting its feeds to a folder."""

from __future__ import annotations

from pathlib import Path

import uvicorn
from sqlalchemy import Engine

from cpec_watch.parsers.items import Catalogue
from cpec_watch.storage.db import open_read_only
from cpec_watch.storage.queries import timeline_rows
from cpec_watch.web.app import create_app
from cpec_watch.web.atom import write_feeds


def serve(store: Engine, catalogue: Catalogue, archive: Path, host: str, port: int) -> None:
    """Serve ``store`` (an engine from :func:`open_read_only`) on ``host:port`` until Ctrl-C."""
    uvicorn.run(create_app(store, catalogue, archive), host=host, port=port, log_level="warning")


def export_feeds(db_url: str, catalogue: Catalogue, folder: Path, base_url: str) -> list[Path]:
    """Write every Atom feed of the store under ``folder``, its links made absolute from ``base_url``."""
    store = open_read_only(db_url)
    try:
        return write_feeds(timeline_rows(store, catalogue), catalogue, folder, base_url)
    finally:
        store.dispose()
