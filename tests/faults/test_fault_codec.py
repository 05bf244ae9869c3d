"""100,000 malformed and mutated queue texts: decoded, or a MessageDecodeError.

``decode`` is a trust boundary: a consumer's poison handling catches
``MessageDecodeError`` and nothing else, so any other exception would crash
a worker on one bad message. Two passes: a fast seeded mutation generator
for volume, and a smaller Hypothesis run for inputs nobody thought of.
"""

from __future__ import annotations

import base64
import collections
import json
import time
from typing import Any

import pytest
from _mutations import MutationGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edu_contracts.errors import MessageDecodeError
from edu_contracts.queue import decode, encode
from edu_contracts.schemas.queue import MESSAGE_MODELS, TASK_TYPES

TOTAL = 100_000
SEED = 20_260_101


def classify(text: Any) -> tuple[str, object]:
    """``("decoded", message)`` or ``(error class name, error)``; other exceptions propagate."""
    try:
        message = decode(text)
    except MessageDecodeError as exc:
        return type(exc).__name__, exc
    return "decoded", message


def test_100k_mutated_texts_decode_or_raise_only_message_decode_errors(
    record_property: pytest.RecordProperty,
) -> None:
    outcomes: collections.Counter[str] = collections.Counter()
    by_mutation: collections.Counter[tuple[str, str]] = collections.Counter()
    foreign: list[tuple[str, str, str]] = []
    unstable: list[str] = []
    started = time.perf_counter()
    for name, text in MutationGenerator(SEED).generate(TOTAL):
        try:
            outcome, value = classify(text)
        except Exception as exc:  # the failure this test exists to find
            foreign.append((name, f"{type(exc).__name__}: {exc}"[:200], repr(text)[:200]))
            continue
        outcomes[outcome] += 1
        by_mutation[(name, outcome)] += 1
        if outcome == "decoded":
            # what decoded must survive a round trip unchanged
            if decode(encode(value)) != value:  # type: ignore[arg-type]
                unstable.append(repr(text)[:200])
        else:
            assert isinstance(value, MessageDecodeError)
            assert value.message, f"{outcome} without a message for {name}"
    elapsed = time.perf_counter() - started

    summary = ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items()))
    print(f"\ncodec fuzz: {TOTAL} inputs in {elapsed:.1f} s: {summary}")
    record_property("codec_fuzz_outcomes", dict(outcomes))
    assert not foreign, f"{len(foreign)} inputs raised a foreign exception, first: {foreign[:5]}"
    assert not unstable, f"decoded messages that do not round-trip: {unstable[:5]}"
    assert sum(outcomes.values()) == TOTAL
    # the generator must actually exercise both sides and every decode stage
    assert outcomes["decoded"] > 1_000
    for stage in (
        "NotBase64Error",
        "NotJSONError",
        "NotAnObjectError",
        "UnknownTaskTypeError",
        "PayloadInvalidError",
        "MessageTooLargeError",
    ):
        assert outcomes[stage] > 0, f"no input reached {stage}: {summary}"


def _wire(document: Any) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode("ascii")


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_data_keys = st.sampled_from(
    [
        "document_id",
        "project_id",
        "user_id",
        "document_ids",
        "language",
        "count",
        "difficulty",
        "detail",
        "max_depth",
    ]
)
_near_valid = st.fixed_dictionaries(
    {
        "type": st.sampled_from(TASK_TYPES) | st.text(max_size=20),
        "data": st.dictionaries(
            _data_keys,
            st.uuids().map(str) | st.lists(st.uuids().map(str), max_size=3) | _json_values,
            max_size=6,
        ),
    },
    optional={"message_id": st.uuids().map(str) | _json_values, "created_at": _json_values},
)
_inputs = st.one_of(
    st.text(),
    st.binary(),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
    _json_values.map(_wire),
    _near_valid.map(_wire),
)


@settings(
    max_examples=1_500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_inputs)
def test_hypothesis_inputs_decode_or_raise_only_message_decode_errors(text: str | bytes) -> None:
    outcome, value = classify(text)
    if outcome == "decoded":
        assert type(value) in MESSAGE_MODELS.values()
    else:
        assert isinstance(value, MessageDecodeError)
