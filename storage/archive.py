"""The seed-format archive on disk: ``NNN_<url key>.txt``, numbered on from the highest file there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cpec_watch.failpoints import crash_point
from cpec_watch.models import SeedText
from cpec_watch.parsers import seedformat
from cpec_watch.storage.locks import file_lock


def archive_files(folder: Path) -> list[Path]:
    """The archive's article files, in number order."""
    if not folder.is_dir():
        return []
    named = ((seedformat.split_archive_name(p.name), p) for p in folder.glob("*_*.txt"))
    return [p for parts, p in sorted((n, p) for n, p in named if n)]


def find_by_key(folder: Path, key: str) -> Path | None:
    matches = sorted(folder.glob(f"*_{key}.txt")) if folder.is_dir() else []
    return matches[0] if matches else None


def write_article(folder: Path, key: str, text: SeedText) -> str:
    """Write one article (once: an existing file for ``key`` is kept) and return its file name."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        existing = find_by_key(folder, key)
        if existing is not None:
            return existing.name
        path = folder / seedformat.archive_name(seedformat.next_number(p.name for p in archive_files(folder)), key)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(seedformat.render(text), encoding="utf-8")
        crash_point("archive-write")
        os.replace(tmp, path)
        return path.name


def copy_file(folder: Path, source: Path) -> str:
    """Put an existing seed-format file into the archive under its own name, unless its key is there."""
    folder.mkdir(parents=True, exist_ok=True)
    _, key = seedformat.split_archive_name(source.name)  # type: ignore[misc]
    with _locked(folder):
        existing = find_by_key(folder, key)
        if existing is not None:
            return existing.name
        target = folder / source.name
        if target.exists():  # the number is taken by another article: number on
            target = folder / seedformat.archive_name(
                seedformat.next_number(p.name for p in archive_files(folder)), key
            )
        target.write_bytes(source.read_bytes())
        return target.name


def copy_files(folder: Path, sources: list[Path]) -> dict[str, str]:
    """:func:`copy_file` for many files under one lock and one listing of the folder; ``{key: file name}``."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        present = archive_files(folder)
        names = {p.name for p in present}
        by_key = {parts[1]: p.name for p in present if (parts := seedformat.split_archive_name(p.name))}
        number = seedformat.next_number(names)
        for source in sources:
            _, key = seedformat.split_archive_name(source.name)  # type: ignore[misc]
            if key in by_key:
                continue
            name = source.name
            if name in names:  # the number is taken by another article: number on
                name, number = seedformat.archive_name(number, key), number + 1
            (folder / name).write_bytes(source.read_bytes())
            names.add(name)
            by_key[key] = name
            number = max(number, seedformat.next_number([name]))
    return by_key


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One writer numbers files at a time, across processes on this machine."""
    with file_lock(folder / ".lock"):
        yield
