"""Which compatibility mode each subject is checked under, and who may change it.

Defaults follow how each contract is deployed: queue messages
FULL_TRANSITIVE, because producers and consumers deploy in any order and a
queue can hold a message of any age; tables BACKWARD, because migrations
expand before code ships and contract only after old code is gone.

A policy maps a subject or a subject prefix to a mode
(``{"messages/document_processing": "BACKWARD"}``); the longest matching
prefix wins. A policy that sets a mode to NONE switches a check off, so a
policy is a contract too and is released like one:

- ``contracts/compatibility.json`` is the *working* policy, like the working
  code: it is judged, never trusted;
- ``release`` freezes it into ``contracts/<version>/compatibility.json``,
  hashed in the lock;
- ``check`` and ``release`` judge under the policy of the latest *release*
  (the defaults when it has none), and report a working policy that weakens
  a subject's mode as a breaking change: it needs a major release, and only
  takes effect after it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from edu_contracts.errors import ContractFileError
from edu_contracts.findings.modes import CompatibilityMode
from edu_contracts.registry.files import read_json

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_MODES",
    "PolicyChange",
    "load_modes",
    "mode_for",
    "parse_modes",
    "policy_changes",
    "weaker",
]

CONFIG_FILE = "compatibility.json"

DEFAULT_MODES: dict[str, CompatibilityMode] = {
    "messages": CompatibilityMode.FULL_TRANSITIVE,
    "tables": CompatibilityMode.BACKWARD,
}


class PolicyChange(enum.Enum):
    """How a working policy differs from the released one, for ``check``'s findings."""

    WEAKENED = "POLICY_WEAKENED"
    CHANGED = "POLICY_CHANGED"


def parse_modes(raw: dict[str, Any], where: str) -> dict[str, CompatibilityMode]:
    """The defaults, overridden by the entries of one policy document."""
    modes = dict(DEFAULT_MODES)
    allowed = ", ".join(m.value for m in CompatibilityMode)
    for subject, value in raw.items():
        try:
            modes[subject] = CompatibilityMode(str(value).upper())
        except ValueError:
            raise ContractFileError(
                f"unknown compatibility mode {str(value)[:80]!r}",
                where=f"{where} (field {subject[:80]!r})",
                fix=f"use one of {allowed}",
            ) from None
    return modes


def load_modes(root: Path) -> dict[str, CompatibilityMode]:
    """The working policy: the defaults, overridden by ``compatibility.json`` under ``root``."""
    path = root / CONFIG_FILE
    if not path.exists() and not path.is_symlink():
        return dict(DEFAULT_MODES)
    return parse_modes(read_json(path, inside=root), str(path))


def mode_for(subject: str, modes: dict[str, CompatibilityMode]) -> CompatibilityMode:
    """The mode of ``subject``: its own entry, else its longest configured prefix."""
    parts = subject.split("/")
    for end in range(len(parts), 0, -1):
        key = "/".join(parts[:end])
        if key in modes:
            return modes[key]
    return CompatibilityMode.FULL_TRANSITIVE


def weaker(new: CompatibilityMode, old: CompatibilityMode) -> bool:
    """True when ``new`` lets through a change ``old`` refuses.

    A mode is at least as strong as another when it checks every direction
    the other checks, and against every version the other compares with.
    """
    covers = set(old.directions) <= set(new.directions)
    reaches = new.transitive or not old.transitive or not old.directions
    return not (covers and reaches)


def policy_changes(
    released: dict[str, CompatibilityMode],
    working: dict[str, CompatibilityMode],
    subjects: Iterable[str],
) -> list[tuple[str, CompatibilityMode, CompatibilityMode]]:
    """``(subject, released mode, working mode)`` for every subject whose mode changes.

    Every configured key of either policy is a subject too, so a prefix
    entry is judged even when no current subject falls under it.
    """
    names = sorted(set(subjects) | set(released) | set(working))
    changes = []
    for name in names:
        before, after = mode_for(name, released), mode_for(name, working)
        if before is not after:
            changes.append((name, before, after))
    return changes
