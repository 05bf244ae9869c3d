"""Property: whatever is on the queue, decode raises only MessageDecodeError.

A consumer's poison handler catches that one class; anything else escaping
``decode`` would crash the worker instead of filing the message.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from _queue_samples import sample_dict, wire
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from edu_contracts.errors import MessageDecodeError
from edu_contracts.queue import decode, encode
from edu_contracts.schemas.queue import MESSAGE_ADAPTER, TASK_TYPES

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)
weird_values = json_values | st.sampled_from(
    ["NaN", float("inf"), 10**400, -(10**400), "", "x" * 300, [[[[[]]]]], {"": {}}]
)


def _decode_or_decode_error(text: str | bytes) -> None:
    error: MessageDecodeError | None = None
    try:
        decode(text)
    except MessageDecodeError as exc:
        error = exc
    if error is not None:
        assert error.message
        assert error.where is None or isinstance(error.where, str)


@SETTINGS
@given(st.text(max_size=300))
@example("")
@example("====")
@example("A===")
def test_random_text(text: str) -> None:
    _decode_or_decode_error(text)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_and_their_base64(data: bytes) -> None:
    _decode_or_decode_error(data)
    _decode_or_decode_error(base64.b64encode(data))
    _decode_or_decode_error(base64.b64encode(data).decode())


@SETTINGS
@given(json_values)
def test_base64_of_random_json(document: Any) -> None:
    _decode_or_decode_error(wire(document))


@SETTINGS
@given(st.sampled_from(TASK_TYPES), json_values)
def test_random_data_under_a_known_type(task_type: str, data: Any) -> None:
    _decode_or_decode_error(wire({"type": task_type, "data": data}))


_NEST = "__deeply_nested__"
_DEEP = "[" * 5_000 + "1" + "]" * 5_000


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _mutate(document: dict[str, Any], path: tuple[Any, ...], action: str, value: Any) -> None:
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "retype":
        parent[key] = value
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{key}_renamed"] = parent.pop(key)
    elif action == "nest":
        parent[key] = _NEST


@SETTINGS
@given(
    st.sampled_from(TASK_TYPES),
    st.data(),
    st.lists(st.sampled_from(["delete", "retype", "rename", "nest"]), min_size=1, max_size=3),
)
def test_mutated_valid_messages(task_type: str, data: st.DataObject, actions: list[str]) -> None:
    document = json.loads(
        MESSAGE_ADAPTER.dump_json(MESSAGE_ADAPTER.validate_python(sample_dict(task_type)))
    )
    for action in actions:
        paths = _paths(document)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        _mutate(document, path, action, copy.deepcopy(data.draw(weird_values)))
    text = json.dumps(document).replace(json.dumps(_NEST), _DEEP)
    _decode_or_decode_error(base64.b64encode(text.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(
    st.sampled_from(TASK_TYPES),
    st.integers(min_value=0, max_value=4000),
    st.binary(min_size=1, max_size=4),
)
def test_corrupted_bytes_of_a_valid_wire_text(task_type: str, position: int, junk: bytes) -> None:
    raw = bytearray(
        base64.b64decode(encode(MESSAGE_ADAPTER.validate_python(sample_dict(task_type))))
    )
    position %= len(raw)
    raw[position : position + len(junk)] = junk
    _decode_or_decode_error(base64.b64encode(bytes(raw)))


@SETTINGS
@given(st.sampled_from(TASK_TYPES))
def test_every_kind_round_trips_and_re_encodes_identically(task_type: str) -> None:
    message = MESSAGE_ADAPTER.validate_python(sample_dict(task_type))
    text = encode(message)
    assert decode(text) == message
    assert encode(decode(text)) == text
