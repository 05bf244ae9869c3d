"""validate_message: errors name the field of the task kind, not the union."""

from __future__ import annotations

import uuid

from edu_contracts.registry.validate import validate_message


def _body() -> dict[str, object]:
    ids = {k: str(uuid.uuid4()) for k in ("document_id", "project_id", "user_id")}
    return {"type": "document_processing", "data": ids}


def test_valid_message_has_no_violations() -> None:
    assert validate_message(_body(), "1.0.0") == []


def test_missing_field_is_named_with_its_rule() -> None:
    body = _body()
    del body["data"]["user_id"]  # type: ignore[attr-defined]
    (violation,) = validate_message(body, "1.0.0")
    assert violation.pointer == "#/data"
    assert violation.rule == "required"
    assert "'user_id' is a required property" in violation.message


def test_wrong_type_points_at_the_field() -> None:
    body = _body()
    body["data"]["project_id"] = 42  # type: ignore[index]
    assert [v.pointer for v in validate_message(body, "1.0.0")] == ["#/data/project_id"]


def test_unknown_kind_lists_the_known_ones() -> None:
    (violation,) = validate_message({"type": "telepathy", "data": {}}, "1.0.0")
    assert violation.pointer == "#/type"
    assert "document_processing" in violation.message


def test_missing_type_falls_back_to_the_union() -> None:
    assert validate_message({"data": {}}, "1.0.0")
