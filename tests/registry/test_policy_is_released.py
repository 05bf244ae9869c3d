"""A compatibility policy that weakens checks is a contract change, released and locked.

Issue 16, point 14: an unlocked ``compatibility.json`` setting every mode to
NONE made ``check`` pass and let ``release`` ship a breaking change as a
minor. Now checks run under the latest release's policy, and a working
policy that weakens a mode is itself breaking.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from edu_contracts.errors import IncompatibleChangeError
from edu_contracts.findings.modes import CompatibilityMode as M
from edu_contracts.registry import ContractStore, check, release, verify_lock
from edu_contracts.registry.config import weaker

ALL_NONE = {"messages": "NONE", "tables": "NONE"}


def _drop_notes_title(monkeypatch: pytest.MonkeyPatch) -> None:
    """A breaking table change: a column the released code reads disappears."""
    from edu_contracts.tables import snapshot

    original = snapshot.snapshot_metadata

    def changed() -> dict[str, Any]:
        tables = copy.deepcopy(original())
        del tables["tables"]["notes"]["columns"]["title"]
        return tables

    monkeypatch.setattr(snapshot, "snapshot_metadata", changed)


def _subject(verdict: Any, name: str) -> Any:
    return next(s for s in verdict.subjects if s.subject == name)


@pytest.mark.parametrize(
    "policy",
    [
        ALL_NONE,
        {"tables": "NONE"},
        {"tables": "forward"},
        {"messages": "NONE"},
        {"messages/document_processing": "BACKWARD"},
        {"messages": "FULL"},
    ],
    ids=[
        "all-none",
        "tables-none",
        "tables-forward",
        "messages-none",
        "one-kind",
        "not-transitive",
    ],
)
def test_a_weakening_working_policy_is_breaking_and_not_applied(
    contracts: Path, monkeypatch: pytest.MonkeyPatch, policy: dict[str, str]
) -> None:
    (contracts / "compatibility.json").write_text(json.dumps(policy))
    store = ContractStore(contracts)
    assert verify_lock(contracts) == []  # the working policy is not part of any release
    verdict = check(store)
    policy_subject = _subject(verdict, "policy")
    assert not policy_subject.compatible
    assert all("compatibility.json#/" in f.pointer for f in policy_subject.report.findings)
    assert _subject(verdict, "tables").mode is M.BACKWARD  # the released (default) policy
    _drop_notes_title(monkeypatch)
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "1.1.0")
    with pytest.raises(IncompatibleChangeError, match="need a major version bump") as info:
        release("1.1.0", store)
    assert "policy" in str(info.value)
    assert not (contracts / "1.1.0").exists()


def test_a_weaker_policy_ships_only_in_a_major_and_applies_after_it(
    contracts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (contracts / "compatibility.json").write_text(json.dumps({"tables": "NONE"}))
    store = ContractStore(contracts)
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "2.0.0")
    result = release("2.0.0", store)
    frozen = contracts / "2.0.0" / "compatibility.json"
    assert frozen in result.files
    assert json.loads(frozen.read_text())["tables"] == "NONE"
    assert verify_lock(contracts) == []
    assert "compatibility.json" in store.released_files("2.0.0")
    # now released: a breaking table change passes under it, and the policy shows no change
    _drop_notes_title(monkeypatch)
    verdict = check(store)
    assert _subject(verdict, "tables").mode is M.NONE
    assert _subject(verdict, "policy").report.findings == ()
    # and editing the released policy afterwards is tampering like any other edit
    frozen.write_text(json.dumps({"messages": "NONE", "tables": "NONE"}))
    assert [p.problem for p in verify_lock(contracts)] == ["changed"]


def test_a_stronger_working_policy_is_a_compatible_change(contracts: Path) -> None:
    (contracts / "compatibility.json").write_text(json.dumps({"tables": "FULL_TRANSITIVE"}))
    verdict = check(ContractStore(contracts))
    subject = _subject(verdict, "policy")
    assert subject.compatible
    assert [f.change.value for f in subject.report.findings] == ["POLICY_CHANGED"]
    assert verdict.ok


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        (M.NONE, M.BACKWARD, True),
        (M.BACKWARD, M.BACKWARD_TRANSITIVE, True),
        (M.FORWARD, M.BACKWARD, True),
        (M.FULL, M.FULL_TRANSITIVE, True),
        (M.FULL_TRANSITIVE, M.BACKWARD, False),
        (M.BACKWARD_TRANSITIVE, M.BACKWARD, False),
        (M.BACKWARD, M.NONE, False),
        (M.NONE, M.NONE, False),
        (M.FULL, M.FORWARD, False),
    ],
)
def test_which_modes_are_weaker(new: M, old: M, expected: bool) -> None:
    assert weaker(new, old) is expected
