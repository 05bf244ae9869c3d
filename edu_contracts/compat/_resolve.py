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


_IN_PLACE = frozenset(
    {"$ref", "$dynamicRef", "$recursiveRef", "allOf", "anyOf", "oneOf", "not", "if", "then"}
    | {"else", "dependentSchemas", "dependencies"}
)
_ANY_SUB = frozenset((*_ONE, *_LIST, *_MAP, "items", "dependencies"))


def subschemas(raw: dict[str, Any], pointer: str) -> Iterator[tuple[str, Any]]:
    """Every direct subschema of a schema object, with its pointer."""
    if _ANY_SUB.isdisjoint(raw):
        return  # most subschemas are leaves: one set test instead of thirty lookups
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

    def __init__(self, root: Any, name: str, *, legacy_id: bool | None = None) -> None:
        self.root = root
        self.name = name
        if legacy_id is None:
            schema_uri = root.get("$schema", "") if isinstance(root, dict) else ""
            legacy_id = isinstance(schema_uri, str) and "draft-04" in schema_uri
        self._legacy_id = legacy_id
        self._resources: dict[str, str] = {DEFAULT_BASE: "#"}
        self._anchors: dict[str, str] = {}
        self.bases: dict[str, str] = {}
        self._raw: dict[str, Any] = {}
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
            self._raw[pointer] = raw

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
        if pointer in self._raw:
            return self._raw[pointer]
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

    def in_place(self, pointer: str) -> Iterator[str]:
        """Subschemas applied to the same instance as the one at ``pointer``."""
        raw = self.raw_at(pointer)
        if not isinstance(raw, dict) or _IN_PLACE.isdisjoint(raw):
            return
        for kw in ("$ref", "$dynamicRef", "$recursiveRef"):
            if isinstance(raw.get(kw), str):
                yield self.resolve(raw[kw], pointer)
        for kw in ("allOf", "anyOf", "oneOf"):
            if isinstance(raw.get(kw), list):
                yield from (child_pointer(pointer, kw, i) for i in range(len(raw[kw])))
        for kw in ("not", "if", "then", "else"):
            if kw in raw:
                yield child_pointer(pointer, kw)
        for kw in ("dependentSchemas", "dependencies"):
            deps = raw.get(kw)
            if isinstance(deps, dict):
                for name, dep in deps.items():
                    if not isinstance(dep, list):
                        yield child_pointer(pointer, kw, name)

    def in_place_cycle(self) -> list[str] | None:
        """A loop of subschemas that apply to one instance and lead back to themselves.

        ``N = allOf [{$ref N}, ...]`` never reaches a keyword that looks at the
        data: a validator recurses on it forever, so no verdict about it can
        be right. A loop through ``properties`` or ``items`` is fine (a tree
        type): it descends into the instance, which is finite.
        """
        state: dict[str, int] = {}  # 1 on the path, 2 done
        for start in self.bases:
            if start in state:
                continue
            path: list[str] = [start]
            iters = [self.in_place(start)]
            state[start] = 1
            while iters:
                nxt = next(iters[-1], None)
                if nxt is None:
                    state[path.pop()] = 2
                    iters.pop()
                elif state.get(nxt) == 1:
                    return [*path[path.index(nxt) :], nxt]
                elif nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    iters.append(self.in_place(nxt))
        return None

    def _unresolvable(self, ref: str, at: str, why: str) -> ContractFileError:
        return ContractFileError(
            f"the {self.name} schema has a $ref that cannot be resolved: {ref!r} ({why})",
            where=at,
            fix="inline the referenced schema or put it under $defs, and refer to it as "
            "'#/$defs/<name>'; contracts must be self-contained",
        )
