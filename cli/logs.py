"""Where the ``cpec_watch`` log goes: stderr, as text (``-v``) or as one JSON object per line (``--log-format json``).

Text is the message with its fields as ``key=value`` pairs (flows/logfields.py). JSON has ``ts`` (UTC, ISO 8601),
``level``, ``logger``, ``msg`` (the message without the pairs), every field the record carries, and ``exc`` (the
traceback) when there is one. Without ``-v`` the text log is off and the JSON log has warnings only.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from cpec_watch.flows.logfields import FIELDS


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": getattr(record, "event", None) or record.getMessage(),
        }
        line |= {name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None}
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(verbose: bool, log_format: str) -> None:
    """Set up the ``cpec_watch`` logger for this command."""
    log = logging.getLogger("cpec_watch")
    if log_format == "json":
        handler: logging.Handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
    else:
        handler = logging.StreamHandler() if verbose else logging.NullHandler()
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False
