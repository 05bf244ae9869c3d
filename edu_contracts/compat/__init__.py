"""Semantic compatibility of JSON Schema versions, judged as Confluent judges them.

``compare(old, new)`` answers whether readers and writers of two contract
versions can still talk (BACKWARD by default: can a reader with ``new`` read
everything written with ``old``?), and explains each difference: where, what,
who breaks, and how to make the change safely. ``compare_history`` does the
same against every earlier version for the transitive modes.

The verdicts reproduce Confluent Schema Registry's on its own conformance
vectors; where we knowingly differ, DEVIATIONS.md beside this file says why.
"""

from edu_contracts.compat._engine import compare, compare_history
from edu_contracts.compat.kinds import ChangeKind
from edu_contracts.findings.model import Counterexample, Finding, Report
from edu_contracts.findings.modes import CompatibilityMode, Direction, RuleSet

__all__ = [
    "ChangeKind",
    "CompatibilityMode",
    "Counterexample",
    "Direction",
    "Finding",
    "Report",
    "RuleSet",
    "compare",
    "compare_history",
]
