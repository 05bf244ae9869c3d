"""Validators for the pinned contract version, built once per version."""

from __future__ import annotations

import functools

from jsonschema import Draft202012Validator


@functools.cache
def message_validator(version: str | None) -> Draft202012Validator:
    """A validator for the message union of ``version``.

    ``None`` pins the newest release shipped with the package (the current
    code's schema if nothing is released yet).
    """
    from edu_contracts.registry import latest_version, load_message_schema

    pinned = version or latest_version()
    if pinned is None:
        from edu_contracts.schemas.queue import message_json_schema

        return Draft202012Validator(message_json_schema())
    return Draft202012Validator(load_message_schema(pinned))
