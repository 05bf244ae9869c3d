"""The one finding model and renderer every check reports through.

``compat`` (messages), ``tables`` (table snapshots), ``can-i-deploy`` and
the migration linter all produce ``Finding`` objects collected in a
``Report``; text and JSON are rendered from the same objects, so a CI log
and a person read the same verdict. This package imports nothing else of
the toolkit: it sits at the bottom so every engine may use it.
"""

from edu_contracts.findings.model import (
    VERDICT_FORMAT,
    Counterexample,
    Finding,
    Report,
    Subject,
    Verdict,
    who_breaks,
)
from edu_contracts.findings.modes import CompatibilityMode, Direction, RuleSet

__all__ = [
    "VERDICT_FORMAT",
    "CompatibilityMode",
    "Counterexample",
    "Direction",
    "Finding",
    "Report",
    "RuleSet",
    "Subject",
    "Verdict",
    "who_breaks",
]
