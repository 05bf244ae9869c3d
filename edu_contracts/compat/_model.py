"""The typed view of a JSON Schema that the diff walks.

A raw schema mixes keywords for several instance types in one object
(``{"type": "string", "enum": [...]}``); the diff needs one node per
constraint family so it can compare like with like. This is the same
decomposition Confluent's loader (everit) makes, which is what lets our
verdicts match theirs: several families in one object become a synthetic
``allOf``, a list of types becomes an ``anyOf``.

Nodes are plain mutable-free records; ``loc`` is the node's canonical place
(JSON pointer into the root document, plus ``@part`` for synthetic parts) and
keys both the cycle guard and the memo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "MISSING",
    "AnyNode",
    "ArrayNode",
    "BooleanNode",
    "CombinedNode",
    "ConditionalNode",
    "EnumNode",
    "NeverNode",
    "Node",
    "NotNode",
    "NullNode",
    "NumberNode",
    "ObjectNode",
    "RefNode",
    "StringNode",
    "deref",
    "has_default",
    "json_key",
]

MISSING: Any = object()


def json_key(value: Any) -> str:
    """A hashable key with JSON equality: ``1 == 1.0`` but ``true != 1``."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return f"n:{value:x}"  # hex: exact, and free of the decimal digit limit
    if isinstance(value, float):
        return f"n:{int(value):x}" if value.is_integer() else f"n:{value!r}"
    if isinstance(value, str):
        return "s:" + value
    if isinstance(value, list):
        return "[" + ",".join(json_key(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{json_key(value[k])}" for k in sorted(value)) + "}"
    return repr(value)


@dataclass(eq=False)
class Node:
    """Common part of every node: where it came from and its annotations."""

    loc: str
    raw: Any
    title: Any = None
    description: Any = None
    default: Any = MISSING
    id: Any = None
    kind: ClassVar[str] = "node"

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING

    @property
    def key(self) -> str:
        """Structural identity, used to drop duplicate subschemas of a combination."""
        return json_key(self.raw)


@dataclass(eq=False)
class AnyNode(Node):
    """``true`` or ``{}``: accepts every instance."""

    kind: ClassVar[str] = "any"


@dataclass(eq=False)
class NeverNode(Node):
    """``false``: accepts nothing."""

    kind: ClassVar[str] = "never"


@dataclass(eq=False)
class StringNode(Node):
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None
    typed: bool = True
    """False when only string keywords were given: non-strings then pass."""
    kind: ClassVar[str] = "string"


@dataclass(eq=False)
class NumberNode(Node):
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    multiple_of: float | None = None
    integer: bool = False
    typed: bool = True
    kind: ClassVar[str] = "number"


@dataclass(eq=False)
class BooleanNode(Node):
    kind: ClassVar[str] = "boolean"


@dataclass(eq=False)
class NullNode(Node):
    kind: ClassVar[str] = "null"


@dataclass(eq=False)
class EnumNode(Node):
    """``enum`` or ``const`` (a one-value enum, so widening a const is an extension)."""

    values: tuple[Any, ...] = ()
    keys: frozenset[str] = frozenset()
    is_const: bool = False
    kind: ClassVar[str] = "enum"


@dataclass(eq=False)
class NotNode(Node):
    inner: Node | None = None
    kind: ClassVar[str] = "not"


@dataclass(eq=False)
class ConditionalNode(Node):
    """``if``/``then``/``else``, compared by value only."""

    kind: ClassVar[str] = "conditional"


@dataclass(eq=False)
class CombinedNode(Node):
    criterion: str = "allOf"
    """``allOf``, ``anyOf`` or ``oneOf``."""
    subs: list[Node] = field(default_factory=list)
    segment: str | None = None
    """Pointer segment of the subschemas, or None when the combination is synthetic."""
    kind: ClassVar[str] = "combined"


@dataclass(eq=False)
class ObjectNode(Node):
    properties: Mapping[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: Node | None = None
    """``additionalProperties`` (or ``unevaluatedProperties``); None when absent."""
    additional_kw: str = "additionalProperties"
    patterns: list[tuple[str, Node]] = field(default_factory=list)
    """``patternProperties`` entries; patterns are ECMA-262, matched with ``_regex``."""
    dependent_required: dict[str, frozenset[str]] = field(default_factory=dict)
    dependent_schemas: dict[str, Node] = field(default_factory=dict)
    dependent_required_kw: str = "dependentRequired"
    dependent_schemas_kw: str = "dependentSchemas"
    min_properties: int | None = None
    max_properties: int | None = None
    property_names: Node | None = None
    typed: bool = True
    kind: ClassVar[str] = "object"


@dataclass(eq=False)
class ArrayNode(Node):
    prefix: list[Node] = field(default_factory=list)
    prefix_kw: str = "prefixItems"
    rest: Node | None = None
    """Schema of items after the prefix (all items when there is none); None when absent."""
    rest_kw: str = "items"
    min_items: int | None = None
    max_items: int | None = None
    unique: bool = False
    contains: Node | None = None
    min_contains: int | None = None
    max_contains: int | None = None
    typed: bool = True
    kind: ClassVar[str] = "array"


@dataclass(eq=False)
class RefNode(Node):
    """A ``$ref``, resolved lazily so recursive schemas load in finite time."""

    target: str = ""
    resolver: Callable[[str], Node] | None = None
    kind: ClassVar[str] = "ref"

    def resolve(self) -> Node:
        assert self.resolver is not None
        return self.resolver(self.target)


def deref(node: Node) -> Node:
    """Follow references until a real node.

    A chain of references that comes back to itself never reaches a schema:
    validators recurse forever on it, so it is refused rather than guessed.
    """
    seen: list[str] = []
    while isinstance(node, RefNode):
        if node.loc in seen:
            from edu_contracts.errors import ContractFileError

            chain = " -> ".join([*seen[seen.index(node.loc) :], node.loc])
            raise ContractFileError(
                "a $ref cycle never reaches a schema",
                where=chain,
                fix="point one $ref of the cycle at a schema with keywords (or true/false)",
            )
        seen.append(node.loc)
        node = node.resolve()
    return node


def has_default(node: Node) -> bool:
    """True when the node, or a definition it refers to, declares a default."""
    if node.has_default:
        return True
    return deref(node).has_default
