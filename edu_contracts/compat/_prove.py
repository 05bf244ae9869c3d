"""Proofs that every instance valid under a writer schema is valid under a reader schema.

The SEMANTIC rule set asks the question a validator answers, not the one
Confluent's rules answer: is the writer's set of instances inside the
reader's? ``Prover.prove()`` answers True only with a proof built from
sound steps; False means "not proved" (``why`` says where it stopped), and
the caller then looks for a counterexample.

The steps, each sound on its own:

- a writer that admits nothing (``false``, ``not: {}``, an empty range)
  fits every reader; a reader that admits everything takes every writer;
- the writer is a conjunction (``allOf``, ``$ref`` and the keywords beside
  them) and a case split over its ``anyOf``/``oneOf`` alternatives; writer
  keywords the proof does not use may be dropped (that only widens it);
- a writer with a finite domain (``enum``/``const``) fits when a real
  validator accepts each of its values under the reader;
- a reader ``allOf`` needs every part, ``anyOf`` one alternative, ``oneOf``
  one alternative and provable disjointness from the others, ``not`` and
  ``if`` disjointness or inclusion;
- then per JSON type, keyword by keyword (``_prove_shapes``).

Recursion is co-inductive: a pair met again while open is assumed to hold,
which is sound because the loader refuses cycles that do not descend into
the instance (``_assume`` keeps results that used an assumption only while
it holds).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from edu_contracts.compat._assume import AssumingMemo
from edu_contracts.compat._model import json_key
from edu_contracts.compat._resolve import DEFAULT_BASE, ResourceIndex, child_pointer
from edu_contracts.compat._validate import Dialect

__all__ = ["CLASSES", "NOTHING", "Conj", "Doc", "Part", "Prover", "finite", "values_of"]

Part = tuple[str, frozenset[str]]
"""A subschema (root pointer) with the keywords already accounted for elsewhere."""
Conj = frozenset[Part]
NOTHING: frozenset[str] = frozenset()

CLASSES = ("null", "boolean", "object", "array", "string", "integer", "fraction")
_OF_TYPE = {
    "null": {"null"},
    "boolean": {"boolean"},
    "object": {"object"},
    "array": {"array"},
    "string": {"string"},
    "integer": {"integer"},
    "number": {"integer", "fraction"},
}
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "id",
        "$anchor",
        "$dynamicAnchor",
        "$comment",
        "$defs",
        "definitions",
        "$vocabulary",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    }
)


class Doc:
    """One schema document: raw subschemas, references, and a validator per pointer."""

    def __init__(self, root: Any, dialect: Dialect, name: str) -> None:
        self.root = root
        self.dialect = dialect
        self.index = ResourceIndex(root, name, legacy_id=dialect.name == "draft-04")
        self._checks: dict[str, Any] = {}
        self._registry: Any = None

    def raw(self, pointer: str) -> Any:
        return self.index.raw_at(pointer)

    def ref(self, raw: dict[str, Any], pointer: str) -> str | None:
        ref = raw.get("$ref")
        return self.index.resolve(ref, pointer) if isinstance(ref, str) else None

    def valid_at(self, pointer: str, value: Any) -> bool | None:
        """Whether ``value`` is valid under the subschema at ``pointer``; None if unknowable."""
        check = self._checks.get(pointer)
        try:
            if check is None:
                check = self._checks[pointer] = self._build(pointer)
            return bool(check(value))
        except (ValueError, jsonschema_rs.ValidationError, OverflowError):
            return None

    def _build(self, pointer: str) -> Any:
        if self._registry is None:
            doc = (
                {**self.root, "$schema": self.dialect.uri}
                if isinstance(self.root, dict)
                else self.root
            )
            self._registry = jsonschema_rs.Registry([(DEFAULT_BASE, doc)])
        fragment = quote(pointer[1:], safe="/~")
        schema = {"$schema": self.dialect.uri, "$ref": f"{DEFAULT_BASE}#{fragment}"}
        validator = jsonschema_rs.validator_for(
            schema, registry=self._registry, validate_formats=True, offline=True
        )
        return validator.is_valid


@dataclass
class _Budget:
    steps: int = 0
    limit: int = 20_000


class Prover:
    """Decides ``writer ⊆ reader`` by proof, or says it could not."""

    def __init__(self, writer: Doc, reader: Doc) -> None:
        self.w = writer
        self.r = reader
        self.why: str | None = None
        self._memo: AssumingMemo[bool] = AssumingMemo(True)
        self._budget = _Budget()

    def prove(self) -> bool:
        return self.sub(frozenset({("#", NOTHING)}), ("#", NOTHING))

    def fail(self, why: str) -> bool:
        if self.why is None:
            self.why = why
        return False

    # -- the recursion ---------------------------------------------------

    def sub(self, writer: Conj, reader: Part) -> bool:
        key: Hashable = (writer, reader)
        cached = self._memo.lookup(key)
        if cached is not None:
            return cached
        self._budget.steps += 1
        if self._budget.steps > self._budget.limit:
            return self.fail("the proof search ran out of steps")
        self._memo.enter(key)
        try:
            result = self._sub(writer, reader)
        except BaseException:
            self._memo.abandon(key)
            raise
        self._memo.leave(key, result, result)
        return result

    def flatten(self, writer: Conj) -> list[tuple[str, Any, frozenset[str]]] | None:
        """The writer's conjuncts with ``$ref`` and ``allOf`` expanded; None when one is false."""
        out: list[tuple[str, Any, frozenset[str]]] = []
        seen: set[Part] = set()
        todo = list(writer)
        while todo:
            part = todo.pop()
            if part in seen:
                continue
            seen.add(part)
            pointer, skip = part
            raw = self.w.raw(pointer)
            if raw is False:
                return None
            if not isinstance(raw, dict):
                continue
            target = None if "$ref" in skip else self.w.ref(raw, pointer)
            if target is not None:
                todo.append((target, NOTHING))
                if self.w.dialect.legacy and self.w.dialect.name != "2019-09":
                    continue  # before 2019-09, keywords beside $ref are ignored
            if "allOf" not in skip and isinstance(raw.get("allOf"), list):
                todo.extend(
                    (child_pointer(pointer, "allOf", i), NOTHING) for i in range(len(raw["allOf"]))
                )
            out.append((pointer, raw, skip))
        return out

    def _sub(self, writer: Conj, reader: Part) -> bool:
        from edu_contracts.compat import _prove_shapes as shapes

        r_ptr, r_skip = reader
        r_raw = self.r.raw(r_ptr)
        if len(writer) == 1 and not r_skip:
            ((w_ptr, w_skip),) = writer
            w_raw = self.w.raw(w_ptr)
            if not w_skip and _plain(w_raw) and w_raw == r_raw:
                return True  # the same schema without references or subschemas
        conj = self.flatten(writer)
        if conj is None or shapes.empty(self, conj):
            return True
        if r_raw is True or (isinstance(r_raw, dict) and not _asserting(r_raw, r_skip)):
            return True
        # Split the writer on its first alternative: each case must fit.
        expanded = frozenset({"$ref", "allOf"})
        for pointer, raw, skip in conj:
            for kw in ("anyOf", "oneOf"):
                if kw not in skip and isinstance(raw.get(kw), list):
                    # the flattened conjuncts, marked expanded, with this one's kw split off
                    rest = frozenset(
                        (p, s | expanded) for p, _, s in conj if (p, s) != (pointer, skip)
                    ) | {(pointer, skip | expanded | {kw})}
                    return all(
                        self.sub(rest | {(child_pointer(pointer, kw, i), NOTHING)}, reader)
                        for i in range(len(raw[kw]))
                    )
        if r_raw is False:
            return self.fail(f"the reader rejects everything at {r_ptr}")
        return self._reader(writer, conj, r_ptr, r_raw, r_skip)

    def _reader(
        self,
        writer: Conj,
        conj: list[tuple[str, Any, frozenset[str]]],
        r_ptr: str,
        raw: dict[str, Any],
        skip: frozenset[str],
    ) -> bool:
        from edu_contracts.compat import _prove_shapes as shapes

        def rest(*done: str) -> Part:
            return (r_ptr, skip | set(done))

        for kw in ("$dynamicRef", "$recursiveRef"):
            if kw in raw:
                return self.fail(f"{kw} at {r_ptr} is not analysed")
        target = None if "$ref" in skip else self.r.ref(raw, r_ptr)
        if target is not None:
            legacy = self.r.dialect.legacy and self.r.dialect.name != "2019-09"
            if not self.sub(writer, (target, NOTHING)):
                return False
            return True if legacy else self.sub(writer, rest("$ref"))
        if "allOf" not in skip and isinstance(raw.get("allOf"), list):
            parts = [(child_pointer(r_ptr, "allOf", i), NOTHING) for i in range(len(raw["allOf"]))]
            return all(self.sub(writer, p) for p in parts) and self.sub(writer, rest("allOf"))
        if "anyOf" not in skip and isinstance(raw.get("anyOf"), list):
            if not self.sub(writer, rest("anyOf")):
                return False
            alternatives = [
                (child_pointer(r_ptr, "anyOf", i), NOTHING) for i in range(len(raw["anyOf"]))
            ]
            if any(self._quiet_sub(writer, alt) for alt in alternatives):
                return True
            return self.fail(f"no alternative of the reader's anyOf at {r_ptr} takes the writer")
        if "oneOf" not in skip and isinstance(raw.get("oneOf"), list):
            if not self.sub(writer, rest("oneOf")):
                return False
            choices = [child_pointer(r_ptr, "oneOf", i) for i in range(len(raw["oneOf"]))]
            for alt in choices:
                if self._quiet_sub(writer, (alt, NOTHING)) and all(
                    shapes.disjoint(self, conj, other) for other in choices if other != alt
                ):
                    return True
            return self.fail(
                f"no alternative of the reader's oneOf at {r_ptr} provably takes the writer alone"
            )
        if "not" not in skip and "not" in raw:
            if not shapes.disjoint(self, conj, child_pointer(r_ptr, "not")):
                return self.fail(f"the writer may meet the reader's 'not' at {r_ptr}")
            return self.sub(writer, rest("not"))
        if "if" not in skip and "if" in raw:
            return self._conditional(writer, conj, r_ptr, raw) and self.sub(
                writer, rest("if", "then", "else")
            )
        return shapes.typed(self, writer, conj, r_ptr, raw, skip)

    def _quiet_sub(self, writer: Conj, reader: Part) -> bool:
        """``sub`` whose failure reason is not the one to report (an alternative tried)."""
        why = self.why
        result = self.sub(writer, reader)
        self.why = why
        return result

    def _conditional(
        self, writer: Conj, conj: list[tuple[str, Any, frozenset[str]]], ptr: str, raw: Any
    ) -> bool:
        from edu_contracts.compat import _prove_shapes as shapes

        then = (child_pointer(ptr, "then"), NOTHING) if "then" in raw else None
        otherwise = (child_pointer(ptr, "else"), NOTHING) if "else" in raw else None
        then_ok = then is None or self._quiet_sub(writer, then)
        else_ok = otherwise is None or self._quiet_sub(writer, otherwise)
        if then_ok and else_ok:
            return True
        condition = (child_pointer(ptr, "if"), NOTHING)
        if then_ok and self._quiet_sub(writer, condition):
            return True  # every writer instance meets `if`, and then `then`
        if else_ok and shapes.disjoint(self, conj, condition[0]):
            return True  # no writer instance meets `if`, so `else` applies
        return self.fail(f"the reader's if/then/else at {ptr} may reject writer instances")


def _plain(raw: Any) -> bool:
    if isinstance(raw, bool):
        return True
    return (
        isinstance(raw, dict)
        and _REFS.isdisjoint(raw)  # the same $ref text may name different schemas
        and not any(isinstance(v, dict | list) for v in raw.values())
    )


_REFS = frozenset({"$ref", "$dynamicRef", "$recursiveRef"})


def _asserting(raw: dict[str, Any], skip: frozenset[str]) -> bool:
    """Whether a schema object has any keyword left that can reject an instance."""
    return any(k not in _ANNOTATIONS and k not in skip for k in raw)


def values_of(raw: dict[str, Any]) -> list[Any] | None:
    """The finite domain an ``enum``/``const`` allows, or None."""
    if "const" in raw:
        return [raw["const"]]
    if isinstance(raw.get("enum"), list):
        return list(raw["enum"])
    return None


def finite(conj: list[tuple[str, Any, frozenset[str]]]) -> list[Any] | None:
    """Values allowed by every enum/const of the writer's conjuncts, or None (no enum)."""
    domain: dict[str, Any] | None = None
    for _, raw, _ in conj:
        values = values_of(raw)
        if values is None:
            continue
        keyed = {json_key(v): v for v in values}
        domain = keyed if domain is None else {k: v for k, v in domain.items() if k in keyed}
    return None if domain is None else list(domain.values())
