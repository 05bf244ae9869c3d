"""Validate one message body against a released contract, naming the field.

Validating against the union schema gives one useless error ("not valid
under any of the given schemas") for any mistake. A message says which
task kind it is, so it is validated against that kind's schema instead,
and the error names the field and the rule; only a missing or unknown
``type`` is reported against the union.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from edu_contracts.registry.store import ContractStore, default_store

__all__ = ["Violation", "validate_message"]


@dataclass(frozen=True)
class Violation:
    pointer: str  # "#/data/user_id"
    message: str  # "'user_id' is a required property"
    rule: str  # "required"

    def __str__(self) -> str:
        return f"{self.pointer}: {self.message} (rule: {self.rule})"


@functools.cache
def _validators(
    version: str | None, root: Path
) -> tuple[Draft202012Validator, dict[str, Draft202012Validator]]:
    store = ContractStore(root)
    latest = store.latest()
    pinned = version or (None if latest is None else str(latest))
    if pinned is None:  # nothing released yet: the current code is the contract
        from edu_contracts.schemas.queue import message_json_schema, task_json_schemas

        union, kinds = message_json_schema(), task_json_schemas()
    else:
        union, kinds = store.message_schema(pinned), store.task_schemas(pinned)
    # format assertion on: "format: uuid" and "date-time" are part of the contract
    formats = Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(union, format_checker=formats), {
        k: Draft202012Validator(s, format_checker=formats) for k, s in kinds.items()
    }


def validate_message(
    body: Any, version: str | None = None, *, store: ContractStore | None = None
) -> list[Violation]:
    """Every way ``body`` breaks contract ``version`` (None: the newest release)."""
    union, kinds = _validators(version, (store or default_store()).root)
    kind = body.get("type") if isinstance(body, dict) else None
    validator = kinds.get(kind) if isinstance(kind, str) else None
    if validator is None:
        if isinstance(body, dict) and isinstance(kind, str):
            known = ", ".join(sorted(kinds))
            return [Violation("#/type", f"unknown task type {kind!r} (known: {known})", "enum")]
        validator = union
    errors = sorted(validator.iter_errors(body), key=lambda e: (list(map(str, e.path)), e.message))
    return [
        Violation(
            "#/" + "/".join(str(p) for p in error.absolute_path),
            error.message,
            str(error.validator),
        )
        for error in errors
    ]
