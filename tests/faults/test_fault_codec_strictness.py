"""Issue 16.10: the codec accepted what the released schema rejects.

Reproduces each reported input (``count: "5"``, ``count: true``, timestamps
as integers or digit strings, ``message_id`` as bare hex or ``urn:uuid:``,
unbounded trailing ``=``); each is now a ``MessageDecodeError`` naming the
field, and the released schema agrees it is invalid.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from edu_contracts.errors import MessageDecodeError, NotBase64Error
from edu_contracts.queue import decode
from edu_contracts.registry import PACKAGED_CONTRACTS

_ID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
_SCHEMA = json.loads((PACKAGED_CONTRACTS / "1.0.0/messages/quiz_generation.json").read_text())
_RELEASED = Draft202012Validator(_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _quiz(**envelope: Any) -> dict[str, Any]:
    data = {"project_id": _ID, "user_id": _ID, "document_ids": [str(uuid.uuid4())], "count": 5}
    return {"type": "quiz_generation", "data": data, **envelope}


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({**_quiz(), "data": {**_quiz()["data"], "count": "5"}}, "data.count"),
        ({**_quiz(), "data": {**_quiz()["data"], "count": True}}, "data.count"),
        (_quiz(created_at=1_767_225_600), "created_at"),
        (_quiz(created_at="1767225600"), "created_at"),
        (_quiz(message_id=_ID.replace("-", "")), "message_id"),
        (_quiz(message_id=f"urn:uuid:{_ID}"), "message_id"),
    ],
    ids=["count-string", "count-bool", "ts-int", "ts-digits", "id-bare-hex", "id-urn"],
)
def test_values_the_released_schema_rejects_are_refused(
    document: dict[str, Any], where: str
) -> None:
    assert not _RELEASED.is_valid(document)
    with pytest.raises(MessageDecodeError) as caught:
        decode(base64.b64encode(json.dumps(document).encode()).decode())
    assert caught.value.where == where


def test_unbounded_trailing_padding_is_refused() -> None:
    text = base64.b64encode(json.dumps(_quiz()).encode()).decode().rstrip("=")
    for extra in (3, 10, 10_000):
        with pytest.raises(NotBase64Error, match=r"'='|padding|multiple of 4"):
            decode(text + "=" * extra)
    assert decode(base64.b64encode(json.dumps(_quiz()).encode()).decode()).data.count == 5  # type: ignore[union-attr]
