"""What a compatibility check found, in a shape both people and tools can read.

Findings are frozen so a report can be cached, compared and serialised
without anyone mutating it on the way; ``Report.to_dict`` is the one stable
JSON shape the CLI and CI annotations rely on.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from edu_contracts.findings.modes import CompatibilityMode, Direction, RuleSet

__all__ = ["Counterexample", "Finding", "Report"]

REPORT_FORMAT = 1


@dataclass(frozen=True)
class Counterexample:
    """An instance the writer schema accepts and the reader schema rejects.

    Wrapped rather than stored bare because ``null`` is a perfectly good
    counterexample (a field that stopped being nullable), so ``None`` cannot
    mean "none known".
    """

    instance: Any
    error: str
    """Why the reader rejects it, as the validator says it."""

    def to_dict(self) -> dict[str, Any]:
        return {"instance": self.instance, "error": self.error}


@dataclass(frozen=True)
class Finding:
    """One difference between two schema versions, judged in one direction."""

    change: enum.Enum
    """A ``compat.ChangeKind``, ``tables.TableChange``...; its ``value`` is the stable name."""
    pointer: str
    """JSON pointer into the writer schema as the diff walked it, e.g. ``#/properties/data``."""
    message: str
    breaks: str
    """Who fails: "new readers of old data", "old readers of new data", or "nobody"."""
    direction: Direction
    safe_path: str
    """How to make the change without breaking anyone."""
    compatible: bool
    example: Counterexample | None = None
    against: int | None = None
    """Index of the earlier version in a transitive history; None for a single comparison."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change.value,
            "pointer": self.pointer,
            "message": self.message,
            "breaks": self.breaks,
            "direction": self.direction.value,
            "safe_path": self.safe_path,
            "compatible": self.compatible,
            "example": None if self.example is None else self.example.to_dict(),
            "against": self.against,
        }


@dataclass(frozen=True)
class Report:
    """All findings of one check; compatible exactly when every finding is.

    ``to_dict()`` returns (format 1)::

        {
          "format": 1,
          "mode": "BACKWARD" | ... | "NONE",
          "rules": "STRICT" | "LENIENT",
          "compatible": bool,
          "summary": {"findings": int, "breaking": int},
          "findings": [
            {"change": "REQUIRED_ATTRIBUTE_ADDED", "pointer": "#/required/foo",
             "message": str, "breaks": str, "direction": "backward" | "forward",
             "safe_path": str, "compatible": bool,
             "example": null | {"instance": <json>, "error": str},
             "against": null | int}
          ]
        }

    Breaking findings come first, then the rest, each group in the order the
    diff met them, so the first line of any rendering is the reason to act.
    """

    findings: tuple[Finding, ...] = ()
    mode: CompatibilityMode = CompatibilityMode.BACKWARD
    rules: RuleSet = RuleSet.STRICT

    def __post_init__(self) -> None:
        ordered = tuple(f for f in self.findings if not f.compatible) + tuple(
            f for f in self.findings if f.compatible
        )
        object.__setattr__(self, "findings", ordered)

    @property
    def compatible(self) -> bool:
        return all(f.compatible for f in self.findings)

    @property
    def breaking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.compatible)

    def with_findings(self, findings: Iterable[Finding]) -> Report:
        """A copy holding other findings (used to attach counterexamples)."""
        return replace(self, findings=tuple(findings))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "mode": self.mode.value,
            "rules": self.rules.value,
            "compatible": self.compatible,
            "summary": {"findings": len(self.findings), "breaking": len(self.breaking)},
            "findings": [f.to_dict() for f in self.findings],
        }
