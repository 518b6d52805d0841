"""A store built by the real pipeline from the seeds plus one hostile article, and the web view served over it by
a real uvicorn on 127.0.0.1 (an ephemeral port, in a thread)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from cpec_watch.config.settings import load_settings
from cpec_watch.flows.backfill import import_folder
from cpec_watch.flows.pipeline import open_pipeline
from cpec_watch.models import FeedSource
from cpec_watch.parsers.items import load_catalogue
from cpec_watch.storage.db import open_engine, open_read_only, session
from cpec_watch.storage.feeds import record_feed_error
from cpec_watch.web.app import create_app
from tests.conftest import SEEDS, _reset_postgres

HOSTILE_TITLE = '<script>alert(1)</script> ML-1 & "CPEC"'
REPORT = """ date 2025-10-20 {title}

ISLAMABAD: Work on the Main Line-1 (ML-1) railway upgrade is under construction on the Karachi–Rohri section, \
officials said on Monday, with $2 billion released for the first package due by June 2026.

The <b>contractor</b> said the track would be laid by June 2026.
"""


# The web view's machinery under test, not the reader's caution: every reading the reader is fairly sure of
# announces the change it makes (by default the weight of evidence that gives 90% precision is asked for).
ANNOUNCE_EVERY_SURE_READING = 0.5
FAILING = FeedSource("https://feeds.example.org/rss", "<i>Daily</i> Example")


def build_store(db_url: str, folder: Path, title: str = HOSTILE_TITLE) -> Path:
    """Run the pipeline on the seeds and one more report (its title hostile unless told) into ``db_url``, and record
    a failing feed; returns the archive folder."""
    extra = folder / "extra"
    extra.mkdir(parents=True)
    (extra / "900_0123456789abcdef.txt").write_text(REPORT.format(title=title), encoding="utf-8")
    archive = folder / "articles"
    with open_pipeline(load_settings(db=db_url, archive=archive)) as pipe:
        import_folder(pipe, SEEDS, "seed")
        import_folder(pipe, extra, "seed")
    engine = open_engine(db_url)
    with session(engine) as sess:
        record_feed_error(sess, FAILING, "HTTP 403", 403)
    engine.dispose()
    return archive


@contextmanager
def serving(db_url: str, archive: Path, per_page: int = 20) -> Iterator[str]:
    """The web view of ``db_url`` served read-only by uvicorn on 127.0.0.1; yields its base URL."""
    store = open_read_only(db_url)
    app = create_app(store, load_catalogue(), archive, per_page, announce=ANNOUNCE_EVERY_SURE_READING)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
        store.dispose()


def empty_store(backend: str, folder: Path, postgres_server_url: str | None) -> str:
    """The URL of an empty store on ``backend`` (sqlite: a file in ``folder``; postgres: the test server, reset),
    or a skip when there is no PostgreSQL server (CI always has one)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'cpec.db'}"
    if postgres_server_url is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (CI always has one)")
    _reset_postgres(postgres_server_url)
    return postgres_server_url
