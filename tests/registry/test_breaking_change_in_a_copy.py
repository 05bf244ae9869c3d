"""Journey 3: edit a model in a breaking way (in a copy of the package), ``check`` fails.

The copy is imported instead of the installed package (``PYTHONPATH``), which
also proves the released contracts load from a package that is not this
checkout, as they do from a wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import edu_contracts
from edu_contracts.registry import PACKAGED_CONTRACTS

PACKAGE = Path(edu_contracts.__file__).resolve().parent


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        PACKAGE, tmp_path / "edu_contracts", ignore=shutil.ignore_patterns("__pycache__")
    )
    # laid out as the wheel ships them: the releases inside the package
    shutil.copytree(PACKAGED_CONTRACTS, tmp_path / "edu_contracts" / "contracts")
    return tmp_path


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / "edu_contracts" / relative
    text = path.read_text()
    assert old in text, f"{relative} no longer contains {old!r}; update this test"
    path.write_text(text.replace(old, new, 1))


def _check(root: Path) -> tuple[int, dict[str, Any]]:
    code = (
        "import sys, edu_contracts\n"
        f"assert edu_contracts.__file__.startswith({str(root)!r}), edu_contracts.__file__\n"
        "from edu_contracts.cli import main\n"
        "sys.exit(main(['check', '--format', 'json']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _subject(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in report["subjects"] if s["subject"] == name)


def test_an_unchanged_copy_passes(tmp_path: Path) -> None:
    code, report = _check(_copy(tmp_path))
    assert code == 0
    assert report["compatible"] is True


def test_making_user_id_optional_breaks_old_consumers(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root,
        "schemas/queue.py",
        '    """Extract, chunk and embed an uploaded document (the seed\'s message)."""\n\n'
        "    document_id: WireUUID\n    project_id: WireUUID\n    user_id: WireUUID\n",
        '    """Extract, chunk and embed an uploaded document (the seed\'s message)."""\n\n'
        "    document_id: WireUUID\n    project_id: WireUUID\n"
        "    user_id: WireUUID | None = None\n",
    )
    code, report = _check(root)
    assert code == 1
    subject = _subject(report, "messages/document_processing")
    assert subject["mode"] == "FULL_TRANSITIVE"
    assert subject["compatible"] is False
    breaking = [f for f in subject["report"]["findings"] if not f["compatible"]]
    first = breaking[0]
    assert "user_id" in first["pointer"]
    assert "required" in first["pointer"]
    assert first["direction"] == "forward"
    assert first["against_version"] == "1.0.0"
    assert first["example"] is not None
    assert "user_id" not in first["example"]["instance"]["data"]
    others = [s for s in report["subjects"] if s["subject"] != "messages/document_processing"]
    assert all(s["compatible"] for s in others)


def test_changing_the_vector_dimension_breaks_old_code(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root, "db/base.py", "EMBEDDING_DIM = 3072", "EMBEDDING_DIM = 1536")
    code, report = _check(root)
    assert code == 1
    tables = _subject(report, "tables")
    assert tables["mode"] == "BACKWARD"
    changes = {(f["change"], f["pointer"]) for f in tables["report"]["findings"]}
    assert ("VECTOR_DIMENSION_CHANGED", "document_segments.embedding_vector") in changes


@pytest.mark.parametrize("task", ["quiz_generation"])
def test_removing_a_task_kind_breaks_new_consumers_of_queued_messages(
    tmp_path: Path, task: str
) -> None:
    root = _copy(tmp_path)
    _edit(
        root,
        "schemas/queue.py",
        "        QuizGenerationMessage,\n        NoteGeneration",
        "        NoteGeneration",
    )
    _edit(root, "schemas/queue.py", "    | QuizGenerationMessage\n", "")
    code, report = _check(root)
    assert code == 1
    subject = _subject(report, f"messages/{task}")
    assert [f["direction"] for f in subject["report"]["findings"] if not f["compatible"]] == [
        "backward"
    ]
    # the golden quiz message of 1.0.0 no longer decodes either
    assert any(task in p for p in _subject(report, "examples")["problems"])
