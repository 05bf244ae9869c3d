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

import itertools
import math
import random
import string
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from edu_contracts.compat._sample import sample
from edu_contracts.compat._validate import DEFAULT_DIALECT, Dialect, InstanceCheck
from edu_contracts.findings.model import Counterexample, Finding

__all__ = [
    "Unsatisfiable",
    "attach_counterexamples",
    "counterexamples",
    "generate",
    "pattern_names",
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
        focus: frozenset[str] = frozenset(),
    ) -> None:
        self.root = root
        self.rng = rng
        self.optional = optional
        self.extra_names = extra_names
        self.focus = focus

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
        low = _bounded(schema.get("minLength", 0))
        high = _bounded(schema.get("maxLength", max(low, 12)), cap=low + 12)
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and rng.random() < 0.9:
            text = sample(pattern, rng)
            if text is not None:
                return text
        length = rng.randint(low, max(low, min(high, low + 12)))
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))

    def _number(self, schema: Mapping[str, Any], integer: bool) -> float | int:
        low, high = _number_range(schema)
        rng = self.rng
        roll = rng.random()
        # Bounds are where tightened limits bite, so try them often.
        value: float | int = low if roll < 0.2 else high if roll < 0.4 else rng.randint(low, high)
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
            # Small multiples of the step: where a changed step is caught.
            value = step * rng.choice((1, 2, 3, 5, 10, 20, rng.randint(1, 1000)))
            if integer and value != int(value):
                value = int(value)
        if not integer and rng.random() < 0.3:
            value = value + 0.5 if value + 0.5 <= high else value
        return value

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        props: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        result: dict[str, Any] = {}
        chosen: Iterable[str] = props
        if len(props) > _WIDE:
            # A wide object: the required names, the ones a finding points at, and a
            # few others; filling 120,000 optional properties per candidate would
            # turn a counterexample search into minutes.
            chosen = {*required, *(self.focus & props.keys()), *itertools.islice(props, _WIDE)}
        for name in chosen:
            if name in props and (name in required or self.rng.random() < self.optional):
                result[name] = self.gen(props[name], depth + 1)
        for name in required - set(result):
            result[name] = self.any_value()
        additional = schema.get("additionalProperties", schema.get("unevaluatedProperties"))
        patterns = schema.get("patternProperties")
        if isinstance(patterns, Mapping) and patterns and self.rng.random() < self.optional:
            pattern = self.rng.choice(sorted(patterns))
            sampled = sample(pattern, self.rng)
            if sampled is not None and sampled not in result:
                result[sampled] = self.gen(patterns[pattern], depth + 1)
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
        low = _bounded(schema.get("minItems", 0), cap=64)
        high = _bounded(schema.get("maxItems", low + 3), cap=low + 3)
        length = self.rng.randint(low, max(low, min(high, low + 3)))
        result = [self.gen(sub, depth + 1) for sub in prefix[:length]]
        while len(result) < length and items is not False:
            result.append(self.gen(items, depth + 1))
        return result


_WIDE = 32
"""Objects with more declared properties than this are filled selectively."""
_MAX_SIZE = 4096
"""Longest string or array built: a ``minLength: 10**12`` gets no example, not a hang."""


def _bounded(value: Any, cap: int = _MAX_SIZE) -> int:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return 0
    if value > _MAX_SIZE:
        raise Unsatisfiable("too large to build")
    return min(int(value), max(cap, 0))


def _number_range(schema: Mapping[str, Any]) -> tuple[int, int]:
    """Integer bounds to draw from; exclusive ones step inside, huge ones give up."""

    def num(key: str) -> int | float | None:
        value = schema.get(key)
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    low: float = -1000
    high: float = 1000
    if (v := num("minimum")) is not None:
        low = v
    if (v := num("exclusiveMinimum")) is not None:
        low = max(low, v + 1) if num("minimum") is not None else v + 1
    if (v := num("maximum")) is not None:
        high = v
    if (v := num("exclusiveMaximum")) is not None:
        high = min(high, v - 1) if num("maximum") is not None else v - 1
    if low > high and num("maximum") is None and num("exclusiveMaximum") is None:
        high = low + 1000
    if low < high and num("minimum") is None and num("exclusiveMinimum") is None:
        low = min(low, high - 1000)
    if abs(low) > 1e300 or abs(high) > 1e300:
        raise Unsatisfiable("bounds too large")
    return math.ceil(low), max(math.ceil(low), math.floor(high))


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
    focus: frozenset[str] = frozenset(),
) -> Any:
    """One instance shaped by ``schema``; not guaranteed valid, so callers validate.

    ``optional`` is the chance of filling each optional property (and of
    adding one of ``extra_names`` to an object that allows undeclared
    properties, which is how open content models get probed).
    Raises ``Unsatisfiable`` when the schema admits nothing the generator can build.
    """
    return _Generator(schema, rng, optional, extra_names, focus).gen(schema)


def property_names(*schemas: Any) -> list[str]:
    """Every property name declared anywhere in the schemas, for probing open objects."""
    names: set[str] = set()
    stack = list({id(s): s for s in schemas}.values())  # hints often repeat the pair
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


def _candidates(
    writer: Any, extra_names: Sequence[str], budget: int, focus: frozenset[str]
) -> Iterator[Any]:
    """Systematic first (all optional fields absent, then all present), then random."""
    rng = random.Random(0)  # one generator: seeding a Random costs more than a candidate
    for i in range(budget):
        optional = 0.0 if i == 0 else 1.0 if i == 1 else 0.5
        try:
            yield generate(writer, rng, optional=optional, extra_names=extra_names, focus=focus)
        except (
            Unsatisfiable,
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            RecursionError,
            OverflowError,
            ZeroDivisionError,
        ):
            continue


def pattern_names(*schemas: Any) -> list[str]:
    """A few names matching each ``patternProperties`` pattern, to probe pattern changes."""
    names: set[str] = set()
    stack = list(schemas)
    rng = random.Random(0)
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            patterns = node.get("patternProperties")
            if isinstance(patterns, Mapping):
                for pattern in patterns:
                    names.update(n for n in (sample(pattern, rng) for _ in range(3)) if n)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(names)


def counterexamples(
    writer: Any,
    reader: Any,
    *,
    hints: Sequence[Any] = (),
    budget: int = 48,
    dialects: tuple[Dialect, Dialect] | None = None,
    seeds: Sequence[Any] = (),
    focus: frozenset[str] = frozenset(),
) -> list[tuple[Any, str]]:
    """Instances valid under ``writer`` and invalid under ``reader``, with the reader's reason.

    ``seeds`` are tried first (instances a caller already suspects, such as
    the members of a writer's enum).
    """
    default = Dialect(DEFAULT_DIALECT, "default")
    w_dialect, r_dialect = dialects or (default, default)
    writer_check = InstanceCheck(writer, w_dialect)
    reader_check = InstanceCheck(reader, r_dialect)
    everywhere = property_names(writer, reader, *hints)
    # Names the reader declares and the writer does not are where open objects break.
    added = sorted(set(property_names(reader)) - set(property_names(writer)))
    names = [*added[:64] * 4, *pattern_names(reader, writer)[:64], *everywhere[:64], "extra"]
    found: list[tuple[Any, str]] = []
    seen: set[str] = set()
    for instance in _chain(seeds, _candidates(writer, names, budget, focus)):
        key = _key(instance)
        if key is None or key in seen or not writer_check.valid(instance):
            continue
        seen.add(key)
        error = reader_check.error(instance)
        if error is not None:
            found.append((instance, error))
            if len(found) >= 4:
                break
    return found


def _chain(first: Sequence[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest


def _key(instance: Any) -> str | None:
    try:
        return repr(instance)
    except ValueError:  # an integer too long to print
        return None


def _instance_path(pointer: str) -> list[str]:
    """Approximate instance location of a finding: the names after each 'properties'."""
    tokens = pointer.lstrip("#").strip("/").split("/") if pointer.strip("#/") else []
    path = []
    for i, token in enumerate(tokens[:-1]):
        if token in ("properties", "required") and (i == 0 or tokens[i - 1] != "properties"):
            path.append(tokens[i + 1])
    return path


def _closeness(finding: Finding, instance: Any, error: str) -> int:
    """How far the finding's instance path reaches into the counterexample."""
    score = 0
    node = instance
    for name in _instance_path(finding.pointer):
        if isinstance(node, dict) and name in node:
            score += 1
            node = node[name]
        else:
            if name in error:
                score += 1
            break
    return score


def attach_counterexamples(
    findings: list[Finding],
    writer: Any,
    reader: Any,
    *,
    hints: Sequence[Any] = (),
    dialects: tuple[Dialect, Dialect] | None = None,
) -> list[Finding]:
    """Give each breaking finding the closest counterexample found, if any is found."""
    focus = frozenset(n for f in findings if not f.compatible for n in _instance_path(f.pointer))
    found = counterexamples(writer, reader, hints=hints, dialects=dialects, focus=focus)
    if not found:
        return findings
    result = []
    used_fallback = False
    for finding in findings:
        if finding.compatible:
            result.append(finding)
            continue
        instance, error = max(found, key=lambda pair: _closeness(finding, *pair))
        if _closeness(finding, instance, error) == 0 and _instance_path(finding.pointer):
            if used_fallback:
                result.append(finding)
                continue
            used_fallback = True
        result.append(replace(finding, example=Counterexample(instance=instance, error=error)))
    return result
