"""The two example services, run as their own repos would run them.

edu-api's whole suite records what it sends (``--edu-record``); edu-worker's
whole suite then runs with that recording, so its replay test handles every
recorded message against real services.
Each suite runs in a subprocess from its own folder, so it uses its own
``pyproject.toml`` (``pythonpath = ["."]``, pinned contract version) and
starts its own Postgres and Azurite, exactly as in that repo's CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PRODUCED_KINDS = {"document_processing", "flashcard_generation", "quiz_generation"}
# What only the outer run should see; backend options pass through.
_BAD = {"failure", "error", "skipped"}
_PRIVATE_ENV = ("EDU_RECORD", "EDU_REPLAY", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")

pytest.importorskip("fastapi", reason="the edu-api example needs fastapi (root dev extra)")


def _pytest(example: str, *args: str, env: dict[str, str] | None = None) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in _PRIVATE_ENV}
    environ["PYTHONDONTWRITEBYTECODE"] = "1"
    environ.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", *args],
        cwd=EXAMPLES / example,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{example} suite failed:\n{output[-6000:]}"
    return output


def _replayed(junit: Path) -> dict[str, str]:
    """Outcome of each replay test case in a JUnit report: passed, failed or skipped."""
    cases = ElementTree.parse(junit).getroot().iter("testcase")
    return {
        case.get("name", ""): next((child.tag for child in case if child.tag in _BAD), "passed")
        for case in cases
        if case.get("classname", "").endswith("test_replay_recorded")
    }


@pytest.mark.slow  # two suites, each starting Postgres and Azurite: ~40-80 s
def test_what_the_producer_sends_the_consumer_handles(tmp_path: Path) -> None:
    recording = tmp_path / "recorded.jsonl"
    junit = tmp_path / "worker.xml"

    _pytest("edu-api", f"--edu-record={recording}")
    header, *entries = [json.loads(line) for line in recording.read_text().splitlines()]
    assert header["edu_contracts"] == "recording"  # the file marks itself as ours
    _pytest("edu-worker", f"--junitxml={junit}", f"--edu-replay={recording}")
    replayed = _replayed(junit)

    assert {entry["type"] for entry in entries} == PRODUCED_KINDS
    assert all(entry["contract_version"] == "1.0.0" for entry in entries)
    assert all(entry["test"].startswith("tests/") for entry in entries)
    assert len(replayed) == len(entries), replayed
    assert set(replayed.values()) == {"passed"}, replayed


def test_a_message_the_consumer_cannot_read_fails_replay_and_can_i_deploy(
    tmp_path: Path,
) -> None:
    """A producer that dropped a required field: both gates name the field."""
    from edu_contracts.cli import main
    from edu_contracts.workflows.recording import record_line

    body = {
        "type": "document_processing",
        "contract_version": "1.0.0",
        "data": {
            "document_id": "3f1b1c1e-6b7a-4c39-9a55-0d4b8d8e2a11",
            "project_id": "8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e4f",
        },
    }
    recording = tmp_path / "recorded.jsonl"
    recording.write_text(record_line(body, test="tests/test_upload.py::test_upload") + "\n")

    assert main(["can-i-deploy", "--producer", str(recording), "--consumer", "1.0.0"]) == 1

    environ = {k: v for k, v in os.environ.items() if k not in _PRIVATE_ENV}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/test_replay_recorded.py",
            f"--edu-replay={recording}",
        ],
        cwd=EXAMPLES / "edu-worker",
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-4000:]
    assert "'user_id' is a required property" in output
    assert "tests/test_upload.py::test_upload" in output  # which producer test sent it
