"""``lock --verify`` and ``check`` fail closed on every shape of a broken contracts tree.

Issue 16, point 14: each of these used to exit 0. Each case here builds the
broken tree from a copy of the shipped one, runs the real commands through
``main`` (as the console script does) and asserts the exit code, that the
error names the place, and that no traceback or Python exception name is
shown instead of what / where / fix.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from edu_contracts.cli import main
from edu_contracts.errors import ContractFileError, LockMismatchError
from edu_contracts.registry import PACKAGED_CONTRACTS, ContractStore, check, verify_lock
from edu_contracts.registry.lock import LOCK_FILE
from tests.registry.conftest import exception_names

UNION = "messages/queue_task_message.json"
KIND = "messages/document_processing.json"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _assert_clean(text: str) -> None:
    assert "Traceback" not in text
    shown = exception_names() & set(text.replace("(", " ").replace(":", " ").split())
    assert not shown, f"a Python exception name was shown: {shown}\n{text}"


# --- the contracts path itself ---------------------------------------------------------


def _missing(root: Path) -> Path:
    return root.parent / "no-such-folder"


def _a_file(root: Path) -> Path:
    path = root.parent / "contracts.txt"
    path.write_text("{}")
    return path


def _empty(root: Path) -> Path:
    path = root.parent / "empty"
    path.mkdir()
    return path


def _lock_and_release_deleted(root: Path) -> Path:
    shutil.rmtree(root / "1.0.0")
    (root / LOCK_FILE).unlink()
    return root


def _lock_deleted(root: Path) -> Path:
    (root / LOCK_FILE).unlink()
    return root


def _only_a_policy_left(root: Path) -> Path:
    _lock_and_release_deleted(root)
    (root / "compatibility.json").write_text('{"messages": "NONE"}')
    return root


def _lock_replaced(make: Callable[[Path], object]) -> Callable[[Path], Path]:
    def shape(root: Path) -> Path:
        (root / LOCK_FILE).unlink()
        make(root / LOCK_FILE)
        return root

    return shape


TREES: dict[str, Callable[[Path], Path]] = {
    "missing": _missing,
    "a file": _a_file,
    "empty": _empty,
    "lock and release deleted": _lock_and_release_deleted,
    "lock deleted": _lock_deleted,
    "only a policy left": _only_a_policy_left,
    "lock is a directory": _lock_replaced(Path.mkdir),
    "lock is a FIFO": _lock_replaced(os.mkfifo),
    "lock links to /dev/zero": _lock_replaced(lambda p: p.symlink_to("/dev/zero")),
    "lock links to a copy outside": _lock_replaced(
        lambda p: p.symlink_to(shutil.copy(PACKAGED_CONTRACTS / LOCK_FILE, p.parent.parent))
    ),
}


@pytest.mark.parametrize("shape", sorted(TREES))
def test_a_tree_that_holds_no_release_is_exit_2_for_lock_and_check(
    capsys: pytest.CaptureFixture[str], contracts: Path, shape: str
) -> None:
    target = TREES[shape](contracts)
    for command in (["lock", "--verify"], ["check"], ["diff", "1.0.0", "current"]):
        code, out, err = _run(capsys, *command, "--contracts", str(target))
        assert code in (1, 2), f"{shape}: `{' '.join(command)}` exit {code}\n{out}{err}"
        if code == 2:
            assert "where:" in err, err
            assert "fix:" in err, err
        _assert_clean(out + err)
        assert target.name in out + err, f"{shape}: the error does not name the place"


def test_release_starts_only_from_an_empty_folder_once(
    contracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first release needs an empty folder; a deleted lock beside a release is refused."""
    from edu_contracts.registry import release

    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "1.1.0")
    (contracts / LOCK_FILE).unlink()
    with pytest.raises(LockMismatchError, match="version not in the lock"):
        release("1.1.0", ContractStore(contracts))
    assert not (contracts / "1.1.0").exists()
    with pytest.raises(ContractFileError, match="not found"):
        release("1.1.0", ContractStore(tmp_path / "typo"))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    result = release("1.1.0", ContractStore(fresh))
    assert verify_lock(fresh) == []
    assert (fresh / "1.1.0" / "compatibility.json") in result.files


# --- files inside a release ------------------------------------------------------------

HIDDEN = {
    "hidden kind": "1.0.0/messages/.evil.json",
    "hidden at the top of a release": "1.0.0/.compatibility.json",
    "inside a hidden folder": "1.0.0/.git/messages/sneaky.json",
    "an editor's backup": "1.0.0/messages/.document_processing.json.swp",
    "a second policy": "1.0.0/compatibility.json",
    "a stray folder at the top": ".staging-1.1.0/messages/x.json",
}


@pytest.mark.parametrize("shape", sorted(HIDDEN))
def test_a_file_added_to_a_release_fails_and_is_never_loaded(
    capsys: pytest.CaptureFixture[str], contracts: Path, shape: str
) -> None:
    added = contracts / HIDDEN[shape]
    added.parent.mkdir(parents=True, exist_ok=True)
    schema = json.loads((contracts / "1.0.0" / KIND).read_text())
    added.write_text(json.dumps({"messages": "NONE"} if "policy" in shape else schema))
    problems = {(p.path, p.problem) for p in verify_lock(contracts)}
    top = HIDDEN[shape].split("/")[0]
    assert problems & {
        (HIDDEN[shape], "not in the lock"),
        (top, "not part of any release"),
    }, problems
    code, out, _ = _run(capsys, "lock", "--verify", "--contracts", str(contracts))
    assert code == 1
    assert added.name in out or top in out
    code, _, err = _run(capsys, "check", "--contracts", str(contracts))
    assert code == 2
    _assert_clean(err)
    # even a reader that skips the lock check never sees it
    store = ContractStore(contracts)
    kinds = store.task_schemas("1.0.0")
    assert not any(k.startswith(".") for k in kinds)
    assert set(kinds) == set(ContractStore(PACKAGED_CONTRACTS).task_schemas("1.0.0"))
    assert store.released_modes("1.0.0")["messages"].value == "FULL_TRANSITIVE"


def _link_outside(contracts: Path, rel: str, target: Callable[[Path, Path], Path]) -> Path:
    path = contracts / "1.0.0" / rel
    outside = target(path, contracts.parent)
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    path.symlink_to(outside)
    return path


def _copy_outside(path: Path, base: Path) -> Path:
    copy = base / f"outside-{path.name}"
    if path.is_dir():
        shutil.copytree(path, copy)
    else:
        shutil.copy(path, copy)
    return copy


LINKS: dict[str, tuple[str, Callable[[Path, Path], Path]]] = {
    "identical copy outside": (KIND, _copy_outside),
    "to /dev/zero": (KIND, lambda _p, _b: Path("/dev/zero")),
    "dangling": (KIND, lambda _p, b: b / "nothing-here.json"),
    "the union schema, identical": (UNION, _copy_outside),
    "the messages folder, identical": ("messages", _copy_outside),
    "the table snapshot, relative": ("tables.json", lambda p, b: Path(os.path.relpath(
        _copy_outside(p, b), p.parent))),
}  # fmt: skip


@pytest.mark.parametrize("shape", sorted(LINKS))
def test_a_released_file_turned_into_a_symlink_fails(
    capsys: pytest.CaptureFixture[str], contracts: Path, shape: str
) -> None:
    rel, target = LINKS[shape]
    link = _link_outside(contracts, rel, target)
    problems = {(p.path, p.problem) for p in verify_lock(contracts)}
    assert (f"1.0.0/{rel}", "is a symlink") in problems, problems
    code, out, _ = _run(capsys, "lock", "--verify", "--contracts", str(contracts))
    assert code == 1
    assert "is a symlink" in out
    code, _, err = _run(capsys, "check", "--contracts", str(contracts))
    assert code == 2
    assert link.name in err
    _assert_clean(err)
    store = ContractStore(contracts)
    with pytest.raises(ContractFileError, match="symlink"):
        store.load("1.0.0", rel) if rel.endswith(".json") else store.task_schemas("1.0.0")


def test_a_whole_release_folder_as_a_symlink_fails(
    capsys: pytest.CaptureFixture[str], contracts: Path
) -> None:
    moved = contracts.parent / "elsewhere"
    shutil.move(contracts / "1.0.0", moved)
    (contracts / "1.0.0").symlink_to(moved)
    assert ("1.0.0", "is a symlink") in {(p.path, p.problem) for p in verify_lock(contracts)}
    assert _run(capsys, "lock", "--verify", "--contracts", str(contracts))[0] == 1
    assert _run(capsys, "check", "--contracts", str(contracts))[0] == 2


def test_an_edit_in_place_fails_every_reader_not_only_the_lock(contracts: Path) -> None:
    target = contracts / "1.0.0" / KIND
    target.write_text(target.read_text().replace('"document_id"', '"doc_id"'))
    with pytest.raises(LockMismatchError, match="hash differs"):
        ContractStore(contracts).task_schemas("1.0.0")


def test_a_lock_entry_cannot_point_outside_its_release(contracts: Path) -> None:
    lock = json.loads((contracts / LOCK_FILE).read_text())
    lock["versions"]["1.0.0"]["../../outside.json"] = "0" * 64
    (contracts / LOCK_FILE).write_text(json.dumps(lock))
    with pytest.raises(ContractFileError, match="not a plain relative path"):
        verify_lock(contracts)


# --- what the lock cannot prove, and the installed copy that can --------------------------


def _rewrite_with_hash(contracts: Path, rel: str, edit: Callable[[str], str]) -> None:
    """The attack the lock cannot see: a released file and its hash rewritten together."""
    from edu_contracts.registry.lock import file_hash

    path = contracts / "1.0.0" / rel
    path.write_text(edit(path.read_text()))
    lock = json.loads((contracts / LOCK_FILE).read_text())
    lock["versions"]["1.0.0"][rel] = file_hash(path)
    (contracts / LOCK_FILE).write_text(json.dumps(lock, indent=2) + "\n")


def test_a_rewrite_with_its_hash_verifies_but_check_compares_the_installed_copy(
    capsys: pytest.CaptureFixture[str], contracts: Path
) -> None:
    # rename a required field in the released schema, and its hash with it
    _rewrite_with_hash(contracts, KIND, lambda t: t.replace('"user_id"', '"owner_id"'))
    assert verify_lock(contracts) == []  # the documented limit of the lock
    alone = check(ContractStore(contracts))  # with no second copy, nothing can tell
    assert all(s.subject != "released" for s in alone.subjects)
    verdict = check(ContractStore(contracts), ContractStore(PACKAGED_CONTRACTS))
    released = [s for s in verdict.subjects if s.subject == "released"]
    assert released
    assert not verdict.ok
    assert KIND in released[0].problems[0]
    assert "installed" in released[0].problems[0]
    code, out, _ = _run(capsys, "check", "--contracts", str(contracts))
    assert code == 1
    assert "differs from the copy shipped in the installed edu-contracts" in " ".join(out.split())
    code, out, _ = _run(capsys, "lock", "--verify", "--contracts", str(contracts))
    assert code == 0
    assert "review every change to contracts.lock" in " ".join(out.split())


def test_a_release_removed_from_the_lock_and_the_tree_is_found_by_the_installed_copy(
    capsys: pytest.CaptureFixture[str], contracts: Path
) -> None:
    shutil.rmtree(contracts / "1.0.0")
    (contracts / LOCK_FILE).write_text(json.dumps({"format": 1, "algorithm": "sha256",
                                                   "versions": {}}))  # fmt: skip
    assert verify_lock(contracts) == []
    code, out, _ = _run(capsys, "check", "--contracts", str(contracts))
    assert code == 1
    assert "missing from" in out
    assert "1.0.0" in out


def test_the_shipped_copy_checked_against_itself_has_no_released_subject() -> None:
    verdict = check(ContractStore(PACKAGED_CONTRACTS), ContractStore(PACKAGED_CONTRACTS))
    assert verdict.ok
    assert all(s.subject != "released" for s in verdict.subjects)
