"""Poison records: the original text survives whole, however large."""

from __future__ import annotations

import json

import pytest

from edu_contracts.errors import MessageDecodeError
from edu_contracts.queue import MAX_MESSAGE_TEXT_SIZE, PoisonReason, PoisonRecord
from edu_contracts.queue.poison import POISON_FORMAT, assemble, decode_poison, encode_poison


def _record(raw: str) -> PoisonRecord:
    return PoisonRecord(
        reason=PoisonReason.UNDECODABLE,
        error="NotBase64Error",
        detail="queue text is not base64",
        where="text[0]",
        queue="edu-tasks",
        original_message_id="m-1",
        dequeue_count=1,
        raw_text=raw,
    )


def test_a_small_record_is_one_plain_json_message() -> None:
    record = _record("garbage!")
    texts = encode_poison(record)
    assert len(texts) == 1
    document = json.loads(texts[0])
    assert document["format"] == POISON_FORMAT
    assert document["raw_text"] == "garbage!"
    assert (document["part"], document["parts"]) == (1, 1)
    assert decode_poison(texts[0]) == record


@pytest.mark.parametrize(
    "raw",
    ["A" * MAX_MESSAGE_TEXT_SIZE, "\x01" * MAX_MESSAGE_TEXT_SIZE, "é𝄞" * 20_000, ""],
    ids=["max-base64", "escapes-6x", "multibyte", "empty"],
)
def test_any_original_is_split_to_fit_and_reassembles_exactly(raw: str) -> None:
    record = _record(raw)
    texts = encode_poison(record)
    assert all(len(t.encode("utf-8")) <= MAX_MESSAGE_TEXT_SIZE for t in texts)
    parts = [decode_poison(text) for text in reversed(texts)]
    assert {p.parts for p in parts} == {len(texts)}
    (whole,) = assemble(parts)
    assert whole.raw_text == raw
    assert (whole.part, whole.parts) == (1, 1)


def test_incomplete_parts_are_returned_as_found() -> None:
    texts = encode_poison(_record("\x01" * MAX_MESSAGE_TEXT_SIZE))
    assert len(texts) > 1
    found = assemble([decode_poison(texts[0])])
    assert len(found) == 1
    assert found[0].parts == len(texts)


def test_a_foreign_message_is_a_decode_error() -> None:
    with pytest.raises(MessageDecodeError, match="not a poison record") as caught:
        decode_poison("eyJ0eXBlIjogIngifQ==")
    assert caught.value.where == "poison record"
