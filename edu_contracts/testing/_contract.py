"""Validators for the pinned contract version, built once per version."""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft202012Validator


@functools.cache
def message_validator(version: str | None) -> Draft202012Validator:
    """A validator for the message union of ``version`` (None: the current code's)."""
    schema: dict[str, Any]
    if version is None:
        from edu_contracts.schemas.queue import message_json_schema

        schema = message_json_schema()
    else:
        from edu_contracts.registry import load_message_schema  # type: ignore[attr-defined]

        schema = load_message_schema(version)
    return Draft202012Validator(schema)
