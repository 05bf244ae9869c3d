"""Reading and writing contract JSON files so that bad input never becomes a traceback.

Contract files come from git checkouts, CI artefacts and people's editors:
they may be missing, empty, truncated, not UTF-8, enormous or nested deep
enough to exhaust the parser's stack. Each of those is a ``ContractFileError``
naming the file and, where JSON knows it, the line and column.

Files are written in one canonical form (two-space indent, a final newline,
UTF-8) so that their hashes in the lock file do not depend on who wrote them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from edu_contracts.errors import ContractFileError

__all__ = ["MAX_FILE_BYTES", "dump_json", "read_json", "write_json"]

MAX_FILE_BYTES = 8 * 2**20
"""A contract schema is kilobytes; anything over 8 MiB is a wrong file, not a schema."""


def read_json(path: Path, *, expect: type = dict) -> Any:
    """Parse ``path``, which must hold one JSON value of type ``expect``."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContractFileError(
                f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit",
                where=where,
                fix="pass the JSON Schema file itself, not an archive or a data dump",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContractFileError(
            "file not found", where=where, fix="check the path and the current directory"
        ) from None
    except IsADirectoryError:
        raise ContractFileError("is a directory, not a file", where=where) from None
    except OSError as exc:
        raise ContractFileError(f"cannot read file: {exc.strerror}", where=where) from None
    if not raw.strip():
        raise ContractFileError("file is empty", where=where, fix="it must hold one JSON value")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContractFileError(
            f"not UTF-8 (byte {exc.start})", where=where, fix="save the file as UTF-8"
        ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractFileError(
            f"not JSON: {exc.msg}",
            where=f"{where}:{exc.lineno}:{exc.colno}",
            fix="fix the JSON syntax at that line and column",
        ) from None
    except RecursionError:
        raise ContractFileError(
            "JSON nested too deeply to read", where=where, fix="flatten the document"
        ) from None
    if not isinstance(value, expect):
        raise ContractFileError(
            f"expected a JSON {_json_name(expect)}, found a {_json_name(type(value))}",
            where=where,
            fix="a schema or snapshot file holds one JSON object at the top level",
        )
    return value


def _json_name(kind: type) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(kind, "number")


def dump_json(value: Any) -> str:
    """The canonical text of a contract file."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` canonically, replacing the file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(dump_json(value), encoding="utf-8", newline="\n")
    os.replace(tmp, path)
