"""Released contracts ship in the wheel and load from it, away from this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import edu_contracts

REPO = Path(edu_contracts.__file__).resolve().parent.parent


def test_contracts_load_from_an_unpacked_wheel(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "edu_contracts/contracts/contracts.lock" in names
        assert "edu_contracts/contracts/1.0.0/tables.json" in names
        archive.extractall(tmp_path / "site")
    code = (
        "import edu_contracts, sys\n"
        "from edu_contracts.registry import PACKAGED_CONTRACTS, load_message_schema, verify_lock\n"
        f"assert str(PACKAGED_CONTRACTS).startswith({str(tmp_path)!r}), PACKAGED_CONTRACTS\n"
        "assert load_message_schema('1.0.0')['title'] == 'QueueTaskMessage'\n"
        "assert verify_lock(PACKAGED_CONTRACTS) == []\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path / "site",
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
