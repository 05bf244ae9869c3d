"""Soundness of the engine on realistic edits of a pydantic message schema.

Under STRICT and under SEMANTIC: whenever the engine calls an edit
BACKWARD-compatible, every instance the old schema accepts must be
accepted by the new one; we check that with
``jsonschema`` on instances generated from the old schema. For edits it
calls breaking, the finding must carry a counterexample that really is
valid under the old schema and invalid under the new one.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import _message_schema as ms
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from edu_contracts.compat import RuleSet, compare
from edu_contracts.compat.counterexamples import Unsatisfiable, generate, property_names

BASE = ms.base_schema()


def _old_instances(old: dict[str, Any], new: dict[str, Any], rng: random.Random) -> list[Any]:
    check = Draft202012Validator(old)
    names = property_names(old, new)
    found = []
    for i in range(24):
        optional = (0.0, 1.0, 0.5)[i % 3]
        try:
            instance = generate(old, rng, optional=optional, extra_names=names)
        except Unsatisfiable:
            continue
        if check.is_valid(instance):
            found.append(instance)
    return found


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@pytest.mark.parametrize("rules", [RuleSet.STRICT, RuleSet.SEMANTIC])
@given(data=st.data())
def test_compatible_verdicts_are_sound(rules: RuleSet, data: st.DataObject) -> None:
    old = copy.deepcopy(BASE)
    if data.draw(st.booleans(), label="start from an edited schema"):
        data.draw(st.sampled_from(ms.EDITS), label="pre-edit")(old, data.draw(st.randoms()).choice)
    new = copy.deepcopy(old)
    rng = data.draw(st.randoms(use_true_random=False), label="edit choices")
    edits = [data.draw(st.sampled_from(ms.EDITS)) for _ in range(data.draw(st.integers(1, 3)))]
    applied = [edit(new, rng.choice) for edit in edits]
    report = compare(old, new, rules=rules, examples=False)
    if not report.compatible:
        return
    check = Draft202012Validator(new)
    for instance in _old_instances(old, new, rng):
        errors = [e.message for e in check.iter_errors(instance)]
        assert not errors, (applied, instance, errors, [f.change.value for f in report.findings])


BREAKING_EDITS = [
    ("add required field", lambda s: ms.add_required(s, lambda xs: xs[0])),
    ("narrow enum", lambda s: ms.narrow_enum(s, lambda xs: xs[-1])),
    ("retype attempt to string", lambda s: s["properties"].update(attempt={"type": "string"})),
    ("retype attempt to boolean", lambda s: s["properties"].update(attempt={"type": "boolean"})),
    (
        "string becomes uuid",
        lambda s: s["$defs"]["QuizGeneration"]["properties"].update(
            questions={"type": "string", "format": "uuid"}
        ),
    ),
    (
        "title no longer nullable",
        lambda s: s["$defs"]["QuizGeneration"]["properties"].update(title={"type": "string"}),
    ),
    ("nullable off", lambda s: ms.nullable_off(s, lambda xs: xs[-1])),
    ("remove union variant", lambda s: ms.remove_variant(s, lambda xs: xs[0])),
    ("close open envelope", lambda s: ms.close_model(s, lambda xs: xs[0])),
    ("optional field on open model", lambda s: ms.add_optional(s, lambda xs: xs[0])),
    (
        "remove field of closed model",
        lambda s: s["$defs"]["FlashcardGeneration"]["properties"].pop("topics"),
    ),
    ("make optional field required", lambda s: s["required"].append("attempt")),
]


@pytest.mark.parametrize("rules", [RuleSet.STRICT, RuleSet.SEMANTIC])
@pytest.mark.parametrize(("label", "edit"), BREAKING_EDITS, ids=[b[0] for b in BREAKING_EDITS])
def test_breaking_edits_come_with_a_counterexample(label: str, edit: Any, rules: RuleSet) -> None:
    old = copy.deepcopy(BASE)
    new = copy.deepcopy(old)
    edit(new)
    report = compare(old, new, rules=rules)
    assert not report.compatible, label
    examples = [f.example for f in report.breaking if f.example is not None]
    assert examples, [f.change.value for f in report.breaking]
    formats = Draft202012Validator.FORMAT_CHECKER
    for example in examples:
        assert Draft202012Validator(old, format_checker=formats).is_valid(example.instance)
        assert not Draft202012Validator(new, format_checker=formats).is_valid(example.instance)


def test_the_seed_message_validates_against_the_base_schema() -> None:
    """Guards the fixture: instances generated from it must be realistic."""
    instances = _old_instances(BASE, BASE, random.Random(0))
    assert len(instances) >= 10
