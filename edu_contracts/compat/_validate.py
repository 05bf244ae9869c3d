"""The dialect of a schema, its meta-schema check, and real validators of instances.

A schema is judged in one named dialect: ``--dialect`` if given, else its
own ``$schema``, else 2020-12 (the dialect of every released contract and
jsonschema's own default). The same keyword means different things across
drafts (``exclusiveMaximum: true`` is a draft-04 flag and an error in
2020-12; an ``items`` array is a tuple before 2020-12), so guessing would
judge a schema the author did not write.

Validation runs on jsonschema-rs: it is compiled (meta-checking the 263
Confluent vectors takes a few milliseconds instead of ~250), matches
patterns the ECMA way in linear time, and asserts formats like the readers
do. Where it cannot (lone surrogates, which Rust strings cannot hold) or
where it knowingly disagrees with the Python ``jsonschema`` that readers of
this project run (float ``multipleOf``, judged there by float division),
the Python validator is used too, with ECMA patterns plugged in.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from edu_contracts.compat import _regex
from edu_contracts.errors import ContractFileError

__all__ = [
    "DEFAULT_DIALECT",
    "DIALECTS",
    "Dialect",
    "InstanceCheck",
    "check_schema",
    "dialect_of",
]

DIALECTS = {
    "draft-04": "http://json-schema.org/draft-04/schema#",
    "draft-06": "http://json-schema.org/draft-06/schema#",
    "draft-07": "http://json-schema.org/draft-07/schema#",
    "2019-09": "https://json-schema.org/draft/2019-09/schema",
    "2020-12": "https://json-schema.org/draft/2020-12/schema",
}
DEFAULT_DIALECT = "2020-12"
_BY_URI = {uri.rstrip("#").split("://", 1)[1]: name for name, uri in DIALECTS.items()}


@dataclass(frozen=True)
class Dialect:
    """The draft a schema is read in, and why that one."""

    name: str
    source: str
    """"$schema", "default" or "--dialect"."""

    @property
    def uri(self) -> str:
        return DIALECTS[self.name]

    @property
    def legacy(self) -> bool:
        """Drafts where ``items`` may be a tuple and ``dependencies`` is one keyword."""
        return self.name in ("draft-04", "draft-06", "draft-07", "2019-09")

    def __str__(self) -> str:
        return f"{self.name} ({self.source})"


def dialect_of(schema: Any, override: str | None, name: str) -> Dialect:
    """The dialect to read ``schema`` in; an unknown ``$schema`` is refused, not guessed."""
    if override is not None:
        if override not in DIALECTS:
            raise ContractFileError(
                f"unknown dialect {override!r}",
                where="--dialect",
                fix=f"use one of {', '.join(DIALECTS)}",
            )
        return Dialect(override, "--dialect")
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    if declared is None:
        return Dialect(DEFAULT_DIALECT, "default")
    key = declared.rstrip("#").split("://", 1)[-1] if isinstance(declared, str) else None
    if key not in _BY_URI:
        raise ContractFileError(
            f"the {name} schema declares an unknown $schema {declared!r}",
            where=f"{name} schema #/$schema",
            fix=f"declare one of {', '.join(DIALECTS.values())}, or pass --dialect",
        )
    return Dialect(_BY_URI[key], "$schema")


def _in_dialect(schema: Any, dialect: Dialect) -> Any:
    if isinstance(schema, dict) and schema.get("$schema") != dialect.uri:
        return {**schema, "$schema": dialect.uri}
    return schema


def _pointer(path: Any) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def check_schema(schema: Any, dialect: Dialect, name: str) -> None:
    """Refuse what is not a schema of ``dialect``, saying where and which dialect."""
    if isinstance(schema, bool) and dialect.name == "draft-04":
        raise ContractFileError(
            f"the {name} schema is a boolean, which draft-04 does not allow",
            where=f"{name} schema #",
            fix="declare draft-06 or later in $schema (or --dialect), or write {} / {'not': {}}",
        )
    try:
        jsonschema_rs.validator_for(_in_dialect(schema, dialect), offline=True)
    except jsonschema_rs.ValidationError as exc:
        if isinstance(exc.kind, jsonschema_rs.ValidationErrorKind.Referencing):
            return  # an unresolvable $ref: the loader refuses it, naming where it is
        raise ContractFileError(
            f"the {name} schema is not a valid JSON Schema {dialect}: {exc.message}",
            where=f"{name} schema {_pointer(exc.instance_path)}",
            fix="fix the keyword there (the meta-schema of that dialect says what it must be); "
            "a schema written for another draft declares it in $schema or with --dialect",
        ) from None
    except ValueError:
        _check_with_python(schema, dialect, name)


def _check_with_python(schema: Any, dialect: Dialect, name: str) -> None:
    """The same check for what Rust strings cannot hold (lone surrogates)."""
    from jsonschema.exceptions import best_match

    error = best_match(_meta_validator(dialect.name).iter_errors(schema))
    if error is None:
        for pattern in _patterns(schema):
            if not _regex.compiles(pattern):
                raise ContractFileError(
                    f"the {name} schema has a pattern that is not an ECMA-262 regex: {pattern!r}",
                    where=f"{name} schema",
                    fix="fix the regular expression",
                )
        return
    raise ContractFileError(
        f"the {name} schema is not a valid JSON Schema {dialect}: {error.message}",
        where=f"{name} schema {_pointer(error.absolute_path)}",
        fix="fix the keyword there (the meta-schema of that dialect says what it must be)",
    )


def _patterns(schema: Any) -> Iterator[str]:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                yield node["pattern"]
            if isinstance(node.get("patternProperties"), dict):
                yield from node["patternProperties"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _python_class(name: str) -> Any:
    from jsonschema import validators

    return validators.validator_for({"$schema": DIALECTS[name]})


@functools.cache
def _meta_validator(name: str) -> Any:
    cls = _python_class(name)
    return cls(cls.META_SCHEMA)


def _uses_float_step(schema: Any) -> bool:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("multipleOf"), float):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


class InstanceCheck:
    """Validates instances against one schema document, as readers would (formats asserted).

    ``error(instance)`` is None for a valid instance, else the reason, as
    the validator that rejected it words it. Where both validators apply,
    an instance is invalid when either rejects it: a reader may run either.
    """

    def __init__(self, schema: Any, dialect: Dialect) -> None:
        self._doc = _in_dialect(schema, dialect)
        self._dialect = dialect
        self._rs: Any = None
        self._py: Any = None
        try:
            self._rs = jsonschema_rs.validator_for(self._doc, validate_formats=True, offline=True)
        except ValueError:
            self._py = _python_validator(self._doc, dialect)
        else:
            if _uses_float_step(schema):
                self._py = _python_validator(self._doc, dialect)

    def error(self, instance: Any) -> str | None:
        if self._rs is not None:
            try:
                found = next(iter(self._rs.iter_errors(instance)), None)
            except ValueError:  # a lone surrogate in the instance: Rust cannot hold it
                if self._py is None:
                    self._py = _python_validator(self._doc, self._dialect)
            else:
                if found is not None:
                    return str(found.message)
        if self._py is not None:
            from jsonschema.exceptions import best_match

            error = best_match(self._py.iter_errors(instance))
            return None if error is None else str(error.message)
        return None

    def valid(self, instance: Any) -> bool:
        return self.error(instance) is None


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _ecma_pattern_properties(
    validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if _regex.search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _ecma_additional(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [
        name
        for name in instance
        if name not in declared and not any(_regex.search(p, name) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for name in extras:
            yield from validator.descend(instance[name], additional, path=name)
    elif not additional and extras:
        yield ValidationError(f"additional properties are not allowed ({extras!r})")


def _python_validator(doc: Any, dialect: Dialect) -> Any:
    from jsonschema import validators

    base = _python_class(dialect.name)
    cls = validators.extend(
        base,
        {
            "pattern": _ecma_pattern,
            "patternProperties": _ecma_pattern_properties,
            "additionalProperties": _ecma_additional,
        },
    )
    return cls(doc, format_checker=base.FORMAT_CHECKER)
