"""The released contract as an independent judge of what the codec may accept.

The verdict is jsonschema's Draft 2020-12 validator on the released files
under ``contracts/``, with format assertion on, and two corrections where the
Python library is laxer than the specifications the schema cites:

* ``format: uuid`` is RFC 9562's 8-4-4-4-12 form (jsonschema's check lets a
  fifth hyphen through, because ``uuid.UUID`` drops hyphens);
* ``pattern`` is ECMA-262, where ``$`` matches only at the end (Python's
  ``re.search`` also matches before a final newline).

JSON is parsed strictly (no NaN or Infinity), as RFC 8259 says.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from edu_contracts.registry import PACKAGED_CONTRACTS

VERSION = "1.0.0"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if isinstance(instance, str) and not re.search(re.sub(r"\$$", r"\\Z", pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    _FORMATS.checkers[_name] = _check
_FORMATS.checks("uuid")(lambda value: not isinstance(value, str) or bool(_UUID.fullmatch(value)))
_Validator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@functools.cache
def _validators() -> dict[str, Any]:
    folder = PACKAGED_CONTRACTS / VERSION / "messages"
    kinds: dict[str, Any] = {}
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text())
        const = schema.get("properties", {}).get("type", {}).get("const")
        if const:
            kinds[const] = _Validator(schema, format_checker=_FORMATS)
    return kinds


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def schema_accepts(raw: bytes) -> bool:
    """Does the released contract accept this JSON document?"""
    try:  # RFC 8259: UTF-8 only (json.loads would also guess UTF-16 and UTF-32)
        document = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except ValueError:
        return False
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        return False
    validator = _validators().get(document["type"])
    return validator is not None and validator.is_valid(document)
