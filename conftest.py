"""This repo's own test configuration.

The edu-contracts plugin itself is active through its ``pytest11`` entry
point (the package is installed in development mode), exactly as in a
service repo; nothing here starts services.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from edu_contracts.registry import PACKAGED_CONTRACTS, ContractStore
from edu_contracts.registry.lock import hash_version, read_lock, write_lock
from edu_contracts.services._paths import CACHE_ENV, cache_dir

# pytester points HOME at a scratch folder; inner runs must still find the
# Azurite install and the initdb'd cluster instead of rebuilding them.
os.environ.setdefault(CACHE_ENV, str(cache_dir()))

pytest_plugins = ["pytester"]

REPO_ROOT = Path(__file__).resolve().parent
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared`` folder beside the repository (design material, conformance vectors)."""
    if not SHARED_DIR.is_dir():
        pytest.skip(
            f"shared material not found at {SHARED_DIR}; it lives in ../shared beside the repo"
        )
    return SHARED_DIR


@pytest.fixture
def store_with_breaking_release(tmp_path: Path) -> ContractStore:
    """A copy of the releases plus a 2.0.0 in which the consumer side requires a new field."""
    root = tmp_path / "contracts"
    shutil.copytree(PACKAGED_CONTRACTS, root)
    new = root / "2.0.0"
    shutil.copytree(root / "1.0.0", new)
    for name in ("document_processing.json", "queue_task_message.json"):
        path = new / "messages" / name
        text = path.read_text()
        # a 2.0.0 consumer insists on a field that 1.0.0 producers never send
        schema = json.loads(text)
        _require_priority(schema)
        path.write_text(json.dumps(schema, indent=2, sort_keys=True))
    lock = read_lock(root)
    lock["2.0.0"] = hash_version(new)
    write_lock(root, lock)
    return ContractStore(root)


def _require_priority(schema: Any) -> None:
    if isinstance(schema, dict):
        props = schema.get("properties", {})
        if "document_id" in props and "user_id" in props:
            props["priority"] = {"type": "integer"}
            schema["required"] = [*schema.get("required", []), "priority"]
        for value in schema.values():
            _require_priority(value)
    elif isinstance(schema, list):
        for value in schema:
            _require_priority(value)
