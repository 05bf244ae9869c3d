"""Turn a raw JSON Schema into the typed nodes of ``_model``.

Nodes are built on demand and cached by root pointer, and references stay
lazy, so a recursive schema (a tree of comments, a linked list) loads in
finite time and each subschema is one node however many paths reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from edu_contracts.compat._model import (
    MISSING,
    AnyNode,
    ArrayNode,
    BooleanNode,
    CombinedNode,
    ConditionalNode,
    EnumNode,
    NeverNode,
    Node,
    NotNode,
    NullNode,
    NumberNode,
    ObjectNode,
    RefNode,
    StringNode,
    json_key,
)
from edu_contracts.compat._resolve import ResourceIndex, child_pointer
from edu_contracts.compat._validate import Dialect
from edu_contracts.errors import ContractFileError

__all__ = ["ARRAY_KWS", "NUMBER_KWS", "OBJECT_KWS", "STRING_KWS", "LazyNodes", "Loader"]


class LazyNodes(Mapping[str, Node]):
    """``properties`` as nodes built on first access: the diff skips identical leaf
    properties without building them, which is most of a 120,000-property schema."""

    def __init__(
        self, raw: dict[str, Any], pointer: Callable[[str], str], build: Callable[[str], Node]
    ) -> None:
        self.raw = raw
        self._pointer = pointer
        self._build = build
        self._nodes: dict[str, Node] = {}

    def __getitem__(self, name: str) -> Node:
        node = self._nodes.get(name)
        if node is None:
            if name not in self.raw:
                raise KeyError(name)
            node = self._nodes[name] = self._build(self._pointer(name))
        return node

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, name: object) -> bool:
        return name in self.raw


STRING_KWS = ("minLength", "maxLength", "pattern", "format")
NUMBER_KWS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
OBJECT_KWS = (
    "properties",
    "required",
    "additionalProperties",
    "unevaluatedProperties",
    "patternProperties",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "minProperties",
    "maxProperties",
    "propertyNames",
)
ARRAY_KWS = (
    "items",
    "prefixItems",
    "additionalItems",
    "unevaluatedItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
)
_FAMILIES = {"string": STRING_KWS, "number": NUMBER_KWS, "object": OBJECT_KWS, "array": ARRAY_KWS}
_TYPES = ("string", "number", "integer", "boolean", "null", "object", "array")


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _num(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class Loader:
    """Builds and caches the nodes of one schema document."""

    def __init__(
        self,
        root: Any,
        name: str,
        dialect: Dialect | None = None,
        index: ResourceIndex | None = None,
    ) -> None:
        if not isinstance(root, dict | bool):
            raise ContractFileError(
                f"the {name} schema is a {type(root).__name__}, not a JSON Schema",
                where="#",
                fix="pass the parsed schema document (a dict), e.g. json.load(file)",
            )
        self.name = name
        self.draft4 = dialect is not None and dialect.name == "draft-04"
        self.index = index or ResourceIndex(root, name, legacy_id=self.draft4 if dialect else None)
        self._nodes: dict[str, Node] = {}

    def root(self) -> Node:
        return self.node_at("#")

    def check_references(self) -> None:
        """Refuse a loop of references and combinators that never reaches the data
        (``N = allOf [{$ref N}]``), even where the diff would not have looked."""
        cycle = self.index.in_place_cycle()
        if cycle is not None:
            raise ContractFileError(
                "a $ref cycle never reaches a schema that looks at the data: "
                "no validator can evaluate it",
                where=" -> ".join(cycle),
                fix="make the self-reference go through properties or items (a tree type), "
                "or point the $ref at a schema that does not lead back here",
            )

    def node_at(self, pointer: str) -> Node:
        node = self._nodes.get(pointer)
        if node is None:
            node = self._build(self.index.raw_at(pointer), pointer)
            self._nodes[pointer] = node
        return node

    def _build(self, raw: Any, ptr: str) -> Node:
        if raw is True:
            return AnyNode(loc=ptr, raw=True)
        if raw is False:
            return NeverNode(loc=ptr, raw=False)
        if not isinstance(raw, dict):
            raise ContractFileError(
                f"the {self.name} schema has {raw!r} where a schema (object or boolean) belongs",
                where=ptr,
                fix="replace the value with a schema object",
            )
        parts = self._parts(raw, ptr)
        node: Node
        if not parts:
            node = AnyNode(loc=ptr, raw=raw)
        elif len(parts) == 1:
            node = parts[0]
            node.loc = ptr
        else:
            node = CombinedNode(loc=ptr, raw=raw, criterion="allOf", subs=parts, segment=None)
        node.title = raw.get("title")
        node.description = raw.get("description")
        node.default = raw.get("default", MISSING)
        node.id = raw.get("$id")
        return node

    def _parts(self, raw: dict[str, Any], ptr: str) -> list[Node]:
        parts: list[Node] = []
        for kw in ("$ref", "$dynamicRef", "$recursiveRef"):
            ref = raw.get(kw)
            if isinstance(ref, str):
                target = self.index.resolve(ref, ptr)
                parts.append(
                    RefNode(loc=f"{ptr}@{kw}", raw={kw: ref}, target=target, resolver=self.node_at)
                )
        if "enum" in raw:
            values = raw["enum"]
            if not isinstance(values, list):
                raise ContractFileError(
                    f"the {self.name} schema has an enum that is not a list",
                    where=child_pointer(ptr, "enum"),
                    fix="write the allowed values as a JSON array",
                )
            parts.append(self._enum(f"{ptr}@enum", {"enum": values}, tuple(values), False))
        if "const" in raw:
            parts.append(self._enum(f"{ptr}@const", {"const": raw["const"]}, (raw["const"],), True))
        for criterion in ("allOf", "anyOf", "oneOf"):
            subs = raw.get(criterion)
            if isinstance(subs, list):
                nodes = [self.node_at(child_pointer(ptr, criterion, i)) for i in range(len(subs))]
                parts.append(
                    CombinedNode(
                        loc=f"{ptr}@{criterion}",
                        raw={criterion: subs},
                        criterion=criterion,
                        subs=nodes,
                        segment=criterion,
                    )
                )
        if "not" in raw:
            inner = self.node_at(child_pointer(ptr, "not"))
            parts.append(NotNode(loc=f"{ptr}@not", raw={"not": raw["not"]}, inner=inner))
        if any(kw in raw for kw in ("if", "then", "else")):
            cond = {kw: raw[kw] for kw in ("if", "then", "else") if kw in raw}
            parts.append(ConditionalNode(loc=f"{ptr}@if", raw=cond))
        declared = raw.get("type")
        if isinstance(declared, str):
            parts.append(self._typed(declared, raw, ptr, f"{ptr}@type", typed=True))
        elif isinstance(declared, list):
            nodes = [
                self._typed(t, raw, ptr, f"{ptr}@type/{i}", typed=True)
                for i, t in enumerate(declared)
            ]
            parts.append(
                CombinedNode(
                    loc=f"{ptr}@type", raw={"type": declared}, criterion="anyOf", subs=nodes
                )
            )
        elif declared is None:
            for family, kws in _FAMILIES.items():
                if any(kw in raw for kw in kws):
                    parts.append(self._typed(family, raw, ptr, f"{ptr}@{family}", typed=False))
        else:
            raise self._bad_type(declared, ptr)
        return parts

    @staticmethod
    def _enum(loc: str, raw: dict[str, Any], values: tuple[Any, ...], is_const: bool) -> EnumNode:
        keys = frozenset(json_key(v) for v in values)
        return EnumNode(loc=loc, raw=raw, values=values, keys=keys, is_const=is_const)

    def _bad_type(self, declared: Any, ptr: str) -> ContractFileError:
        return ContractFileError(
            f"the {self.name} schema has an unknown type {declared!r}",
            where=child_pointer(ptr, "type"),
            fix=f"use one of {', '.join(_TYPES)}, or a list of them",
        )

    def _typed(self, name: Any, raw: dict[str, Any], ptr: str, loc: str, *, typed: bool) -> Node:
        family = "number" if name == "integer" else name
        own = {kw: raw[kw] for kw in _FAMILIES.get(family, ()) if kw in raw}
        part_raw = {"type": name, **own} if typed else own
        if name == "string":
            return StringNode(
                loc=loc,
                raw=part_raw,
                min_length=_int(raw.get("minLength")),
                max_length=_int(raw.get("maxLength")),
                pattern=raw.get("pattern") if isinstance(raw.get("pattern"), str) else None,
                format=raw.get("format") if isinstance(raw.get("format"), str) else None,
                typed=typed,
            )
        if family == "number":
            return self._number(raw, loc, part_raw, integer=name == "integer", typed=typed)
        if name == "boolean":
            return BooleanNode(loc=loc, raw=part_raw)
        if name == "null":
            return NullNode(loc=loc, raw=part_raw)
        if name == "object":
            return self._object(raw, ptr, loc, part_raw, typed)
        if name == "array":
            return self._array(raw, ptr, loc, part_raw, typed)
        raise self._bad_type(name, ptr)

    def _number(
        self, raw: dict[str, Any], loc: str, part_raw: Any, *, integer: bool, typed: bool
    ) -> NumberNode:
        maximum, minimum = _num(raw.get("maximum")), _num(raw.get("minimum"))
        exc_max, exc_min = raw.get("exclusiveMaximum"), raw.get("exclusiveMinimum")
        # Draft 4 spells an exclusive bound as a boolean flag on maximum/minimum
        # (later drafts refuse a boolean there, in the meta-schema check).
        if exc_max is True and self.draft4:
            exc_max, maximum = maximum, None
        if exc_min is True and self.draft4:
            exc_min, minimum = minimum, None
        return NumberNode(
            loc=loc,
            raw=part_raw,
            minimum=minimum,
            maximum=maximum,
            exclusive_minimum=_num(exc_min),
            exclusive_maximum=_num(exc_max),
            multiple_of=_num(raw.get("multipleOf")),
            integer=integer,
            typed=typed,
        )

    def _object(
        self, raw: dict[str, Any], ptr: str, loc: str, part_raw: Any, typed: bool
    ) -> ObjectNode:
        node = ObjectNode(loc=loc, raw=part_raw, typed=typed)
        props = raw.get("properties")
        if isinstance(props, dict):
            node.properties = LazyNodes(
                props, lambda name: child_pointer(ptr, "properties", name), self.node_at
            )
        required = raw.get("required")
        if isinstance(required, list):
            node.required = frozenset(r for r in required if isinstance(r, str))
        for kw in ("additionalProperties", "unevaluatedProperties"):
            if kw in raw:
                node.additional = self.node_at(child_pointer(ptr, kw))
                node.additional_kw = kw
                break
        patterns = raw.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern in patterns:
                sub = self.node_at(child_pointer(ptr, "patternProperties", pattern))
                node.patterns.append((pattern, sub))
        for kw in ("dependencies", "dependentRequired", "dependentSchemas"):
            deps = raw.get(kw)
            if not isinstance(deps, dict):
                continue
            for name, dep in deps.items():
                if isinstance(dep, list):
                    node.dependent_required[name] = frozenset(d for d in dep if isinstance(d, str))
                    node.dependent_required_kw = kw
                else:
                    node.dependent_schemas[name] = self.node_at(child_pointer(ptr, kw, name))
                    node.dependent_schemas_kw = kw
        node.min_properties = _int(raw.get("minProperties"))
        node.max_properties = _int(raw.get("maxProperties"))
        if "propertyNames" in raw:
            node.property_names = self.node_at(child_pointer(ptr, "propertyNames"))
        return node

    def _array(
        self, raw: dict[str, Any], ptr: str, loc: str, part_raw: Any, typed: bool
    ) -> ArrayNode:
        node = ArrayNode(loc=loc, raw=part_raw, typed=typed)
        items = raw.get("items")
        prefix_kw: str | None = None
        if isinstance(raw.get("prefixItems"), list):
            prefix_kw = "prefixItems"
            rest_kws: tuple[str, ...] = ("items", "unevaluatedItems")
        elif isinstance(items, list):
            prefix_kw = "items"
            rest_kws = ("additionalItems", "unevaluatedItems")
        else:
            # Confluent reads a lone additionalItems as governing every item, so do we.
            rest_kws = ("items", "additionalItems", "unevaluatedItems")
        if prefix_kw is not None:
            node.prefix_kw = prefix_kw
            node.prefix = [
                self.node_at(child_pointer(ptr, prefix_kw, i)) for i in range(len(raw[prefix_kw]))
            ]
        for kw in rest_kws:
            if kw in raw:
                node.rest = self.node_at(child_pointer(ptr, kw))
                node.rest_kw = kw
                break
        node.min_items = _int(raw.get("minItems"))
        node.max_items = _int(raw.get("maxItems"))
        node.unique = raw.get("uniqueItems") is True
        if "contains" in raw:
            node.contains = self.node_at(child_pointer(ptr, "contains"))
            node.min_contains = _int(raw.get("minContains", 1))
            node.max_contains = _int(raw.get("maxContains"))
        return node
