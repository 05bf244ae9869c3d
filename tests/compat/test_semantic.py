"""The SEMANTIC rule set: breaking exactly when some writer-valid instance is reader-invalid.

Precision: the provably safe changes STRICT refuses are accepted. Honesty:
every breaking verdict carries a counterexample that a real validator
accepts under the writer and rejects under the reader, or says "unknown".
"""

from __future__ import annotations

from typing import Any

import pytest
from _oracle import assert_counterexample

from edu_contracts.compat import CompatibilityMode, RuleSet, compare

S = RuleSet.SEMANTIC

SAFE = [
    (
        "exclusiveMinimum -> minimum",
        {"type": "number", "exclusiveMinimum": 10},
        {"type": "number", "minimum": 10},
    ),
    (
        "integer exclusive 10 -> minimum 11",
        {"type": "integer", "exclusiveMinimum": 10},
        {"type": "integer", "minimum": 11},
    ),
    ("const -> type", {"const": "hello"}, {"type": "string"}),
    ("minLength 0 added", {"type": "string"}, {"type": "string", "minLength": 0}),
    ("unsatisfiable writer", {"not": {}}, {"type": "integer"}),
    ("empty range writer", {"type": "integer", "minimum": 5, "maximum": 4}, {"const": 1}),
    ("enum members fit", {"enum": ["a", "b", 3]}, {"type": ["string", "integer"], "maxLength": 1}),
    (
        "alternatives find partners",
        {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]},
    ),
    (
        "oneOf with a tag",
        {"type": "object", "properties": {"k": {"const": "a"}}, "required": ["k"]},
        {
            "oneOf": [
                {"type": "object", "properties": {"k": {"const": "a"}}, "required": ["k"]},
                {"type": "object", "properties": {"k": {"const": "b"}}, "required": ["k"]},
            ]
        },
    ),
    (
        "closed object gains an optional property",
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        {
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            "additionalProperties": False,
        },
    ),
    ("required dropped", {"type": "object", "required": ["a"]}, {"type": "object"}),
    (
        "maxItems relaxed and items widened",
        {"type": "array", "items": {"type": "integer"}, "maxItems": 2},
        {"type": "array", "items": {"type": "number"}, "maxItems": 5},
    ),
    (
        "nullable on via anyOf",
        {"$defs": {"E": {"enum": ["x", "y"]}}, "$ref": "#/$defs/E"},
        {"$defs": {"E": {"enum": ["x", "y"]}}, "anyOf": [{"$ref": "#/$defs/E"}, {"type": "null"}]},
    ),
    (
        "allOf split into parts",
        {"type": "string", "minLength": 2},
        {"allOf": [{"type": "string"}, {"minLength": 1}]},
    ),
    (
        "if/then the writer always meets",
        {"type": "string", "minLength": 3},
        {"if": {"type": "string"}, "then": {"minLength": 2}},
    ),
]


@pytest.mark.parametrize(("label", "old", "new"), SAFE, ids=[s[0] for s in SAFE])
def test_provably_safe_changes_are_accepted(label: str, old: Any, new: Any) -> None:
    report = compare(old, new, rules=S)
    assert report.compatible, [f.message for f in report.findings]
    assert any(f.change.value == "SEMANTIC_PROVEN" for f in report.findings)


def test_semantic_accepts_what_strict_refuses_here() -> None:
    refused = [label for label, old, new in SAFE if not compare(old, new).compatible]
    assert len(refused) >= 5, refused  # the precision gained is real, not a renaming


BREAKING = [
    (
        "minimum -> exclusiveMinimum",
        {"type": "number", "minimum": 10},
        {"type": "number", "exclusiveMinimum": 10},
    ),
    ("enum member lost", {"enum": ["a", "b"]}, {"enum": ["a"]}),
    ("const widened to a different type", {"const": 1}, {"type": "string"}),
    (
        "required added",
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
    ),
    (
        "optional property added to an open object",
        {"type": "object"},
        {"type": "object", "properties": {"b": {"type": "integer"}}},
    ),
    (
        "union lost an alternative",
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
        {"type": "string"},
    ),
    (
        "nested property retyped",
        {
            "type": "object",
            "properties": {"a": {"type": "object", "properties": {"b": {"type": "integer"}}}},
        },
        {
            "type": "object",
            "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}}},
        },
    ),
    ("format asserted", {"type": "string"}, {"type": "string", "format": "uuid"}),
    (
        "items narrowed",
        {"type": "array", "items": {"type": "number"}},
        {"type": "array", "items": {"type": "integer"}},
    ),
    (
        "oneOf made ambiguous",
        {"type": "integer"},
        {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]},
    ),
    ("not added", {"type": "integer"}, {"type": "integer", "not": {"const": 0}}),
]


@pytest.mark.parametrize("mode", [CompatibilityMode.BACKWARD, CompatibilityMode.FULL])
@pytest.mark.parametrize(("label", "old", "new"), BREAKING, ids=[b[0] for b in BREAKING])
def test_breaking_verdicts_carry_a_verified_counterexample(
    label: str, old: Any, new: Any, mode: CompatibilityMode
) -> None:
    report = compare(old, new, mode, S)
    assert not report.compatible
    backward = [f for f in report.breaking if f.direction.value == "backward"]
    assert backward[0].change.value == "SEMANTIC_COUNTEREXAMPLE"
    for finding in backward:
        assert finding.example is not None, finding.change
        assert_counterexample(old, new, finding.example.instance)


def test_unknown_is_breaking_and_says_why() -> None:
    """Regular-language inclusion is not decided: ``^a+$`` inside ``^a*$`` is true but unproved."""
    report = compare(
        {"type": "string", "pattern": "^a+$"}, {"type": "string", "pattern": "^a*$"}, rules=S
    )
    assert not report.compatible
    first = report.findings[0]
    assert first.change.value == "SEMANTIC_UNKNOWN"
    assert "pattern" in first.message
    assert "treated as breaking" in first.message
    assert first.example is None


def test_examples_false_skips_the_search_and_says_so() -> None:
    report = compare({"type": "number"}, {"type": "integer"}, rules=S, examples=False)
    assert not report.compatible
    assert "skipped" in report.findings[0].message


def test_report_names_the_rule_set() -> None:
    assert compare(True, True, rules=S).to_dict()["rules"] == "SEMANTIC"
