"""The lock catches any edit to a released file; release refuses what it must."""

from __future__ import annotations

import copy
import json
import shutil
from typing import Any

import pytest

from edu_contracts.errors import IncompatibleChangeError, LockMismatchError, VersionError
from edu_contracts.registry import ContractStore, check, diff, release, verify_lock
from edu_contracts.registry.lock import LOCK_FILE, read_lock


def test_the_shipped_lock_verifies() -> None:
    from edu_contracts.registry import PACKAGED_CONTRACTS

    assert verify_lock(PACKAGED_CONTRACTS) == []


def test_editing_a_released_file_fails_the_lock_naming_it(store_copy: ContractStore) -> None:
    target = store_copy.root / "1.0.0" / "messages" / "document_processing.json"
    schema = json.loads(target.read_text())
    schema["properties"]["data"]["description"] = "edited after release"
    target.write_text(json.dumps(schema, indent=2) + "\n")
    problems = verify_lock(store_copy.root)
    assert [(p.path, p.problem) for p in problems] == [
        ("1.0.0/messages/document_processing.json", "changed")
    ]
    with pytest.raises(LockMismatchError) as info:
        check(store_copy)
    assert str(target) in str(info.value)


def test_whitespace_only_edits_are_edits_too(store_copy: ContractStore) -> None:
    target = store_copy.root / "1.0.0" / "tables.json"
    target.write_text(target.read_text() + " ")
    assert verify_lock(store_copy.root)[0].problem == "changed"


def test_crlf_checkouts_are_not_tampering(store_copy: ContractStore) -> None:
    target = store_copy.root / "1.0.0" / "tables.json"
    target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    assert verify_lock(store_copy.root) == []


def test_missing_extra_and_unreleased_files(store_copy: ContractStore) -> None:
    (store_copy.root / "1.0.0" / "examples" / "quiz_generation.full.json").unlink()
    (store_copy.root / "1.0.0" / "notes.json").write_text("{}")
    (store_copy.root / "1.1.0").mkdir()
    found = {(p.path, p.problem) for p in verify_lock(store_copy.root)}
    assert found == {
        ("1.0.0/examples/quiz_generation.full.json", "missing"),
        ("1.0.0/notes.json", "not in the lock"),
        ("1.1.0", "version not in the lock"),
    }


def test_release_refuses_to_overwrite_or_go_back(store_copy: ContractStore) -> None:
    with pytest.raises(VersionError, match="already exists"):
        release("1.0.0", store_copy)
    with pytest.raises(VersionError, match="not a contract version"):
        release("latest", store_copy)
    lock = read_lock(store_copy.root)
    lock["1.5.0"] = lock["1.0.0"]
    shutil.copytree(store_copy.root / "1.0.0", store_copy.root / "1.5.0")
    from edu_contracts.registry.lock import write_lock

    write_lock(store_copy.root, lock)
    with pytest.raises(VersionError, match=r"not above the latest release 1\.5\.0"):
        release("1.2.0", store_copy)


def test_release_needs_the_stamped_contract_version(store_copy: ContractStore) -> None:
    with pytest.raises(VersionError, match="CONTRACT_VERSION") as info:
        release("1.1.0", store_copy)
    assert 'CONTRACT_VERSION = "1.1.0"' in str(info.value)


def test_a_compatible_release_freezes_files_and_locks_them(
    store_copy: ContractStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "1.1.0")
    result = release("1.1.0", store_copy)
    assert str(result.version) == "1.1.0"
    assert result.check is not None
    assert result.check.compatible
    assert set(read_lock(store_copy.root)) == {"1.0.0", "1.1.0"}
    assert verify_lock(store_copy.root) == []
    assert (store_copy.root / "1.1.0" / "tables.json").is_file()
    assert not any(p.name.startswith(".staging") for p in store_copy.root.iterdir())
    assert (store_copy.root / LOCK_FILE) in result.files
    assert diff("1.0.0", "1.1.0", store_copy).compatible


def _without_column(snapshot: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(snapshot)
    del changed["tables"]["notes"]["columns"]["title"]
    return changed


def test_a_breaking_release_needs_a_major_bump(
    store_copy: ContractStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from edu_contracts.tables import snapshot

    original = snapshot.snapshot_metadata
    monkeypatch.setattr(snapshot, "snapshot_metadata", lambda: _without_column(original()))
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "1.1.0")
    with pytest.raises(IncompatibleChangeError, match="tables need a major version bump") as info:
        release("1.1.0", store_copy)
    assert "2.0.0" in str(info.value)
    assert not (store_copy.root / "1.1.0").exists()
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "2.0.0")
    result = release("2.0.0", store_copy)
    assert result.check is not None
    assert not result.check.compatible
    assert "title" not in store_copy.tables("2.0.0")["tables"]["notes"]["columns"]
    # the new release is the baseline now: the current code matches it
    tables = next(s for s in check(store_copy).subjects if s.subject == "tables")
    assert tables.report.findings == ()


def test_diff_between_a_release_and_the_code(store_copy: ContractStore) -> None:
    result = diff("1.0.0", "current", store_copy)
    assert result.compatible
    assert result.title == "current vs 1.0.0"
    with pytest.raises(VersionError):
        diff("1.0.0", "3.0.0", store_copy)
