"""Installed as a user installs it (issue 19): the wheel built from this checkout, installed alone in a fresh
virtual environment, runs the first `run` offline and imports the seeds (package data read through
importlib.resources), the tracked-item catalogue loads and the web view serves its page and stylesheet. The
dependencies come from the project's own environment (a .pth line), so nothing is downloaded but the build
backend, from the configured index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import venv
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.support_alerts import free_port


def sources(into: Path) -> Path:
    """What the wheel is built from, copied out of the checkout (a build writes build/ and *.egg-info beside it)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    folders = set(project["tool"]["setuptools"]["package-dir"].values())
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in folders:
        shutil.copytree(ROOT / folder, into / folder, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, into / name)
    return into


def test_the_wheel_alone_imports_the_seeds_on_its_first_run(tmp_path: Path) -> None:
    source = sources(tmp_path / "src")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CPEC_WATCH_", "PYTHON"))}
    env |= {"DO_NOT_TRACK": "1", "PREFECT_HOME": str(tmp_path / "prefect-home")}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("cpec_watch-*.whl")

    home = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True
    ).stdout.strip()
    (Path(site) / "project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")  # after its own
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stderr
    where = subprocess.run(
        [python, "-c", "import cpec_watch; print(cpec_watch.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(site), where  # the wheel's copy, not the checkout's

    (tmp_path / "feeds.toml").write_text('[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\nname = "Nowhere"\n')
    cli = [str(home / "bin" / "cpec-watch"), "--db", f"sqlite:///{tmp_path / 'c.db'}", "--archive", str(tmp_path / "a")]
    first = subprocess.run(
        [*cli, "run", "--feeds", str(tmp_path / "feeds.toml")],
        env={**env, "CPEC_WATCH_ALLOW_PRIVATE_NETWORKS": "1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert first.returncode == 3, first.stderr  # the feed is unreachable; the seeds are not
    assert "imported 5 seed article(s)" in first.stdout and len(list((tmp_path / "a").glob("*.txt"))) == 5
    items = subprocess.run([*cli, "items"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert items.returncode == 0 and "gwadar-port" in items.stdout, items.stderr

    port = free_port()  # the web view's templates and stylesheet are in the wheel too
    web = subprocess.Popen(
        [*cli, "web", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert web.poll() is None and time.monotonic() < deadline, web.communicate()[1]
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                style = httpx.get(f"http://127.0.0.1:{port}/static/style.css", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert page.status_code == 200 and "</html>" in page.text
        assert style.status_code == 200
    finally:
        web.terminate()
        web.communicate(timeout=30)
