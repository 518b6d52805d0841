"""The Markdown channel: the digest to stdout, or to a file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cpec_watch.alerts.render import to_markdown
from cpec_watch.models import Digest


def write_markdown(digest: Digest, path: Path | None = None) -> None:
    """Write the digest as Markdown to ``path`` (replaced atomically), or to stdout when None."""
    text = to_markdown(digest)
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
