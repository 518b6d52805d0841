"""The package layout: one installed name, and imports that point down only.

    cli → flows → storage, alerts → parsers, config → cpec_watch.models
    cli → web → storage, parsers, config

Each stage may import itself and the stages below it; ``cpec_watch.models`` (the typed objects that cross
stages) and ``cpec_watch.retry`` (the one HTTP retry policy) are importable by every stage and import nothing
of ours. Function-local and ``TYPE_CHECKING`` imports count too: an arrow hidden inside a function is still an
arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("alerts", "cli", "config", "flows", "parsers", "storage", "web")
SHARED = {"cpec_watch", "cpec_watch.models", "cpec_watch.retry", "cpec_watch.failpoints", "cpec_watch.clock"}
ALLOWED = {
    "parsers": {"parsers"},
    "config": {"config"},
    "storage": {"storage", "parsers", "config"},
    "alerts": {"alerts", "parsers", "config"},
    "flows": {"flows", "storage", "alerts", "parsers", "config"},
    "web": {"web", "storage", "parsers", "config"},
    "cli": {"cli", "flows", "storage", "alerts", "parsers", "config", "web"},
}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, resolving relative imports against the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_no_module_imports_a_bare_stage_name():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files(*STAGES, "cpec_watch", "tests", "bench")
        for line, module in imports(path)
        if module.split(".")[0] in STAGES
    ]
    assert offenders == []


@pytest.mark.parametrize("stage", STAGES)
def test_imports_point_down_only(stage):
    offenders = []
    for path in python_files(stage):
        for line, module in imports(path):
            if not module.startswith("cpec_watch") or module in SHARED:
                continue
            target = module.split(".")[1]
            if target not in ALLOWED[stage]:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == []


def test_shared_modules_import_nothing_of_ours():
    for name in SHARED - {"cpec_watch"}:
        path = ROOT / "cpec_watch" / f"{name.split('.')[1]}.py"
        assert [m for _, m in imports(path) if m.startswith("cpec_watch")] == []


def test_resources_are_loaded_through_the_installed_name():
    for path in python_files(*STAGES):
        assert 'resources.files("config")' not in path.read_text(encoding="utf-8"), path


def test_table_rows_stay_inside_storage():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in python_files("alerts", "cli", "config", "flows", "parsers", "web")
        for line, module in imports(path)
        if module == "cpec_watch.storage.models"
    ]
    assert offenders == []
