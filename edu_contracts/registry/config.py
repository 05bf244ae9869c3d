"""Which compatibility mode each subject is checked under.

Defaults follow how each contract is deployed: queue messages
FULL_TRANSITIVE, because producers and consumers deploy in any order and a
queue can hold a message of any age; tables BACKWARD, because migrations
expand before code ships and contract only after old code is gone.

A ``compatibility.json`` beside the lock file may override a subject or a
subject prefix (``{"messages/document_processing": "BACKWARD"}``); the
longest matching prefix wins. It is configuration, not a release, so it is
not in the lock.
"""

from __future__ import annotations

from pathlib import Path

from edu_contracts.errors import ContractFileError
from edu_contracts.findings.modes import CompatibilityMode
from edu_contracts.registry.files import read_json

__all__ = ["CONFIG_FILE", "DEFAULT_MODES", "load_modes", "mode_for"]

CONFIG_FILE = "compatibility.json"

DEFAULT_MODES: dict[str, CompatibilityMode] = {
    "messages": CompatibilityMode.FULL_TRANSITIVE,
    "tables": CompatibilityMode.BACKWARD,
}


def load_modes(root: Path) -> dict[str, CompatibilityMode]:
    """The defaults, overridden by ``compatibility.json`` under ``root`` if present."""
    modes = dict(DEFAULT_MODES)
    path = root / CONFIG_FILE
    if not path.exists():
        return modes
    for subject, value in read_json(path).items():
        try:
            modes[subject] = CompatibilityMode(str(value).upper())
        except ValueError:
            allowed = ", ".join(m.value for m in CompatibilityMode)
            raise ContractFileError(
                f"unknown compatibility mode {value!r}",
                where=f"{path} (field {subject!r})",
                fix=f"use one of {allowed}",
            ) from None
    return modes


def mode_for(subject: str, modes: dict[str, CompatibilityMode]) -> CompatibilityMode:
    """The mode of ``subject``: its own entry, else its longest configured prefix."""
    parts = subject.split("/")
    for end in range(len(parts), 0, -1):
        key = "/".join(parts[:end])
        if key in modes:
            return modes[key]
    return CompatibilityMode.FULL_TRANSITIVE
