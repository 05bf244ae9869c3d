"""The public surface of edu_contracts.compat: modes, history, references, reports."""

from __future__ import annotations

import json
from typing import Any

import pytest

import edu_contracts.compat as compat
from edu_contracts.compat import (
    ChangeKind,
    CompatibilityMode,
    Direction,
    RuleSet,
    compare,
    compare_history,
)
from edu_contracts.errors import ConfigurationError, ContractFileError
from edu_contracts.findings.model import Report, Subject, Verdict
from edu_contracts.findings.render import render_text

OBJ: dict[str, Any] = {
    "type": "object",
    "properties": {"a": {"type": "string"}},
    "required": ["a"],
    "additionalProperties": False,
}


def _with(**props: Any) -> dict[str, Any]:
    return {**OBJ, "properties": {**OBJ["properties"], **props}}


def _kinds(report: compat.Report) -> set[ChangeKind]:
    return {f.change for f in report.findings}


def test_exports_are_exactly_the_public_api() -> None:
    assert compat.__all__ == sorted(compat.__all__)
    assert set(compat.__all__) == {
        "ChangeKind",
        "CompatibilityMode",
        "Counterexample",
        "Direction",
        "Finding",
        "Report",
        "RuleSet",
        "compare",
        "compare_history",
    }


@pytest.mark.parametrize(
    ("mode", "transitive", "directions"),
    [
        (CompatibilityMode.BACKWARD, False, (Direction.BACKWARD,)),
        (CompatibilityMode.FORWARD_TRANSITIVE, True, (Direction.FORWARD,)),
        (CompatibilityMode.FULL, False, (Direction.BACKWARD, Direction.FORWARD)),
        (CompatibilityMode.FULL_TRANSITIVE, True, (Direction.BACKWARD, Direction.FORWARD)),
        (CompatibilityMode.NONE, False, ()),
    ],
)
def test_modes_say_what_they_check(
    mode: CompatibilityMode, transitive: bool, directions: tuple[Direction, ...]
) -> None:
    assert mode.transitive is transitive
    assert mode.directions == directions


def test_optional_field_on_closed_model_is_backward_but_not_forward() -> None:
    new = _with(b={"type": "integer"})
    assert compare(OBJ, new).compatible
    forward = compare(OBJ, new, CompatibilityMode.FORWARD)
    assert not forward.compatible
    (finding,) = forward.breaking
    assert finding.change is ChangeKind.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
    assert finding.direction is Direction.FORWARD
    assert finding.breaks == "old readers of new data"
    assert finding.pointer == "#/properties/b"
    assert not compare(OBJ, new, CompatibilityMode.FULL).compatible


def test_open_model_addition_is_strict_breaking_and_lenient_fine() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    strict = compare(old, new)
    assert not strict.compatible
    assert strict.breaking[0].change is ChangeKind.OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
    assert strict.breaking[0].example is not None
    assert compare(old, new, rules=RuleSet.LENIENT).compatible


def test_none_accepts_anything() -> None:
    report = compare(OBJ, {"type": "string"}, CompatibilityMode.NONE)
    assert report.compatible
    assert report.findings == ()


def test_history_non_transitive_looks_at_the_latest_only() -> None:
    v1 = _with(b={"type": "integer"})
    v2 = OBJ
    v3 = _with(b={"type": "string"})  # breaks v1's b, fine against v2 (closed model)
    assert compare_history([v1, v2], v3, CompatibilityMode.BACKWARD).compatible
    transitive = compare_history([v1, v2], v3, CompatibilityMode.BACKWARD_TRANSITIVE)
    assert not transitive.compatible
    assert {f.against for f in transitive.breaking} == {0}


def test_history_must_be_a_sequence() -> None:
    with pytest.raises(ConfigurationError) as err:
        compare_history(OBJ, OBJ)  # type: ignore[arg-type]
    assert err.value.fix


def test_empty_history_is_compatible() -> None:
    assert compare_history([], OBJ).compatible


def test_nullable_off_has_null_as_counterexample() -> None:
    old = _with(n={"anyOf": [{"type": "string"}, {"type": "null"}]})
    new = _with(n={"type": "string"})
    report = compare(old, new)
    assert not report.compatible
    examples = [f.example for f in report.breaking if f.example is not None]
    assert examples
    assert examples[0].instance["n"] is None


def test_const_widened_to_enum_is_an_extension() -> None:
    old = _with(kind={"const": "a", "type": "string"})
    new = _with(kind={"enum": ["a", "b"], "type": "string"})
    report = compare(old, new)
    assert report.compatible
    assert ChangeKind.ENUM_ARRAY_EXTENDED in _kinds(report)


def test_enum_narrowed_inside_a_definition_is_named_precisely() -> None:
    defs = {"Color": {"type": "string", "enum": ["red", "blue"]}}
    old = {"$defs": defs, **_with(c={"$ref": "#/$defs/Color"})}
    new_defs = {"Color": {"type": "string", "enum": ["red"]}}
    new = {"$defs": new_defs, **_with(c={"$ref": "#/$defs/Color"})}
    report = compare(old, new)
    assert not report.compatible
    narrowed = [f for f in report.findings if f.change is ChangeKind.ENUM_ARRAY_NARROWED]
    assert narrowed
    assert narrowed[0].pointer == "#/properties/c/enum"
    assert "blue" in narrowed[0].message


def test_relative_refs_resolve_against_embedded_ids() -> None:
    def schema(leaf: str) -> dict[str, Any]:
        return {
            "$id": "https://example.test/schemas/message.json",
            "type": "object",
            "properties": {"x": {"$ref": "parts/leaf.json"}, "y": {"$ref": "#flag"}},
            "$defs": {
                "leaf": {"$id": "parts/leaf.json", "type": leaf},
                "flag": {"$anchor": "flag", "type": "boolean"},
            },
        }

    assert compare(schema("string"), schema("string")).findings == ()
    report = compare(schema("string"), schema("integer"))
    assert [(f.change, f.pointer) for f in report.breaking] == [
        (ChangeKind.TYPE_CHANGED, "#/properties/x")
    ]


def test_draft7_definitions_and_dependencies() -> None:
    old = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"n": {"type": "number", "maximum": 5, "exclusiveMaximum": 9}},
        "properties": {"a": {"$ref": "#/definitions/n"}},
        "dependencies": {"a": ["b"]},
    }
    new = json.loads(json.dumps(old))
    new["dependencies"] = {}
    assert compare(old, new).compatible
    assert compare(new, old).breaking[0].change is ChangeKind.DEPENDENCY_ARRAY_ADDED


def _tree(leaf: str) -> dict[str, Any]:
    return {
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "value": {"type": leaf},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                    "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]},
                },
            }
        },
    }


def test_recursive_schemas_terminate_and_still_find_deep_changes() -> None:
    assert compare(_tree("string"), _tree("string")).findings == ()
    report = compare(_tree("string"), _tree("integer"), examples=False)
    assert not report.compatible
    assert report.breaking[0].pointer == "#/properties/value"


def test_unresolvable_ref_says_where_and_how_to_fix() -> None:
    broken = {"properties": {"a": {"$ref": "other.json#/x"}}}
    with pytest.raises(ContractFileError) as err:
        compare(broken, broken)
    assert err.value.where == "old schema #/properties/a"
    assert err.value.fix is not None
    assert "self-contained" in err.value.fix


def test_unknown_type_is_a_contract_file_error() -> None:
    with pytest.raises(ContractFileError, match="not a valid JSON Schema") as info:
        compare({"type": "strng"}, {"type": "string"})
    assert info.value.where == "old schema #/type"


def test_non_schema_input_is_refused() -> None:
    with pytest.raises(ContractFileError):
        compare([], {})  # type: ignore[arg-type]


def test_report_dict_is_json_and_puts_breaking_first() -> None:
    new = {**_with(b={"type": "integer"}), "required": ["a", "b"], "title": "Changed"}
    data = compare(OBJ, new).to_dict()
    json.dumps(data)
    assert set(data) == {"format", "mode", "rules", "dialect", "compatible", "summary", "findings"}
    assert data["compatible"] is False
    assert data["summary"] == {"findings": len(data["findings"]), "breaking": 1}
    first = data["findings"][0]
    assert first["compatible"] is False
    assert set(first) == {
        "change",
        "pointer",
        "message",
        "breaks",
        "direction",
        "safe_path",
        "compatible",
        "example",
        "against",
    }
    assert all(f["compatible"] for f in data["findings"][1:])


def test_every_finding_explains_itself() -> None:
    new = {"type": "object", "properties": {"a": {"type": "integer", "minimum": 3}}}
    for finding in compare(OBJ, new, CompatibilityMode.FULL).findings:
        assert finding.message
        assert "?" not in finding.message
        assert finding.safe_path


def _verdict(report: Report, title: str) -> Verdict:
    return Verdict("compat", title, (Subject("schema", report.mode, ("v1",), report),))


def test_render_text_shows_verdict_and_changes() -> None:
    text = render_text(_verdict(compare(OBJ, _with(a={"type": "integer"})), "v1 -> v2"))
    assert "BREAKING" in text
    assert "TYPE_CHANGED" in text
    assert "v1 -> v2" in text
    assert "v1 -> v2: incompatible" in text
    assert "same: compatible" in render_text(_verdict(compare(OBJ, OBJ), "same"))


def test_examples_can_be_skipped_for_speed() -> None:
    report = compare(OBJ, _with(a={"type": "integer"}), examples=False)
    assert all(f.example is None for f in report.findings)
