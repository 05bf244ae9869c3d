"""A writable copy of the shipped contracts for tests that release or tamper."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edu_contracts.registry import PACKAGED_CONTRACTS, ContractStore


@pytest.fixture
def store_copy(tmp_path: Path) -> ContractStore:
    root = tmp_path / "contracts"
    shutil.copytree(PACKAGED_CONTRACTS, root, ignore=shutil.ignore_patterns("__pycache__"))
    return ContractStore(root)


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    """A writable copy of the shipped contracts tree, as a path (for the CLI's --contracts)."""
    root = tmp_path / "contracts"
    shutil.copytree(PACKAGED_CONTRACTS, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def exception_names() -> set[str]:
    """Names of Python's exception classes: none may stand in for an explanation."""
    import builtins

    names = {
        name
        for name in dir(builtins)
        if isinstance(getattr(builtins, name), type)
        and issubclass(getattr(builtins, name), BaseException)
    }
    return names | {"JSONDecodeError", "TOMLDecodeError", "Traceback"}
