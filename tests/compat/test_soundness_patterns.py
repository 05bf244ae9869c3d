"""Defect class 1: patternProperties entries added, removed and overlapping.

A validator applies every matching pattern entry on top of ``properties``
and ``additionalProperties`` only to names no entry matches; patterns are
ECMA-262. Each case says what a validator does with one instance, and the
engine must agree under every rule set (never "compatible" when that
instance breaks).
"""

from __future__ import annotations

from typing import Any

import pytest
from _oracle import assert_counterexample

from edu_contracts.compat import RuleSet, compare

OBJ: dict[str, Any] = {"type": "object"}


def _pp(patterns: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "patternProperties": patterns, **extra}


BREAKING = [
    # (label, old, new, an old instance the new schema rejects)
    ("entry added to an open object", OBJ, _pp({"^x$": {"type": "integer"}}), {"x": "s"}),
    (
        "entry added over a declared property",
        {"type": "object", "properties": {"xa": {"type": "string"}}},
        {
            "type": "object",
            "properties": {"xa": {"type": "string"}},
            "patternProperties": {"^x": {"maxLength": 1}},
        },
        {"xa": "long"},
    ),
    (
        "entry added under a typed additionalProperties",
        {"type": "object", "additionalProperties": {"type": "string"}},
        {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "patternProperties": {"^n_": {"type": "integer"}},
        },
        {"n_1": "s"},
    ),
    (
        "entry added overlapping an existing one",
        _pp({"^a": {"type": "string"}}),
        _pp({"^a": {"type": "string"}, "b$": {"minLength": 3}}),
        {"ab": "s"},
    ),
    (
        "entry removed from a closed object",
        _pp({"^x-": {"type": "string"}}, additionalProperties=False),
        {"type": "object", "additionalProperties": False},
        {"x-a": "s"},
    ),
    (
        "entry removed; its names fall to a narrower additionalProperties",
        _pp({"^x-": {"type": "string"}}, additionalProperties={"type": "integer"}),
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"x-a": "s"},
    ),
    (
        "entry replaced by another pattern",
        _pp({"^x-": {"type": "string"}}, additionalProperties=False),
        _pp({"^y-": {"type": "string"}}, additionalProperties=False),
        {"x-a": "s"},
    ),
    (
        "ECMA \\d is ASCII: a Unicode digit now falls to additionalProperties",
        _pp({"^.$": {"type": "string"}}, additionalProperties=False),
        _pp({"^\\d$": {"type": "string"}}, additionalProperties=False),
        {"a": "s"},
    ),
]


@pytest.mark.parametrize("rules", list(RuleSet))
@pytest.mark.parametrize(
    ("label", "old", "new", "instance"), BREAKING, ids=[b[0] for b in BREAKING]
)
def test_pattern_changes_that_break_are_breaking(
    label: str, old: Any, new: Any, instance: Any, rules: RuleSet
) -> None:
    assert_counterexample(old, new, instance)  # the case itself is right
    report = compare(old, new, rules=rules)
    assert not report.compatible, [f.change.value for f in report.findings]
    if rules is RuleSet.SEMANTIC:
        examples = [f.example for f in report.breaking if f.example is not None]
        assert examples
        for example in examples:
            assert_counterexample(old, new, example.instance)


SAFE = [
    (
        "entry added to a closed object",
        {"type": "object", "additionalProperties": False},
        _pp({"^x$": {"type": "integer"}}, additionalProperties=False),
    ),
    ("entry with an empty schema added", OBJ, _pp({"^x$": {}})),
    ("entry removed from an open object", _pp({"^x$": {"type": "integer"}}), OBJ),
    (
        "entry added that the additional schema already implies",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "patternProperties": {"^n": {"type": "number"}},
        },
    ),
]


@pytest.mark.parametrize(("label", "old", "new"), SAFE, ids=[s[0] for s in SAFE])
def test_pattern_changes_that_are_safe_pass_strict_and_semantic(
    label: str, old: Any, new: Any
) -> None:
    assert compare(old, new).compatible
    assert compare(old, new, rules=RuleSet.SEMANTIC).compatible


def test_ecma_only_patterns_are_matched_the_ecma_way() -> None:
    """``\\cC`` (a control letter) is not Python syntax; ``\\p{L}`` is a Unicode class."""
    old = _pp({"^\\cC$": {"type": "string"}}, additionalProperties=False)
    new = _pp({"^\\cC$": {"type": "integer"}}, additionalProperties=False)
    report = compare(old, new, rules=RuleSet.SEMANTIC)
    assert not report.compatible
    unicode = _pp({"^\\p{L}+$": {"type": "string"}}, additionalProperties=False)
    assert compare(unicode, unicode, rules=RuleSet.SEMANTIC).compatible


@pytest.mark.parametrize("rules", [RuleSet.STRICT, RuleSet.SEMANTIC])
def test_ascii_digits_are_ecma_digits(rules: RuleSet) -> None:
    """ECMA's ``\\d`` is [0-9]: an Arabic-Indic digit never matched the old entry, so
    the closed old object never held that name and declaring it now is safe.
    (Python's ``re`` would say it matched, and call the change breaking.)"""
    old = _pp({"^\\d+$": {"type": "integer"}}, additionalProperties=False)
    new = {**old, "properties": {"\u0663": {"type": "string"}}}
    assert compare(old, new, rules=rules).compatible
    assert not compare(
        old, {**old, "properties": {"3": {"type": "string"}}}, rules=rules
    ).compatible
