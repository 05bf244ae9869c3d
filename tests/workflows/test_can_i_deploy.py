"""can-i-deploy: yes for compatible pairs; no, naming the field, when a consumer cannot read."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from edu_contracts.cli import main
from edu_contracts.errors import ContractFileError, VersionError
from edu_contracts.registry import ContractStore
from edu_contracts.workflows.deploy import can_i_deploy
from edu_contracts.workflows.recording import read_recording, record_line


def _message(**data_overrides: Any) -> dict[str, Any]:
    data = {
        "document_id": str(uuid.uuid4()),
        "project_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
    }
    data.update(data_overrides)
    return {"type": "document_processing", "contract_version": "1.0.0", "data": data}


def _recording(path: Path, *bodies: dict[str, Any]) -> Path:
    path.write_text("".join(record_line(b, test="t::producer") + "\n" for b in bodies))
    return path


def test_same_version_is_deployable() -> None:
    verdict = can_i_deploy("1.0.0", "1.0.0")
    assert verdict.ok
    assert len(verdict.checked) >= 6


def test_recording_that_drops_a_required_field_is_refused(tmp_path: Path) -> None:
    body = _message()
    del body["data"]["user_id"]
    recording = _recording(tmp_path / "rec.jsonl", _message(), body)
    verdict = can_i_deploy(str(recording), "1.0.0")
    assert not verdict.ok
    assert any("user_id" in f.message and "rec.jsonl:2" in f.pointer for _, f in verdict.breaking())


def test_recording_of_valid_messages_is_deployable(tmp_path: Path) -> None:
    recording = _recording(tmp_path / "rec.jsonl", _message(), _message())
    verdict = can_i_deploy(str(recording), "1.0.0")
    assert verdict.ok, verdict.breaking()
    assert "2 message(s)" in verdict.checked[0]


def test_consumer_requiring_a_new_field_cannot_read_old_producers(
    store_with_breaking_release: ContractStore,
) -> None:
    verdict = can_i_deploy("1.0.0", "2.0.0", store=store_with_breaking_release)
    assert not verdict.ok
    finding = next(f for s, f in verdict.breaking() if s == "messages/document_processing")
    assert "priority" in finding.pointer + finding.message
    # the other direction is fine: an old consumer ignores the extra field
    assert can_i_deploy("2.0.0", "1.0.0", store=store_with_breaking_release).ok


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _recording(tmp_path / "good.jsonl", _message())
    bad_body = _message()
    del bad_body["data"]["user_id"]
    bad = _recording(tmp_path / "bad.jsonl", bad_body)
    assert main(["can-i-deploy", "--producer", str(good), "--consumer", "1.0.0"]) == 0
    assert main(["can-i-deploy", "--producer", str(bad), "--consumer", "1.0.0"]) == 1
    out = capsys.readouterr().out
    assert "user_id" in out
    assert "BREAKING" in out
    assert main(["can-i-deploy", "--producer", "1.0.0", "--consumer", "9.9.9"]) == 2
    assert main(["can-i-deploy", "--producer", "nonsense", "--consumer", "1.0.0"]) == 2
    capsys.readouterr()
    assert (
        main(["can-i-deploy", "--producer", str(bad), "--consumer", "1.0.0", "--format", "json"])
        == 1
    )
    report = json.loads(capsys.readouterr().out)
    assert report["command"] == "can-i-deploy"
    assert report["ok"] is False
    assert report["subjects"][0]["subject"] == "messages/document_processing"
    assert report["subjects"][0]["report"]["findings"][0]["change"] == "RECORDED_MESSAGE_INVALID"


def test_broken_recording_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text(record_line(_message(), test="t") + "\n{not json\n")
    with pytest.raises(ContractFileError) as info:
        read_recording(path)
    assert str(info.value.where).endswith("rec.jsonl:2")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ContractFileError, match="no messages"):
        read_recording(empty)


def test_unknown_consumer_version() -> None:
    with pytest.raises(VersionError):
        can_i_deploy("1.0.0", "7.0.0")
