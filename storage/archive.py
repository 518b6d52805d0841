"""The seed-format archive on disk: ``NNN_<url key>.txt``, numbered on from the highest file there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cpec_watch.failpoints import crash_point
from cpec_watch.models import SeedText
from cpec_watch.parsers import seedformat
from cpec_watch.storage.locks import file_lock


def archive_files(folder: Path) -> list[Path]:
    """The archive's article files, in number order."""
    return [folder / name for name in sorted(_Listing.of(folder).names, key=seedformat.split_archive_name)]  # type: ignore[arg-type]


def write_article(folder: Path, key: str, text: SeedText) -> str:
    """Write one article (once: an existing file for ``key`` is kept) and return its file name."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        listing = _Listing.of(folder)
        if key in listing.files:
            return listing.files[key][1]
        path = folder / seedformat.archive_name(listing.next_number, key)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(seedformat.render(text), encoding="utf-8")
        crash_point("archive-write")
        os.replace(tmp, path)
        return path.name


def copy_file(folder: Path, source: Path) -> str:
    """Put an existing seed-format file into the archive under its own name, unless its key is there."""
    _, key = seedformat.split_archive_name(source.name)  # type: ignore[misc]
    return copy_files(folder, [source])[key]


def copy_files(folder: Path, sources: list[Path]) -> dict[str, str]:
    """Put existing seed-format files into the archive under their own names, skipping keys already there; one
    lock and one listing of the folder for all. Returns ``{key: file name}``."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        listing = _Listing.of(folder)
        for source in sources:
            number, key = seedformat.split_archive_name(source.name)  # type: ignore[misc]
            if key not in listing.files:
                (folder / source.name).write_bytes(source.read_bytes())
                listing.add(number, key, source.name)
    return {key: name for key, (_, name) in listing.files.items()}


@dataclass
class _Listing:
    """One read of the archive folder: its file names, each key's file (the lowest number) and the next number."""

    names: set[str] = field(default_factory=set)
    files: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (number, name)
    next_number: int = 0

    @classmethod
    def of(cls, folder: Path) -> _Listing:
        listing = cls()
        try:
            with os.scandir(folder) as entries:  # names only: no stat per file
                for entry in entries:
                    if parts := seedformat.split_archive_name(entry.name):
                        number, key = parts
                        listing.add(number, key, entry.name)
        except (FileNotFoundError, NotADirectoryError):
            pass
        return listing

    def add(self, number: int, key: str, name: str) -> None:
        self.names.add(name)
        if key not in self.files or (number, name) < self.files[key]:  # the same whichever order they are listed
            self.files[key] = (number, name)
        self.next_number = max(self.next_number, number + 1)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One writer numbers files at a time, across processes on this machine."""
    with file_lock(folder / ".lock"):
        yield
