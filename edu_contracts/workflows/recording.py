"""Recorded messages: what a producer's test run really sent (a message pact).

The pytest plugin appends one JSON object per line for every message that
passes through ``edu_queue`` (``--edu-record``). A producer's CI publishes
the file; a consumer's CI replays it (``edu-contracts can-i-deploy
--producer FILE``, and its own handler tests). Line format (version 1)::

    {"format": 1, "type": "document_processing", "contract_version": "1.0.0",
     "test": "tests/test_upload.py::test_upload", "recorded_at": "<ISO 8601>",
     "body": {...the message as JSON...}}

A message the producer's code put on its queue that does not decode is
recorded too, marked, so that ``can-i-deploy`` fails on it instead of never
hearing of it::

    {"format": 1, "type": null, "test": "...", "recorded_at": "...", "body": null,
     "undecodable": {"error": "NotBase64Error", "detail": "...", "where": "text[3]"},
     "text": "<the queue text, up to 64 KiB>"}

(a reader older than this marking refuses such a line: it fails closed.)

The first line is a header that marks the file as a recording of ours
(``{"format": 1, "edu_contracts": "recording", "run": …}``): ``--edu-record``
overwrites only a file that starts with it (or an older recording's message
line, or an empty file), and refuses anything else instead of emptying it.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edu_contracts._files import parse_json, read_text
from edu_contracts.errors import ContractFileError, UnsafeOperationError

__all__ = [
    "FORMAT",
    "HEADER_KEY",
    "HEADER_VALUE",
    "MAX_LINE_DEPTH",
    "MAX_RECORDING_BYTES",
    "RecordedMessage",
    "Undecodable",
    "header_line",
    "read_recording",
    "record_line",
    "start_recording",
    "undecodable_line",
]

FORMAT = 1
MAX_RECORDING_BYTES = 64 * 2**20
"""A recording holds messages of at most 64 KiB each; 64 MiB is a thousand of the largest."""
MAX_LINE_DEPTH = 64
"""A recorded message is a few levels deep; deeper is hostile, and would exhaust the validator."""


@dataclass(frozen=True)
class Undecodable:
    """Why a recorded queue text is not a message: the decode error, as the test saw it."""

    error: str
    detail: str
    where: str | None
    text: str


@dataclass(frozen=True)
class RecordedMessage:
    type: str
    contract_version: str | None
    test: str
    body: dict[str, Any]
    where: str  # file:line, for findings
    undecodable: Undecodable | None = None
    """Set when the producer sent text that does not decode (``body`` is then ``{}``)."""

    def wire_text(self) -> str:
        """The queue text the producer sent: base64 of the body's JSON (or the raw text)."""
        if self.undecodable is not None:
            return self.undecodable.text
        return base64.b64encode(json.dumps(self.body).encode("utf-8")).decode("ascii")


def record_line(body: dict[str, Any], *, test: str) -> str:
    """One recording line for a message given as its JSON object."""
    return json.dumps(
        {
            "format": FORMAT,
            "type": body.get("type"),
            "contract_version": body.get("contract_version"),
            "test": test,
            "recorded_at": datetime.now(UTC).isoformat(),
            "body": body,
        },
        sort_keys=True,
    )


def undecodable_line(text: str, *, error: str, detail: str, where: str | None, test: str) -> str:
    """One recording line for queue text that did not decode, with the error."""
    return json.dumps(
        {
            "format": FORMAT,
            "type": None,
            "contract_version": None,
            "test": test,
            "recorded_at": datetime.now(UTC).isoformat(),
            "body": None,
            "undecodable": {"error": error, "detail": detail, "where": where},
            "text": text,
        },
        sort_keys=True,
    )


HEADER_KEY, HEADER_VALUE = "edu_contracts", "recording"
_FIRST_LINE_LIMIT = 1 << 20


def header_line(run_id: str) -> str:
    """The first line of every recording: what the file is and which run wrote it."""
    return json.dumps(
        {
            "format": FORMAT,
            HEADER_KEY: HEADER_VALUE,
            "run": run_id,
            "started_at": datetime.now(UTC).isoformat(),
        },
        sort_keys=True,
    )


def _is_header(item: object) -> bool:
    return isinstance(item, dict) and item.get(HEADER_KEY) == HEADER_VALUE


def _is_ours(first_line: str) -> bool:
    """A header, or (a recording from before headers) a recorded-message line."""
    try:
        item = json.loads(first_line)
    except ValueError:
        return False
    if _is_header(item):
        return True
    return (
        isinstance(item, dict)
        and item.get("format") == FORMAT
        and isinstance(item.get("body"), dict)
        and "test" in item
        and "recorded_at" in item
    )


def start_recording(path: Path, run_id: str) -> None:
    """Begin a fresh recording at ``path``, replacing only a recording of ours.

    A file that is not one (or a symlink, a directory, a device) is refused
    with ``UnsafeOperationError`` and left exactly as it was.
    """

    def refuse(why: str) -> UnsafeOperationError:
        return UnsafeOperationError(
            f"refusing to record into {path}: {why}",
            where=str(path),
            fix="pass --edu-record a new file name, or delete the file yourself if it is "
            "not needed; only a recording written by edu-contracts is overwritten",
        )

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise refuse("it is a symbolic link")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("it is not a regular file")
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            first = fh.readline(_FIRST_LINE_LIMIT)
        if first.strip() and not _is_ours(first):
            raise refuse("it exists and is not a recording of edu-contracts")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(header_line(run_id) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_recording(path: Path | str) -> list[RecordedMessage]:
    """Every message of a recording; a bad line is an error naming file and line."""
    source = Path(path)
    text = read_text(
        source,
        limit=MAX_RECORDING_BYTES,
        fix="pass the file written by the producer's `pytest --edu-record=FILE`",
    )
    messages: list[RecordedMessage] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        item = parse_json(line, where=str(source), first_line=number, max_depth=MAX_LINE_DEPTH)
        if isinstance(item, dict) and isinstance(item.get("undecodable"), dict):
            messages.append(_undecodable(item, where))
            continue
        if _is_header(item):
            continue
        if not isinstance(item, dict) or not isinstance(item.get("body"), dict):
            raise ContractFileError(
                "line is not a recorded message (an object with a 'body' object)",
                where=where,
                fix="the file must come from `pytest --edu-record=FILE`",
            )
        if item.get("format", FORMAT) != FORMAT:
            raise ContractFileError(
                f"recording format {item.get('format')!r} is not supported (expected {FORMAT})",
                where=where,
                fix="upgrade edu-contracts to read it",
            )
        version = item.get("contract_version")
        messages.append(
            RecordedMessage(
                type=str(item.get("type")),
                contract_version=version if isinstance(version, str) else None,
                test=str(item.get("test", "")),
                body=item["body"],
                where=where,
            )
        )
    if not messages:
        raise ContractFileError(
            "the recording holds no messages",
            where=str(source),
            fix="run the producer's tests with --edu-record=FILE first",
        )
    return messages


def _undecodable(item: dict[str, Any], where: str) -> RecordedMessage:
    mark = item["undecodable"]
    at = mark.get("where")
    return RecordedMessage(
        type=str(item.get("type") or "undecodable"),
        contract_version=None,
        test=str(item.get("test", "")),
        body={},
        where=where,
        undecodable=Undecodable(
            error=str(mark.get("error") or "MessageDecodeError"),
            detail=str(mark.get("detail") or ""),
            where=at if isinstance(at, str) else None,
            text=str(item.get("text") or ""),
        ),
    )
