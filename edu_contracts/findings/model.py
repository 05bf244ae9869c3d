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

__all__ = [
    "REPORT_FORMAT",
    "VERDICT_FORMAT",
    "Counterexample",
    "Finding",
    "Report",
    "Subject",
    "Verdict",
    "who_breaks",
]

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
          "rules": "STRICT" | "LENIENT" | "SEMANTIC",
          "dialect": null | "2020-12 (default)" | "old draft-07 ($schema), new ...",
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
    dialect: str | None = None
    """The JSON Schema dialect each side was read in, and why (``$schema``, default, option)."""

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
            "dialect": self.dialect,
            "compatible": self.compatible,
            "summary": {"findings": len(self.findings), "breaking": len(self.breaking)},
            "findings": [f.to_dict() for f in self.findings],
        }


def who_breaks(subject: str, finding: Finding, version: str) -> str:
    """Who fails, in the words of the people deploying; the one place this is phrased.

    Engines only know a direction ("new readers of old data"); a check knows
    what the subject is and which release it compared with, so the phrase
    names consumers, producers or code of that release.
    """
    if finding.compatible:
        return "nobody"
    if subject.startswith("messages"):
        if finding.direction is Direction.FORWARD:
            return f"consumers on <= {version} reading messages from new producers"
        return f"new consumers reading messages sent by producers on <= {version}"
    if subject == "tables":
        if finding.direction is Direction.BACKWARD:
            return f"code built for <= {version} running on the new schema"
        return f"new code running on a database still at {version}"
    return finding.breaks


@dataclass(frozen=True)
class Subject:
    """The verdict on one subject (a message kind, the tables...) against earlier versions."""

    subject: str
    mode: CompatibilityMode
    versions: tuple[str, ...]
    """What it was compared against, oldest first; ``Finding.against`` indexes it."""
    report: Report
    problems: tuple[str, ...] = ()
    """Failures that are not schema findings (a golden message that no longer decodes)."""

    @property
    def compatible(self) -> bool:
        return self.report.compatible and not self.problems

    def version_of(self, finding: Finding) -> str:
        """The version a finding concerns."""
        if finding.against is not None and finding.against < len(self.versions):
            return self.versions[finding.against]
        return self.versions[-1] if self.versions else "?"

    def breaks(self, finding: Finding) -> str:
        return who_breaks(self.subject, finding, self.version_of(finding))

    def to_dict(self) -> dict[str, Any]:
        report = self.report.to_dict()
        for raw, finding in zip(report["findings"], self.report.findings, strict=True):
            raw["against_version"] = self.version_of(finding)
            raw["breaks"] = self.breaks(finding)
        return {
            "subject": self.subject,
            "mode": self.mode.value,
            "against": list(self.versions),
            "compatible": self.compatible,
            "problems": list(self.problems),
            "report": report,
        }


VERDICT_FORMAT = 2


@dataclass(frozen=True)
class Verdict:
    """What one command found: every check (check, diff, compat, drift, can-i-deploy) ends here.

    ``fail_on`` is the command's policy: ``"breaking"`` fails on a breaking
    finding or a problem; ``"any"`` (drift) fails on any difference at all.
    ``to_dict()`` (format 2) is the JSON every command prints with
    ``--format json``::

        {"format": 2, "command": "check", "title": "current code vs 1.0.0",
         "baseline": "1.0.0" | null, "ok": bool, "compatible": bool,
         "fail_on": "breaking" | "any", "checked": [str],
         "summary": {"subjects": int, "incompatible": int, "breaking_findings": int,
                     "findings": int},
         "subjects": [{"subject": "messages/document_processing",
                       "mode": "FULL_TRANSITIVE", "against": ["1.0.0"],
                       "compatible": bool, "problems": [str],
                       "report": <Report.to_dict(); each finding also has
                                  "against_version" and "breaks" phrased for the subject>}]}
    """

    command: str
    title: str
    subjects: tuple[Subject, ...] = ()
    baseline: str | None = None
    checked: tuple[str, ...] = ()
    """What was looked at, for the reader who wonders whether a pass means anything."""
    fail_on: str = "breaking"

    @property
    def compatible(self) -> bool:
        return all(s.compatible for s in self.subjects)

    def breaking(self) -> list[tuple[str, Finding]]:
        """Every breaking finding with the subject it belongs to, in report order."""
        return [(s.subject, f) for s in self.subjects for f in s.report.breaking]

    @property
    def ok(self) -> bool:
        if self.fail_on == "any":
            return not any(s.report.findings or s.problems for s in self.subjects)
        return self.compatible

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": VERDICT_FORMAT,
            "command": self.command,
            "title": self.title,
            "baseline": self.baseline,
            "ok": self.ok,
            "compatible": self.compatible,
            "fail_on": self.fail_on,
            "checked": list(self.checked),
            "summary": {
                "subjects": len(self.subjects),
                "incompatible": sum(not s.compatible for s in self.subjects),
                "breaking_findings": sum(len(s.report.breaking) for s in self.subjects),
                "findings": sum(len(s.report.findings) for s in self.subjects),
            },
            "subjects": [s.to_dict() for s in self.subjects],
        }
