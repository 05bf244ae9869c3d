"""Confluent Schema Registry's own JSON Schema diff vectors, as an external oracle.

The vectors live in ``shared/`` beside the repository (never copied in: they
are Confluent-licensed test data). Every case must reproduce Confluent's
BACKWARD verdict under STRICT rules, and the cases that carry a lenient
verdict must reproduce it under LENIENT; cases we knowingly judge otherwise
would be listed in edu_contracts/compat/DEVIATIONS.md (there are none).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edu_contracts.compat import CompatibilityMode, RuleSet, compare

VECTORS = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "conformance"
    / "confluent-json-schema-diff"
)
FILES = (
    "diff-schema-examples.json",
    "diff-schema-examples-2020-12.json",
    "diff-combined-schema-examples.json",
    "diff-combined-schema-examples-2020-12.json",
)
EXPECTED_CASES = 263


def _cases() -> list[Any]:
    if not VECTORS.is_dir():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason=f"Confluent vectors not found at {VECTORS.resolve()}; "
                    "these vectors live in ../shared beside the repo"
                ),
                id="vectors-missing",
            )
        ]
    params = []
    for name in FILES:
        cases = json.loads((VECTORS / name).read_text(encoding="utf-8"))
        # Files without "2020-12" in the name hold draft-07 schemas without
        # $schema: Confluent reads those as draft-07, its default, so do we.
        dialect = None if "2020-12" in name else "draft-07"
        for index, case in enumerate(cases):
            case["dialect"] = dialect
            label = f"{name.removesuffix('.json')}[{index}] {case['description'].strip()}"
            params.append(pytest.param(case, id=label))
    return params


CASES = _cases()


def test_every_vector_is_collected() -> None:
    """A vector file that shrinks or fails to load must not pass silently."""
    if not VECTORS.is_dir():
        pytest.skip(
            f"vectors not found at {VECTORS}; these vectors live in ../shared beside the repo"
        )
    assert len(CASES) == EXPECTED_CASES


@pytest.mark.parametrize("case", CASES)
def test_backward_strict_verdict(case: dict[str, Any]) -> None:
    report = compare(
        case["original_schema"], case["update_schema"], examples=False, dialect=case["dialect"]
    )
    assert report.compatible is case["compatible"], [
        f"{f.change.value} {f.pointer}" for f in report.findings
    ]


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.values[0] is None or "compatible_lenient" in c.values[0]]
)
def test_backward_lenient_verdict(case: dict[str, Any]) -> None:
    report = compare(
        case["original_schema"],
        case["update_schema"],
        CompatibilityMode.BACKWARD,
        RuleSet.LENIENT,
        examples=False,
        dialect=case["dialect"],
    )
    assert report.compatible is case["compatible_lenient"]


@pytest.mark.parametrize("case", CASES)
def test_forward_is_backward_swapped(case: dict[str, Any]) -> None:
    """FORWARD must be exactly the BACKWARD question with the schemas exchanged."""
    forward = compare(
        case["original_schema"],
        case["update_schema"],
        CompatibilityMode.FORWARD,
        examples=False,
        dialect=case["dialect"],
    )
    swapped = compare(
        case["update_schema"], case["original_schema"], examples=False, dialect=case["dialect"]
    )
    assert forward.compatible is swapped.compatible
