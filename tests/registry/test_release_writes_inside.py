"""``release`` never follows a link in the contracts tree and writes atomically inside it.

Issue 16, point 13: a committed symlink ``contracts/.contracts.lock.tmp``
pointing outside the tree was written through when the lock was updated.
Each planted link here points at a sentinel outside the tree, which must be
byte-identical afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edu_contracts.errors import ContractFileError, EduContractsError
from edu_contracts.registry import ContractStore, release, verify_lock
from edu_contracts.registry.files import write_json
from edu_contracts.registry.lock import LOCK_FILE, read_lock, write_lock

SENTINEL = b"not yours to write\n"


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "sentinel"
    path.parent.mkdir()
    path.write_bytes(SENTINEL)
    return path


def _plant(contracts: Path, name: str, target: Path) -> Path:
    link = contracts / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return link


PLANTS = {
    "the lock's old temporary name": (".contracts.lock.tmp", "file"),
    "the new version's folder": ("1.1.0", "dir"),
    "a staging name": (".staging-1.1.0", "dir"),
    "inside a release": ("1.0.0/messages/.queue_task_message.json.tmp", "file"),
}


@pytest.mark.parametrize("shape", sorted(PLANTS))
def test_release_refuses_a_tree_with_a_planted_link_and_writes_nothing_outside(
    contracts: Path, sentinel: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    name, kind = PLANTS[shape]
    _plant(contracts, name, sentinel if kind == "file" else sentinel.parent)
    before = (contracts / LOCK_FILE).read_bytes()
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "1.1.0")
    with pytest.raises(EduContractsError) as info:
        release("1.1.0", ContractStore(contracts))
    assert "symlink" in str(info.value) or "already exists" in str(info.value)
    assert sentinel.read_bytes() == SENTINEL
    assert sorted(p.name for p in sentinel.parent.iterdir()) == ["sentinel"]
    assert (contracts / LOCK_FILE).read_bytes() == before


def test_the_lock_writer_never_writes_through_a_planted_temporary_name(
    contracts: Path, sentinel: Path
) -> None:
    """Below the refusal: even a writer called directly replaces, never follows."""
    _plant(contracts, f".{LOCK_FILE}.tmp", sentinel)
    write_lock(contracts, read_lock(contracts))
    assert sentinel.read_bytes() == SENTINEL
    assert not (contracts / LOCK_FILE).is_symlink()
    assert not any(p.name.endswith(".tmp") and not p.is_symlink() for p in contracts.iterdir())


def test_a_linked_lock_is_replaced_not_followed(contracts: Path, sentinel: Path) -> None:
    versions = read_lock(contracts)
    (contracts / LOCK_FILE).unlink()
    _plant(contracts, LOCK_FILE, sentinel)
    with pytest.raises(ContractFileError, match="symlink"):
        read_lock(contracts)
    write_lock(contracts, versions)
    assert sentinel.read_bytes() == SENTINEL
    assert not (contracts / LOCK_FILE).is_symlink()
    assert verify_lock(contracts) == []


def test_writes_inside_a_tree_refuse_a_linked_folder_on_the_way(
    contracts: Path, sentinel: Path
) -> None:
    _plant(contracts, "linked", sentinel.parent)
    with pytest.raises(ContractFileError, match="symlink"):
        write_json(contracts / "linked" / "messages" / "x.json", {}, inside=contracts)
    assert sorted(p.name for p in sentinel.parent.iterdir()) == ["sentinel"]


def test_a_clean_release_leaves_no_temporary_file_and_readable_modes(
    contracts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "1.1.0")
    result = release("1.1.0", ContractStore(contracts))
    leftovers = [p for p in contracts.rglob("*") if p.name.startswith(".")]
    assert leftovers == []
    for path in result.files:
        assert os.stat(path).st_mode & 0o044 == 0o044, path  # readable by group and others
    assert verify_lock(contracts) == []
