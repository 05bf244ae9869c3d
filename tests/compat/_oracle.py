"""A real validator as the judge of what a counterexample claims.

Python ``jsonschema`` with formats asserted, the validator this project's
readers run; patterns are the ones without ECMA/Python differences in the
tests that use this.
"""

from __future__ import annotations

from typing import Any

from jsonschema import validators


def valid(schema: Any, instance: Any, dialect: str | None = None) -> bool:
    uris = {
        "draft-07": "http://json-schema.org/draft-07/schema#",
        "draft-04": "http://json-schema.org/draft-04/schema#",
    }
    default = validators.validator_for({"$schema": uris[dialect]}) if dialect else None
    cls = validators.validator_for(schema, default=default or validators.Draft202012Validator)
    return bool(cls(schema, format_checker=cls.FORMAT_CHECKER).is_valid(instance))


def assert_counterexample(old: Any, new: Any, instance: Any, dialect: str | None = None) -> None:
    """``instance`` really is written under ``old`` and rejected under ``new``."""
    assert valid(old, instance, dialect), ("not valid under the writer", instance)
    assert not valid(new, instance, dialect), ("valid under the reader", instance)
