"""The public surface is curated: every module says what it exports.

httpx's habit: the exported names are a decision, so a test holds them.
Here that decision is each module's sorted ``__all__``; this test fails when
a public name is defined but not exported, or exported but missing, so
adding to the surface is always deliberate (private names take a ``_``).
Modules are found by walking the package, so a new module is checked
without editing this file.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types
from pathlib import Path

import pytest

import edu_contracts

PACKAGE_DIR = Path(edu_contracts.__file__).parent
# Alembic's own files: run by Alembic, never imported by users.
NOT_A_MODULE_API = ("edu_contracts.db.migrations",)
# Optional extras whose modules need what the extra installs.
NEEDS_EXTRA = ("edu_contracts.nox", "edu_contracts.testing.openapi")


def _module_names() -> list[str]:
    names = ["edu_contracts"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="edu_contracts."):
        if not info.name.startswith(NOT_A_MODULE_API):
            names.append(info.name)
    return sorted(names)


def _is_type_variable(value: ast.expr | None) -> bool:
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in {"TypeVar", "ParamSpec"}
    )


def _defined_public_names(module: types.ModuleType) -> set[str]:
    """Public names a module defines itself (not the ones it imports)."""
    source = Path(module.__file__ or "").read_text()
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            if _is_type_variable(node.value):
                continue  # a TypeVar is notation, not API
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("name", _module_names())
def test_all_is_exactly_what_the_module_offers(name: str) -> None:
    if name.startswith(NEEDS_EXTRA):
        pytest.importorskip("nox" if name == "edu_contracts.nox" else "schemathesis")
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    for export in exported:
        assert hasattr(module, export), f"{name}.__all__ names {export!r}, which it lacks"
    # Re-exports are allowed (a package's __init__, db.enums showing the schema
    # enums, the plugin module showing pytest its fixtures); silence is not.
    missing = _defined_public_names(module) - set(exported)
    assert not missing, f"{name} defines public names it does not export: {sorted(missing)}"
