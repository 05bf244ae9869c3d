"""Reading and writing contract JSON files so that bad input never becomes a traceback.

Contract files come from git checkouts, CI artefacts and people's editors:
they may be missing, empty, truncated, not UTF-8, enormous, nested deep
enough to exhaust the parser's stack, or not files at all (a pipe, a link to
a device). Each of those is a ``ContractFileError`` naming the file and,
where JSON knows it, the line and column. The bounded, type-checked reading
itself is :mod:`edu_contracts._files`, shared by every command.

Files are written in one canonical form (two-space indent, a final newline,
UTF-8) so that their hashes in the lock file do not depend on who wrote them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from edu_contracts._files import parse_json, read_text, write_text_atomic
from edu_contracts.errors import ContractFileError

__all__ = ["MAX_FILE_BYTES", "dump_json", "read_json", "write_json"]

MAX_FILE_BYTES = 8 * 2**20
"""A contract schema is kilobytes; anything over 8 MiB is a wrong file, not a schema."""


def read_json(path: Path, *, expect: type = dict, inside: Path | None = None) -> Any:
    """Parse ``path``, which must hold one JSON value of type ``expect``.

    ``inside`` names the guarded tree the file must sit in with no symlink on
    the way (the released contracts); without it any regular file is read.
    """
    where = str(path)
    text = read_text(
        path,
        limit=MAX_FILE_BYTES,
        error=ContractFileError,
        inside=inside,
        fix="pass the JSON file itself (not a pipe, a device, an archive or a data dump)",
    )
    if not text.strip():
        raise ContractFileError("file is empty", where=where, fix="it must hold one JSON value")
    value = parse_json(text, where=where, error=ContractFileError)
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


def write_json(path: Path, value: Any, *, inside: Path | None = None) -> None:
    """Write ``value`` canonically, replacing the file atomically.

    With ``inside`` no folder between it and ``path`` may be a symlink, so a
    release never writes outside the contracts tree.
    """
    write_text_atomic(path, dump_json(value), inside=inside, error=ContractFileError)
