"""Where a ``$ref`` points: base URIs, embedded resources and anchors.

Contracts are self-contained documents, so every reference must land inside
the document itself; references are turned into JSON pointers from the
document root, which then serve as the canonical location of a subschema.
Embedded ``$id`` resources, relative references, ``$anchor`` /
``$dynamicAnchor`` and draft-6/7 fragment ids are honoured; anything pointing
outside the document is refused with an error that says which reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from edu_contracts.errors import ContractFileError

__all__ = ["DEFAULT_BASE", "ResourceIndex", "child_pointer", "subschemas"]

DEFAULT_BASE = "https://edu-contracts.invalid/schema.json"
"""Base URI of a document without ``$id``; the reserved TLD can never be fetched."""

_ONE = (
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contentSchema",
)
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def child_pointer(pointer: str, *tokens: str | int) -> str:
    """Pointer of a child; ``#`` is the root."""
    return pointer + "".join("/" + _escape(str(t)) for t in tokens)


def subschemas(raw: dict[str, Any], pointer: str) -> Iterator[tuple[str, Any]]:
    """Every direct subschema of a schema object, with its pointer."""
    for kw in _ONE:
        if kw in raw:
            yield child_pointer(pointer, kw), raw[kw]
    items = raw.get("items")
    if isinstance(items, list):
        for i, sub in enumerate(items):
            yield child_pointer(pointer, "items", i), sub
    elif items is not None:
        yield child_pointer(pointer, "items"), items
    for kw in _LIST:
        value = raw.get(kw)
        if isinstance(value, list):
            for i, sub in enumerate(value):
                yield child_pointer(pointer, kw, i), sub
    for kw in _MAP:
        value = raw.get(kw)
        if isinstance(value, dict):
            for name, sub in value.items():
                yield child_pointer(pointer, kw, name), sub
    deps = raw.get("dependencies")
    if isinstance(deps, dict):
        for name, sub in deps.items():
            if not isinstance(sub, list):
                yield child_pointer(pointer, "dependencies", name), sub


class ResourceIndex:
    """Base URI of every subschema and the pointer of every resource and anchor."""

    def __init__(self, root: Any, name: str) -> None:
        self.root = root
        self.name = name
        schema_uri = root.get("$schema", "") if isinstance(root, dict) else ""
        self._legacy_id = isinstance(schema_uri, str) and (
            "draft-04" in schema_uri or "draft-03" in schema_uri
        )
        self._resources: dict[str, str] = {DEFAULT_BASE: "#"}
        self._anchors: dict[str, str] = {}
        self.bases: dict[str, str] = {}
        self._walk(root, "#", DEFAULT_BASE)

    def _walk(self, raw: Any, pointer: str, base: str) -> None:
        # An explicit stack: deeply nested generated schemas must not hit the recursion limit.
        stack = [(raw, pointer, base)]
        while stack:
            raw, pointer, base = stack.pop()
            if isinstance(raw, dict):
                base = self._enter(raw, pointer, base)
                stack.extend((sub, ptr, base) for ptr, sub in subschemas(raw, pointer))
            self.bases[pointer] = base

    def _enter(self, raw: dict[str, Any], pointer: str, base: str) -> str:
        ident = raw.get("$id")
        if ident is None and self._legacy_id:
            ident = raw.get("id")
        if isinstance(ident, str):
            uri, fragment = urldefrag(urljoin(base, ident))
            if ident.startswith("#"):
                self._anchors[f"{base}#{fragment}"] = pointer
            else:
                base = uri
                self._resources.setdefault(uri, pointer)
                if fragment and not fragment.startswith("/"):
                    self._anchors[f"{uri}#{fragment}"] = pointer
        for kw in ("$anchor", "$dynamicAnchor"):
            anchor = raw.get(kw)
            if isinstance(anchor, str):
                self._anchors.setdefault(f"{base}#{anchor}", pointer)
        return base

    def resolve(self, ref: str, at: str) -> str:
        """The root pointer a reference written at pointer ``at`` lands on."""
        base = self.bases.get(at, DEFAULT_BASE)
        uri, fragment = urldefrag(urljoin(base, ref))
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            target = self._anchors.get(f"{uri}#{fragment}")
            if target is not None:
                return target
            raise self._unresolvable(ref, at, f"no $anchor or $id named {fragment!r}")
        resource = self._resources.get(uri)
        if resource is None:
            raise self._unresolvable(ref, at, f"{uri} is not this document nor embedded in it")
        target = resource + fragment
        self.raw_at(target, ref=ref, at=at)
        return target

    def raw_at(self, pointer: str, *, ref: str = "", at: str = "") -> Any:
        """The raw subschema at a root pointer."""
        node = self.root
        for token in pointer.lstrip("#").split("/")[1:]:
            token = _unescape(token)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise self._unresolvable(ref or pointer, at or pointer, f"{pointer} does not exist")
        return node

    def _unresolvable(self, ref: str, at: str, why: str) -> ContractFileError:
        return ContractFileError(
            f"the {self.name} schema has a $ref that cannot be resolved: {ref!r} ({why})",
            where=at,
            fix="inline the referenced schema or put it under $defs, and refer to it as "
            "'#/$defs/<name>'; contracts must be self-contained",
        )
