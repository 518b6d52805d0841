#!/usr/bin/env python3
"""Set-up and entry points that need nothing but Python 3.11+.

    python3 tasks.py run [ARGS]     create .venv if needed, install, run one monitoring pass
    python3 tasks.py test [ARGS]    create .venv if needed, install with test extras, run the tests
    python3 tasks.py lint           ruff (lint, format check) and mypy on the package
    python3 tasks.py quality        item, status and relevance figures on the labeled real reporting
    python3 tasks.py stories [PART] story clustering's pairwise precision/recall on the labeled reporting
    python3 tasks.py train-status   retrain the status reader on the development articles, write its model card
    python3 tasks.py bench [ARGS]   install bench extras, run the benchmarks, write BENCHMARKS.md

The virtual environment is (re)installed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
EXTRAS = {
    "run": "",
    "test": "[test]",
    "lint": "[test]",
    "quality": "[test]",
    "train-status": "[test]",
    "stories": "[test]",
    "bench": "[test,bench]",
}
MODULES = {
    "quality": "tests.support.quality",
    "train-status": "tests.support.train_status",
    "stories": "tests.support.story_quality",
}
STAGES = ("alerts", "cli", "config", "flows", "parsers", "storage", "web")
LINTED = ["cpec_watch", *STAGES, "tests", "bench", "tasks.py"]


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs under whatever python3 is
        sys.exit(f"CPEC Watch needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        print(f"creating {VENV} ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()[:16]
    marker = VENV / f".installed-{stamp}"
    if not marker.exists():
        print(f"installing cpec-watch{extras} into {VENV} ...", file=sys.stderr)
        pip = [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        if "bench" in extras:  # pip 23.2 fails to resolve trafilatura's lxml[html_clean] beside readability's lxml
            subprocess.run([*pip, "--upgrade", "pip>=24"], cwd=ROOT, check=True)
        subprocess.run([*pip, "-e", f".{extras}"], cwd=ROOT, check=True)
        for old in VENV.glob(".installed-*"):
            old.unlink()
        marker.touch()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in EXTRAS:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    ensure_venv(EXTRAS[command])
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if command == "run":
        return subprocess.call([str(BIN / "cpec-watch"), "run", *args])
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT)
    if command == "lint":
        return lint()
    if command in MODULES:
        return subprocess.call([str(BIN / "python"), "-m", MODULES[command], *args], cwd=ROOT)
    return bench(args)


def bench(args: list[str]) -> int:
    """Run bench/run.sh, showing its report as it comes and writing it to BENCHMARKS.md when it succeeds."""
    report = ROOT / "BENCHMARKS.md"
    partial = report.with_suffix(".md.partial")
    with partial.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            ["bash", str(ROOT / "bench" / "run.sh"), *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for line in proc.stdout or ():
            sys.stdout.write(line)
            out.write(line)
        code = proc.wait()
    if code != 0:
        print(f"bench/run.sh exited {code}; the partial report is in {partial.name}", file=sys.stderr)
        return code
    partial.replace(report)
    print(f"wrote {report.name}", file=sys.stderr)
    return 0


def lint() -> int:
    """ruff, then mypy over the installed layout (``cpec_watch.<stage>``), seen through a tree of symlinks."""
    ruff = str(BIN / "ruff")
    failed = subprocess.call([ruff, "check", *LINTED], cwd=ROOT)
    failed |= subprocess.call([ruff, "format", "--check", "-q", *LINTED], cwd=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        layout = Path(tmp) / "layout"
        (layout / "cpec_watch").mkdir(parents=True)
        for module in (ROOT / "cpec_watch").glob("*.py"):
            (layout / "cpec_watch" / module.name).symlink_to(module)
        for stage in STAGES:
            (layout / "cpec_watch" / stage).symlink_to(ROOT / stage, target_is_directory=True)
        failed |= subprocess.call(
            [str(BIN / "mypy"), "--config-file", str(ROOT / "pyproject.toml"), "-p", "cpec_watch"], cwd=layout
        )
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
