"""Serving the web view with uvicorn."""

from __future__ import annotations

from pathlib import Path

import uvicorn
from sqlalchemy import Engine

from cpec_watch.parsers.items import Catalogue
from cpec_watch.web.app import create_app


def serve(store: Engine, catalogue: Catalogue, archive: Path, host: str, port: int, announce: float | None) -> None:
    """Serve ``store`` (an engine from ``storage.db.open_read_only``) on ``host:port`` until Ctrl-C."""
    app = create_app(store, catalogue, archive, announce=announce)
    uvicorn.run(app, host=host, port=port, log_level="warning")
