"""Defect classes 3, 4 and 6: multipleOf arithmetic, boolean schemas, and the dialect.

multipleOf is judged on the exact rational value of the IEEE double each
JSON number parses into, which is what ``jsonschema`` divides by when its
float check overflows; every verdict here is checked against what the
real validator does with one instance.
"""

from __future__ import annotations

from typing import Any

import pytest
from _oracle import assert_counterexample, valid

from edu_contracts.compat import RuleSet, compare
from edu_contracts.errors import ContractFileError


def _num(step: float | int, kind: str = "number") -> dict[str, Any]:
    return {"type": kind, "multipleOf": step}


STEPS_BREAKING = [
    # (old step, new step, an old instance the new schema rejects)
    (0.1, 1e-308, 2.0),
    (0.3, 0.1, 0.3),  # 0.3 / 0.1 is 2.9999999999999996 for a validator
    (10, 3, 10),
    (2, 4, 2),
    (0.5, 1, 0.5),
    (1.5, 1, 1.5),
]
STEPS_SAFE = [(0.1, 0.05), (10, 5), (10, 2.5), (4, 2), (1, 0.5), (0.5, 0.25), (3, 1)]


@pytest.mark.parametrize("rules", list(RuleSet))
@pytest.mark.parametrize(("old", "new", "instance"), STEPS_BREAKING)
def test_a_step_that_does_not_divide_is_breaking(
    old: float, new: float, instance: float, rules: RuleSet
) -> None:
    assert_counterexample(_num(old), _num(new), instance)
    report = compare(_num(old), _num(new), rules=rules)
    assert not report.compatible
    if rules is RuleSet.SEMANTIC:
        example = next(f.example for f in report.breaking if f.example is not None)
        assert_counterexample(_num(old), _num(new), example.instance)


@pytest.mark.parametrize("rules", list(RuleSet))
@pytest.mark.parametrize(("old", "new"), STEPS_SAFE)
def test_a_dividing_step_is_safe(old: float, new: float, rules: RuleSet) -> None:
    for k in (1, 2, 3, 7, 10, 1000):
        if valid(_num(old), old * k):
            assert valid(_num(new), old * k)  # the validator agrees on the multiples
    assert compare(_num(old), _num(new), rules=rules).compatible


def test_integer_type_counts_as_a_step_of_one() -> None:
    assert compare(_num(1, "integer"), _num(0.5), rules=RuleSet.SEMANTIC).compatible
    # 1 is no exact multiple of the double 0.1, yet a validator's float division
    # accepts every integer it was tried on: no proof, no counterexample, so "unknown",
    # which counts as breaking and says so.
    report = compare(_num(1, "integer"), _num(0.1), rules=RuleSet.SEMANTIC)
    assert not report.compatible
    assert report.findings[0].change.value == "SEMANTIC_UNKNOWN"
    assert "treated as breaking" in report.findings[0].message


BOOLEAN_PAIRS = [
    (True, True, True),
    (False, False, True),
    (False, True, True),
    (True, False, False),
    (False, {"type": "string"}, True),
    ({"type": "string"}, True, True),
    (True, {"type": "string"}, False),
    ({"type": "string"}, False, False),
    ({"properties": {"a": False}}, {"properties": {"a": {"type": "integer"}}}, True),
    ({"properties": {"a": True}}, {"properties": {"a": False}}, False),
    ({"items": True}, {"items": False}, False),
    ({"items": False}, {"items": {"type": "string"}}, True),
    ({"additionalProperties": True}, {"additionalProperties": False}, False),
    ({"anyOf": [False, {"type": "null"}]}, {"type": "null"}, True),
    ({"not": False}, True, True),
]


@pytest.mark.parametrize(("old", "new", "safe"), BOOLEAN_PAIRS)
def test_boolean_schemas_are_judged_anywhere(old: Any, new: Any, safe: bool) -> None:
    assert compare(old, new, rules=RuleSet.SEMANTIC).compatible is safe
    if not safe:
        assert not compare(old, new).compatible  # strict is never laxer than the truth


def test_draft_04_refuses_a_boolean_schema_clearly() -> None:
    with pytest.raises(ContractFileError) as err:
        compare(True, True, dialect="draft-04")
    assert "draft-04" in err.value.message


EXCLUSIVE_TRUE = {"type": "number", "maximum": 10, "exclusiveMaximum": True}


def test_without_schema_the_default_dialect_is_2020_12_and_said() -> None:
    report = compare({"type": "string"}, {"type": "string"})
    assert report.dialect == "2020-12 (default)"
    with pytest.raises(ContractFileError) as err:
        compare(EXCLUSIVE_TRUE, EXCLUSIVE_TRUE)
    assert "2020-12 (default)" in err.value.message
    assert "--dialect" in (err.value.fix or "")


def test_draft_04_constructs_are_read_as_draft_04_only_when_chosen() -> None:
    widened = {"type": "number", "maximum": 10}
    report = compare(EXCLUSIVE_TRUE, widened, dialect="draft-04", rules=RuleSet.SEMANTIC)
    assert report.compatible  # < 10 -> <= 10 widens
    assert report.dialect == "draft-04 (--dialect)"
    declared = {"$schema": "http://json-schema.org/draft-04/schema#", **EXCLUSIVE_TRUE}
    narrowed = {**declared, "maximum": 5}
    assert compare(declared, declared).dialect == "draft-04 ($schema)"
    assert not compare(declared, narrowed, rules=RuleSet.SEMANTIC).compatible


def test_dialects_of_each_side_are_reported() -> None:
    old = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}
    report = compare(old, {"type": "string"})
    assert report.dialect == "old draft-07 ($schema), new 2020-12 (default)"
    assert report.to_dict()["dialect"] == report.dialect


def test_an_unknown_schema_uri_is_refused_not_guessed() -> None:
    with pytest.raises(ContractFileError) as err:
        compare({"$schema": "https://example.invalid/mine", "type": "string"}, True)
    assert "unknown $schema" in err.value.message


def test_tuple_items_follow_the_dialect() -> None:
    """``items: [...]`` is a tuple in draft-07 and invalid in 2020-12."""
    old = {"type": "array", "items": [{"type": "string"}]}
    new = {"type": "array", "items": [{"type": "integer"}]}
    assert not compare(old, new, dialect="draft-07", rules=RuleSet.SEMANTIC).compatible
    with pytest.raises(ContractFileError):
        compare(old, new)
