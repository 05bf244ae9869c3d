"""Property: the codec accepts exactly what the released contract accepts.

The judge is the released JSON Schema (``_released_oracle``), not our own
models: for messages generated valid and then mutated at one field with
values chosen to sit on the edges of each rule (numbers as strings, booleans
as numbers, integral floats, UUIDs in every spelling ``uuid.UUID`` parses,
timestamps as numbers, digit strings and near-RFC 3339 strings), ``decode``
must succeed exactly when the schema says valid.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from typing import Any

import pytest
from _queue_samples import sample_dict
from _released_oracle import schema_accepts
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from edu_contracts.errors import MessageDecodeError, NotBase64Error
from edu_contracts.queue import decode
from edu_contracts.schemas.queue import TASK_TYPES

SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
_EDGE_VALUES: list[Any] = [
    # integers
    5, 5.0, 1e2, 5.5, "5", True, False, None, 0, -1, 200, 201, 10**30, 1.5e300,
    # UUIDs
    _UUID, _UUID.upper(), _UUID.replace("-", ""), f"urn:uuid:{_UUID}", f"{{{_UUID}}}",
    _UUID[:-1], _UUID + "0", _UUID[:28] + "-" + _UUID[28:-1], " " + _UUID, _UUID + "\n",
    # timestamps
    1_700_000_000, "1700000000", 1.7e9, "2026-01-31T12:00:00Z", "2026-01-31t12:00:00z",
    "2026-01-31 12:00:00Z", "2026-01-31T12:00:00", "2026-01-31", "2026-02-30T00:00:00Z",
    "2026-01-31T12:00:00.123456789+05:30", "2026-01-31T12:00:00+0530", "2026-01-31T24:00:00Z",
    "2026-01-31T12:00:60Z", "0000-01-01T00:00:00Z", "2026-01-31T12:00:00+24:00",
    # strings, enums, arrays
    "", "en", "en\n", "pt-BR", "x" * 300, "easy", "EASY", "brief", [], [_UUID], [_UUID] * 51,
    [_UUID.replace("-", "")], {"nested": 1},
]  # fmt: skip
_FIELDS = [
    ("message_id",),
    ("created_at",),
    ("contract_version",),
    ("correlation_id",),
    ("type",),
    ("data",),
    ("data", "document_id"),
    ("data", "project_id"),
    ("data", "user_id"),
    ("data", "document_ids"),
    ("data", "document_ids", 0),
    ("data", "language"),
    ("data", "count"),
    ("data", "difficulty"),
    ("data", "detail"),
    ("data", "max_depth"),
]
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


_SHARED: dict[str, Any] = {"nested": 1}  # one object set twice, once inside itself


def _valid_document(task_type: str, full: bool) -> dict[str, Any]:
    document = sample_dict(task_type)
    if full:
        document["message_id"] = str(uuid.uuid4())
        document["created_at"] = "2026-01-31T12:00:00.5+01:00"
        document["contract_version"] = "1.0.0"
    return document


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> bool:
    holder: Any = document
    for step in path[:-1]:
        try:
            holder = holder[step]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    if isinstance(holder, dict) and isinstance(last, str):
        holder[last] = value
        return True
    if isinstance(holder, list) and isinstance(last, int) and last < len(holder):
        holder[last] = value
        return True
    return False


def _codec_accepts(raw: bytes) -> bool:
    try:
        decode(base64.b64encode(raw).decode("ascii"))
    except MessageDecodeError:
        return False
    return True


def _same_verdict(document: Any) -> None:
    raw = json.dumps(document).encode("utf-8")
    assert _codec_accepts(raw) == schema_accepts(raw), (
        f"codec says {_codec_accepts(raw)}, released schema says {schema_accepts(raw)} "
        f"for {raw[:300]!r}"
    )


@SETTINGS
@given(st.sampled_from(TASK_TYPES), st.booleans())
def test_generated_valid_messages_pass_both(task_type: str, full: bool) -> None:
    document = _valid_document(task_type, full)
    raw = json.dumps(document).encode()
    assert schema_accepts(raw)
    assert _codec_accepts(raw)


@SETTINGS
@given(
    st.sampled_from(TASK_TYPES),
    st.booleans(),
    st.lists(
        st.tuples(st.sampled_from(_FIELDS), st.sampled_from(_EDGE_VALUES) | _json_values),
        min_size=1,
        max_size=3,
    ),
)
@example("quiz_generation", False, [(("data", "count"), "5")])
@example("quiz_generation", False, [(("data", "count"), True)])
@example("quiz_generation", False, [(("data", "count"), 5.0)])
@example("document_processing", True, [(("created_at",), 1_700_000_000)])
@example("document_processing", True, [(("created_at",), "1700000000")])
@example("document_processing", True, [(("message_id",), _UUID.replace("-", ""))])
@example("document_processing", True, [(("message_id",), f"urn:uuid:{_UUID}")])
@example("note_generation", False, [(("data", "language"), "en\n")])
@example("document_processing", False, [(("data",), _SHARED), (("data", "user_id"), _SHARED)])
def test_mutated_messages_get_the_released_schemas_verdict(
    task_type: str, full: bool, mutations: list[tuple[tuple[Any, ...], Any]]
) -> None:
    document = _valid_document(task_type, full)
    for path, value in mutations:
        # a copy: the edge values are shared objects, and setting one inside itself
        # (data, then data.user_id) made a cycle no JSON document can have
        _set(document, path, copy.deepcopy(value))
    _same_verdict(document)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("data", "count"), "5"),
        (("data", "count"), True),
        (("created_at",), 1_700_000_000),
        (("created_at",), "1700000000"),
        (("message_id",), _UUID.replace("-", "")),
        (("message_id",), f"urn:uuid:{_UUID}"),
    ],
)
def test_the_issues_examples_are_refused_naming_the_field(
    field: tuple[str, ...], value: Any
) -> None:
    document = _valid_document("quiz_generation", True)
    _set(document, field, value)
    raw = json.dumps(document).encode()
    assert not schema_accepts(raw)
    with pytest.raises(MessageDecodeError) as caught:
        decode(base64.b64encode(raw).decode())
    assert caught.value.where == ".".join(field)


@pytest.mark.parametrize("extra", [3, 4, 5, 100])
def test_padding_beyond_two_is_refused(extra: int) -> None:
    text = base64.b64encode(json.dumps(_valid_document("document_processing", False)).encode())
    padded = text.decode().rstrip("=") + "=" * extra
    with pytest.raises(NotBase64Error, match="base64"):
        decode(padded)


def test_canonical_padding_still_decodes() -> None:
    for task_type in TASK_TYPES:
        raw = json.dumps(_valid_document(task_type, True)).encode()
        assert decode(base64.b64encode(raw).decode()).type == task_type
