"""Example instances of a schema, and counterexamples for breaking findings.

A verdict is easier to trust with a witness: for a breaking change we look
for a concrete message the old writer may send that the new reader rejects,
and attach it to the finding. The generator covers the JSON Schema that
pydantic emits (types, enums, const, unions, ``$ref``/``$defs``, objects,
arrays, string and number bounds, common formats); anything else is guessed
and then filtered through a real validator, so an example is never wrong,
only sometimes missing.

``generate`` takes a ``random.Random``; property tests pass the one
hypothesis draws, so failing cases shrink and replay.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from jsonschema import exceptions, validators

from edu_contracts.findings.model import Counterexample, Finding

__all__ = [
    "Unsatisfiable",
    "attach_counterexamples",
    "counterexamples",
    "generate",
    "property_names",
]

_ANY_VALUES: tuple[Any, ...] = ("x", 0, 1.5, True, None, [], {})
_MAX_DEPTH = 8


class Unsatisfiable(Exception):
    """The generator met ``false`` or ran out of depth."""


class _Generator:
    def __init__(
        self,
        root: Any,
        rng: random.Random,
        optional: float,
        extra_names: Sequence[str],
    ) -> None:
        self.root = root
        self.rng = rng
        self.optional = optional
        self.extra_names = list(extra_names)

    def any_value(self) -> Any:
        return self.rng.choice(_ANY_VALUES)

    def resolve(self, ref: str) -> Any:
        node = self.root
        if not ref.startswith("#"):
            raise Unsatisfiable(ref)
        for token in ref[1:].split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise Unsatisfiable(ref)
        return node

    def gen(self, schema: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise Unsatisfiable("too deep")
        if schema is True or schema == {}:
            return self.any_value()
        if schema is False or not isinstance(schema, Mapping):
            raise Unsatisfiable("false")
        if "$ref" in schema:
            return self.gen(self.resolve(schema["$ref"]), depth + 1)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self.rng.choice(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self.gen(self.rng.choice(schema[key]), depth + 1)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            return self.gen(self._merge_all_of(schema), depth + 1)
        declared = schema.get("type")
        if isinstance(declared, list):
            declared = self.rng.choice(declared) if declared else None
        if declared is None:
            declared = _infer_type(schema)
        if declared is None:
            return self.any_value()
        return self._typed(str(declared), schema, depth)

    def _merge_all_of(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """A shallow merge of the parts: right for the common type-plus-enum split."""
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            while isinstance(part, Mapping) and "$ref" in part:
                part = self.resolve(part["$ref"])
            if isinstance(part, Mapping):
                merged.update(part)
        return merged

    def _typed(self, declared: str, schema: Mapping[str, Any], depth: int) -> Any:
        if declared == "string":
            return self._string(schema)
        if declared in ("integer", "number"):
            return self._number(schema, declared == "integer")
        if declared == "boolean":
            return self.rng.random() < 0.5
        if declared == "null":
            return None
        if declared == "object":
            return self._object(schema, depth)
        if declared == "array":
            return self._array(schema, depth)
        raise Unsatisfiable(declared)

    def _string(self, schema: Mapping[str, Any]) -> str:
        fmt = schema.get("format")
        rng = self.rng
        if fmt == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if fmt == "date-time":
            return f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:2{rng.randint(0, 9)}:00Z"
        if fmt == "date":
            return f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        if fmt == "email":
            return f"user{rng.randint(0, 99)}@example.com"
        if fmt in ("uri", "url"):
            return f"https://example.com/{rng.randint(0, 99)}"
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", max(low, 12)))
        length = rng.randint(low, max(low, min(high, low + 12)))
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))

    def _number(self, schema: Mapping[str, Any], integer: bool) -> float | int:
        low = schema.get("minimum", schema.get("exclusiveMinimum", -1000))
        high = schema.get("maximum", schema.get("exclusiveMaximum", 1000))
        if isinstance(schema.get("exclusiveMinimum"), int | float):
            low = schema["exclusiveMinimum"] + 1
        if isinstance(schema.get("exclusiveMaximum"), int | float):
            high = schema["exclusiveMaximum"] - 1
        low, high = int(low), int(max(low, high))
        roll = self.rng.random()
        # Bounds are where tightened limits bite, so try them often.
        value: float | int = (
            low if roll < 0.2 else high if roll < 0.4 else self.rng.randint(low, high)
        )
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and step:
            value = round(value / step) * step
        if not integer and self.rng.random() < 0.3:
            value = value + 0.5 if value + 0.5 <= high else value
        return value

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        props: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        result: dict[str, Any] = {}
        for name, sub in props.items():
            if name in required or self.rng.random() < self.optional:
                result[name] = self.gen(sub, depth + 1)
        for name in required - set(result):
            result[name] = self.any_value()
        additional = schema.get("additionalProperties", schema.get("unevaluatedProperties"))
        if additional is not False and self.extra_names and self.rng.random() < self.optional:
            name = self.rng.choice(self.extra_names)
            if name not in props:
                is_open = additional is None or additional is True or additional == {}
                result[name] = self.any_value() if is_open else self.gen(additional, depth + 1)
        return result

    def _array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", True)
        if isinstance(items, list):
            prefix, items = items, schema.get("additionalItems", True)
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", low + 3))
        length = self.rng.randint(low, max(low, min(high, low + 3)))
        result = [self.gen(sub, depth + 1) for sub in prefix[:length]]
        while len(result) < length and items is not False:
            result.append(self.gen(items, depth + 1))
        return result


def _infer_type(schema: Mapping[str, Any]) -> str | None:
    if any(k in schema for k in ("properties", "required", "additionalProperties")):
        return "object"
    if any(k in schema for k in ("items", "prefixItems", "minItems", "maxItems")):
        return "array"
    if any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return None


def generate(
    schema: Any,
    rng: random.Random,
    *,
    optional: float = 0.5,
    extra_names: Sequence[str] = (),
) -> Any:
    """One instance shaped by ``schema``; not guaranteed valid, so callers validate.

    ``optional`` is the chance of filling each optional property (and of
    adding one of ``extra_names`` to an object that allows undeclared
    properties, which is how open content models get probed).
    Raises ``Unsatisfiable`` when the schema admits nothing the generator can build.
    """
    return _Generator(schema, rng, optional, extra_names).gen(schema)


def property_names(*schemas: Any) -> list[str]:
    """Every property name declared anywhere in the schemas, for probing open objects."""
    names: set[str] = set()
    stack = list(schemas)
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            props = node.get("properties")
            if isinstance(props, Mapping):
                names.update(props)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(names)


def _candidates(writer: Any, extra_names: Sequence[str], budget: int) -> Iterator[Any]:
    """Systematic first (all optional fields absent, then all present), then random."""
    for i in range(budget):
        optional = 0.0 if i == 0 else 1.0 if i == 1 else 0.5
        try:
            yield generate(writer, random.Random(i), optional=optional, extra_names=extra_names)
        except (Unsatisfiable, ValueError, TypeError, KeyError, IndexError, RecursionError):
            continue


def _uses_legacy_keywords(schema: Any) -> bool:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if isinstance(node.get("items"), list) or "additionalItems" in node:
                return True
            if isinstance(node.get("dependencies"), Mapping):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _validator(schema: Any) -> Any:
    """The validator the schema declares; without ``$schema``, the draft its keywords imply."""
    default = (
        validators.Draft7Validator
        if _uses_legacy_keywords(schema)
        else validators.Draft202012Validator
    )
    cls = validators.validator_for(schema, default=default)
    # Formats are asserted: FORMAT_* changes are breaking because readers check them.
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def counterexamples(
    writer: Any, reader: Any, *, hints: Sequence[Any] = (), budget: int = 64
) -> list[tuple[Any, exceptions.ValidationError]]:
    """Instances valid under ``writer`` and invalid under ``reader``, with the reader's error."""
    writer_check = _validator(writer)
    reader_check = _validator(reader)
    everywhere = property_names(writer, reader, *hints)
    # Names the reader declares and the writer does not are where open objects break.
    added = sorted(set(property_names(reader)) - set(property_names(writer)))
    names = [*added * 4, *everywhere, "extra"]
    found: list[tuple[Any, exceptions.ValidationError]] = []
    seen: set[str] = set()
    for instance in _candidates(writer, names, budget):
        key = repr(instance)
        if key in seen or not writer_check.is_valid(instance):
            continue
        seen.add(key)
        error = exceptions.best_match(reader_check.iter_errors(instance))
        if error is not None:
            found.append((instance, error))
            if len(found) >= 8:
                break
    return found


def _instance_path(pointer: str) -> list[str]:
    """Approximate instance location of a finding: the names after each 'properties'."""
    tokens = pointer.lstrip("#").strip("/").split("/") if pointer.strip("#/") else []
    path = []
    for i, token in enumerate(tokens[:-1]):
        if token in ("properties", "required") and (i == 0 or tokens[i - 1] != "properties"):
            path.append(tokens[i + 1])
    return path


def _closeness(finding: Finding, error: exceptions.ValidationError) -> int:
    wanted = _instance_path(finding.pointer)
    got = [str(p) for p in error.absolute_path]
    if finding.pointer.split("/")[-2:-1] == ["required"]:
        got = [*got, _required_name(error)]
    score = 0
    for a, b in zip(wanted, got, strict=False):
        if a != b:
            break
        score += 1
    return score


def _required_name(error: exceptions.ValidationError) -> str:
    if error.validator == "required" and isinstance(error.message, str):
        return error.message.split("'")[1] if "'" in error.message else ""
    return ""


def attach_counterexamples(
    findings: list[Finding], writer: Any, reader: Any, *, hints: Sequence[Any] = ()
) -> list[Finding]:
    """Give each breaking finding the closest counterexample found, if any is found."""
    try:
        found = counterexamples(writer, reader, hints=hints)
    except Exception:
        return findings
    if not found:
        return findings
    result = []
    used_fallback = False
    for finding in findings:
        if finding.compatible:
            result.append(finding)
            continue
        instance, error = max(found, key=lambda pair: _closeness(finding, pair[1]))
        if _closeness(finding, error) == 0 and _instance_path(finding.pointer):
            if used_fallback:
                result.append(finding)
                continue
            used_fallback = True
        example = Counterexample(instance=instance, error=error.message)
        result.append(replace(finding, example=example))
    return result
