"""Named points where a crash test kills the process (``CPEC_WATCH_CRASH_AT=<name>``); otherwise nothing happens.

``tests/test_crash.py`` kills a real run at each stage with SIGKILL and checks that the next run loses nothing,
duplicates nothing and leaves no archive file orphaned or missing. The points:

    article-insert   the article row is inserted, its transaction not yet committed
    archive-write    the archive file's bytes are written to a temporary file, not yet renamed into place
    archive-record   the archive file is in place, its name not yet recorded on the article
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("CPEC_WATCH_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
