"""The wire codec: ``QueueTaskMessage`` <-> the text an Azure Storage Queue carries.

The text is base64 of the message's UTF-8 JSON, the format ``edu-api`` and
``edu-worker`` agreed on (it is also what the Azure SDKs' base64 policies
produce, so a producer using ``TextBase64EncodePolicy`` interoperates).

``decode`` is a trust boundary: its input may be anything anyone put on the
queue. It therefore fails only with ``MessageDecodeError`` subclasses, each
naming the stage that failed and where, so that a poison handler can file
the message with a reason instead of crashing a worker. The happy path is one
base64 decode plus one ``TypeAdapter.validate_json`` (no intermediate
``json.loads`` dict); the error paths may be slower to explain themselves.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from collections.abc import Sequence
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticSerializationError

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
from edu_contracts.schemas.queue import (
    MESSAGE_ADAPTER,
    MESSAGE_MODELS,
    TASK_TYPES,
    QueueTaskMessage,
)

__all__ = ["MAX_MESSAGE_TEXT_SIZE", "decode", "decode_json", "encode"]

MAX_MESSAGE_TEXT_SIZE: Final = 64 * 1024
"""Azure Storage Queue's limit on a message's text, in bytes (base64 is ASCII)."""

_MESSAGE_CLASSES: Final = tuple(MESSAGE_MODELS.values())
_BASE64_ALPHABET: Final = re.compile(rb"[^A-Za-z0-9+/=]")
_BASE64_CHARS: Final = frozenset(string.ascii_letters + string.digits + "+/=")
_MAX_LISTED_ERRORS: Final = 5
_TOO_LARGE_FIX: Final = (
    "keep large content out of the message: store it (blob, database row) and "
    "send its id; messages should carry references, not documents"
)


def encode(message: QueueTaskMessage) -> str:
    """Return the queue text for ``message``: base64 of its UTF-8 JSON.

    Refuses, before anything is sent, an object that is not one of the task
    models (a dict would serialise but skip validation) and a message whose
    text would exceed the 64 KiB limit (Azure would reject it later, with a
    less helpful error and after part of a batch had gone out).
    """
    if not isinstance(message, _MESSAGE_CLASSES):
        raise MessageEncodeError(
            f"cannot encode a {type(message).__name__}: "
            "only QueueTaskMessage models go on the queue",
            where="message",
            fix="build the message with one of the models in edu_contracts.schemas.queue "
            "(e.g. DocumentProcessingMessage(data=...)) or MESSAGE_ADAPTER.validate_python(...)",
        )
    try:
        payload = message.__pydantic_serializer__.to_json(message)
    except PydanticSerializationError as exc:
        raise MessageEncodeError(
            f"cannot serialise {message.type} message: {exc}",
            where="message",
            fix="build messages through validation (the model constructor), "
            "not model_construct(), so every field has a JSON-able value",
        ) from exc
    text = base64.b64encode(payload).decode("ascii")
    if len(text) > MAX_MESSAGE_TEXT_SIZE:
        raise MessageTooLargeError(
            f"{message.type} message is {len(text)} bytes on the wire, over the "
            f"{MAX_MESSAGE_TEXT_SIZE}-byte Azure Storage Queue limit",
            where="message",
            fix=_TOO_LARGE_FIX,
        )
    return text


def decode(text: str | bytes) -> QueueTaskMessage:
    """Turn queue text back into a validated message, or say precisely why not.

    Raises only ``MessageDecodeError`` subclasses, by stage: too large,
    not base64, not UTF-8 JSON, not an object, missing or unknown ``type``,
    invalid payload (``where`` is the field path, e.g. ``data.user_id``).
    """
    return decode_json(_from_base64(text))


def decode_json(raw: bytes) -> QueueTaskMessage:
    """The second half of ``decode``: JSON bytes (already off the wire) to a message.

    For messages that never were base64 (a recording, a golden example), so
    nobody encodes them only to have them decoded again. Same errors as
    ``decode`` from the JSON stage on.
    """
    if not raw:
        raise NotJSONError(
            "queue text is empty",
            where="text",
            fix="producers must send base64 of a JSON object; an empty message carries no task",
        )
    try:
        return MESSAGE_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        raise _explain(exc, raw) from exc
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        # validate_json reports everything as ValidationError today; this net
        # keeps the "only MessageDecodeError" promise if a validator ever leaks.
        raise PayloadInvalidError(
            f"message could not be validated: {type(exc).__name__}: {exc}",
            fix="check the producer's payload against message_json_schema()",
        ) from exc


def _from_base64(text: str | bytes) -> bytes:
    """Check the size and strictly undo base64; strict so garbage is caught here."""
    if not isinstance(text, str | bytes):
        raise NotBase64Error(
            f"queue text must be str or bytes, not {type(text).__name__}",
            where="text",
            fix="pass the message text exactly as received from the queue",
        )
    if isinstance(text, bytes) or text.isascii():  # isascii() is O(1) on str
        size = len(text)
    else:
        size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_TEXT_SIZE:
        raise MessageTooLargeError(
            f"queue text is {size} bytes, over the {MAX_MESSAGE_TEXT_SIZE}-byte limit",
            where="text",
            fix=_TOO_LARGE_FIX,
        )
    try:
        # Canonical base64 only: whole quads, at most two '='. b64decode(validate=True)
        # takes any number of trailing '=', and strict_mode still takes them after a
        # complete quad, so the length and the tail are checked here first. An ASCII
        # str goes to binascii as it is (no copy); any other str raises ValueError.
        tail = text[-3:]
        if len(text) % 4 or tail == "===" or tail == b"===":
            raise binascii.Error("not canonical")
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise NotBase64Error(
            f"queue text is not base64: {_base64_problem(text)}",
            where=_base64_where(text),
            fix="producers must send base64 of UTF-8 JSON: use edu_contracts.queue.encode, "
            "or the Azure SDK's TextBase64EncodePolicy with a JSON string",
        ) from exc


def _base64_problem(text: str | bytes) -> str:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if _BASE64_ALPHABET.search(data):
        return "it contains characters outside the base64 alphabet"
    if len(data) % 4:
        return f"its length {len(data)} is not a multiple of 4 (truncated or unpadded)"
    body = data.rstrip(b"=")
    if b"=" not in body and len(data) - len(body) > 2:
        return f"it ends in {len(data) - len(body)} '=' (base64 pads with at most 2)"
    return "padding ('=') appears before the end"


def _base64_where(text: str | bytes) -> str:
    chars = text if isinstance(text, str) else text.decode("latin-1")
    for index, char in enumerate(chars):
        if char not in _BASE64_CHARS:
            return f"text[{index}]"
    return "text"


def _explain(exc: ValidationError, raw: bytes) -> MessageDecodeError:
    """Map pydantic's errors to the one decode error a consumer can act on."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0] if errors else None
    kind = first["type"] if first else ""
    if kind == "json_invalid":
        return _not_json(raw, first)
    if first is not None and not first["loc"] and kind in {"dict_type", "model_type"}:
        return NotAnObjectError(
            f"message JSON is {_json_kind(raw)}, not an object",
            where="$",
            fix='send a JSON object: {"type": "<task type>", "data": {...}}',
        )
    if kind == "union_tag_not_found":
        return UnknownTaskTypeError(
            f"message has no 'type' field; known types: {', '.join(TASK_TYPES)}",
            where="type",
            fix=f"set 'type' to one of: {', '.join(TASK_TYPES)}",
        )
    if kind == "union_tag_invalid" and first is not None:
        tag = _ctx(first, "tag")
        return UnknownTaskTypeError(
            f"unknown task type {tag!r}; known types: {', '.join(TASK_TYPES)}",
            where="type",
            fix="use a known type, or upgrade this consumer to the contract version "
            "that introduced it",
        )
    return PayloadInvalidError(
        _describe_payload_errors(errors),
        where=_path(first) if first else None,
        fix="check the producer's payload against message_json_schema() for its type",
    )


def _not_json(raw: bytes, error: ErrorDetails | None) -> NotJSONError:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return NotJSONError(
            f"base64 content is not UTF-8: {exc.reason}",
            where=f"json byte {exc.start}",
            fix="encode the JSON text as UTF-8 before base64",
        )
    detail = str(_ctx(error, "error")) if error else "invalid"
    position = re.search(r"line \d+ column \d+", detail)
    return NotJSONError(
        f"base64 content is not JSON: {detail}",
        where=f"json {position.group(0)}" if position else "json",
        fix="send base64 of a JSON object; check the producer's serialiser",
    )


def _json_kind(raw: bytes) -> str:
    first = raw.lstrip()[:1]
    return {
        b"[": "an array",
        b'"': "a string",
        b"t": "a boolean",
        b"f": "a boolean",
        b"n": "null",
    }.get(first, "a number")


def _ctx(error: ErrorDetails | None, key: str) -> Any:
    ctx = error.get("ctx") if error else None
    return ctx.get(key) if ctx else None


def _path(error: ErrorDetails) -> str:
    """``('quiz_generation', 'data', 'count')`` -> ``data.count``: drop the tag."""
    loc: Sequence[int | str] = error["loc"]
    if loc and loc[0] in MESSAGE_MODELS:
        loc = loc[1:]
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return text.removeprefix(".") or "$"


def _describe_payload_errors(errors: list[ErrorDetails]) -> str:
    tag = errors[0]["loc"][0] if errors and errors[0]["loc"] else "message"
    lines = [f"{_path(e)}: {e['msg']}" for e in errors[:_MAX_LISTED_ERRORS]]
    more = len(errors) - _MAX_LISTED_ERRORS
    if more > 0:
        lines.append(f"... and {more} more")
    return f"invalid {tag} message: " + "; ".join(lines)
