"""The wire codec: every failure is the right MessageDecodeError, saying where."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from _queue_samples import all_samples, sample_dict, wire
from azure.storage.queue import TextBase64EncodePolicy

from edu_contracts.errors import (
    MessageDecodeError,
    MessageEncodeError,
    MessageTooLargeError,
    NotAnObjectError,
    NotBase64Error,
    NotJSONError,
    PayloadInvalidError,
    UnknownTaskTypeError,
)
from edu_contracts.queue import MAX_MESSAGE_TEXT_SIZE, decode, encode
from edu_contracts.schemas.queue import (
    MESSAGE_ADAPTER,
    TASK_TYPES,
    DocumentProcessingMessage,
    QueueTaskMessage,
)

SEED = {
    "type": "document_processing",
    "data": {
        "document_id": str(uuid.uuid4()),
        "project_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
    },
}


def test_the_seed_example_decodes() -> None:
    message = decode(wire(SEED))
    assert isinstance(message, DocumentProcessingMessage)
    assert str(message.data.user_id) == SEED["data"]["user_id"]


def test_bytes_decode_like_text() -> None:
    assert decode(wire(SEED).encode("ascii")).data == decode(wire(SEED)).data


@pytest.mark.parametrize("message", all_samples(), ids=lambda m: m.type)
def test_every_kind_round_trips(message: QueueTaskMessage) -> None:
    text = encode(message)
    assert decode(text) == message
    assert json.loads(base64.b64decode(text, validate=True))["type"] == message.type


def test_encoding_is_base64_of_utf8_json_as_the_sdk_base64_policy_would_send() -> None:
    """A producer using the SDK's TextBase64EncodePolicy on a JSON string interoperates."""
    message = all_samples()[0]
    document = message.model_dump_json()
    assert encode(message) == TextBase64EncodePolicy().encode(document)
    assert decode(TextBase64EncodePolicy().encode(json.dumps(sample_dict("quiz_generation"))))


def test_non_ascii_survives_the_round_trip() -> None:
    message = MESSAGE_ADAPTER.validate_python({**SEED, "correlation_id": "überprüfung-✓-𝄞"})
    assert decode(encode(message)).correlation_id == "überprüfung-✓-𝄞"


def _raises(text: str | bytes, kind: type[MessageDecodeError], where: str | None) -> str:
    with pytest.raises(kind) as caught:
        decode(text)
    assert type(caught.value) is kind
    assert caught.value.where == where
    assert caught.value.fix
    return caught.value.message


def test_not_base64_names_the_first_bad_character() -> None:
    _raises("eyJh!mIi", NotBase64Error, "text[4]")
    _raises("é" + wire(SEED), NotBase64Error, "text[0]")
    _raises(b"\x00\xff", NotBase64Error, "text[0]")


def test_not_base64_when_truncated() -> None:
    message = _raises(wire(SEED)[:-1], NotBase64Error, "text")
    assert "multiple of 4" in message


def test_raw_json_without_base64_is_not_base64() -> None:
    _raises(json.dumps(SEED), NotBase64Error, "text[0]")


def test_not_utf8_says_which_byte() -> None:
    text = base64.b64encode(b'{"type": "\xff"}').decode()
    message = _raises(text, NotJSONError, "json byte 10")
    assert "UTF-8" in message


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        (b'{"type": ', "json line 1 column 9"),
        (b'{"type": "x"} trailing', "json line 1 column 15"),
        (b"[" * 10_000, "json line 1 column 202"),
        (b'{"n": 1' + b"0" * 5000 + b"}", "json line 1 column 4308"),
        (b"\xef\xbb\xbf{}", "json line 1 column 1"),
    ],
    ids=["truncated", "trailing", "deep", "huge-int", "bom"],
)
def test_not_json_says_where(payload: bytes, where: str) -> None:
    _raises(base64.b64encode(payload).decode(), NotJSONError, where)


def test_empty_text_is_not_json() -> None:
    _raises("", NotJSONError, "text")


@pytest.mark.parametrize("document", [[SEED], "text", 42, None, True], ids=repr)
def test_not_an_object(document: Any) -> None:
    _raises(wire(document), NotAnObjectError, "$")


def test_missing_type() -> None:
    message = _raises(wire({"data": SEED["data"]}), UnknownTaskTypeError, "type")
    assert "document_processing" in message


@pytest.mark.parametrize("tag", ["pdf_processing", "", 7, None, ["document_processing"]])
def test_unknown_type_names_the_known_ones(tag: Any) -> None:
    message = _raises(wire({**SEED, "type": tag}), UnknownTaskTypeError, "type")
    assert all(task_type in message for task_type in TASK_TYPES)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"data": {**SEED["data"], "user_id": "not-a-uuid"}}, "data.user_id"),
        ({"data": {k: v for k, v in SEED["data"].items() if k != "project_id"}}, "data.project_id"),
        ({"data": None}, "data"),
        ({"data": "x"}, "data"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": "2024-01-01T00:00:00"}, "created_at"),
        ({"message_id": 12}, "message_id"),
    ],
)
def test_payload_invalid_uses_field_paths(change: dict[str, Any], where: str) -> None:
    _raises(wire({**SEED, **change}), PayloadInvalidError, where)


def test_payload_invalid_indexes_into_lists_and_lists_several_errors() -> None:
    document = sample_dict("quiz_generation")
    document["data"]["document_ids"][1] = "nope"
    document["data"]["count"] = 0
    message = _raises(wire(document), PayloadInvalidError, "data.document_ids[1]")
    assert "data.count" in message


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
def test_non_finite_numbers_are_payload_errors(number: str) -> None:
    document = json.dumps(sample_dict("quiz_generation")).replace(
        '"count": 7', f'"count": {number}'
    )
    _raises(base64.b64encode(document.encode()).decode(), PayloadInvalidError, "data.count")


def test_decode_refuses_text_over_the_azure_limit_before_decoding_it() -> None:
    _raises("A" * (MAX_MESSAGE_TEXT_SIZE + 4), MessageTooLargeError, "text")
    _raises("é" * (MAX_MESSAGE_TEXT_SIZE // 2 + 1), MessageTooLargeError, "text")


def test_decode_of_a_non_text_object_is_a_decode_error() -> None:
    _raises(12, NotBase64Error, "text")  # type: ignore[arg-type]


def test_encode_refuses_what_is_not_a_task_model() -> None:
    with pytest.raises(MessageEncodeError, match="only QueueTaskMessage models"):
        encode(SEED)  # type: ignore[arg-type]


def test_encode_refuses_a_message_over_64_kib_on_the_wire() -> None:
    big = MESSAGE_ADAPTER.validate_python({**SEED, "correlation_id": "x" * 200})
    huge = big.model_copy(update={"correlation_id": "x" * 50_000})  # bypasses max_length
    with pytest.raises(MessageTooLargeError) as caught:
        encode(huge)
    assert caught.value.where == "message"
    assert isinstance(caught.value, MessageDecodeError | MessageEncodeError)
    assert len(encode(big)) <= MAX_MESSAGE_TEXT_SIZE
