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
