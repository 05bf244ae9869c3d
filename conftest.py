"""This repo's own test configuration.

The edu-contracts plugin itself is active through its ``pytest11`` entry
point (the package is installed in development mode), exactly as in a
service repo; nothing here starts services.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
