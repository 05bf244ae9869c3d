"""The prover's steps for objects and arrays.

For a property name a validator applies the ``properties`` entry, *every*
matching ``patternProperties`` entry, and ``additionalProperties`` only
when neither applies; each side's schema for a name is that conjunction.
Declared names are checked one by one. Undeclared names are infinite, so
they are checked by zones: names a writer pattern matches (that pattern's
schema holds for them) and names no writer pattern matches (the writer's
additional schema holds); two patterns are assumed to share names unless
their literal prefixes prove otherwise.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from edu_contracts.compat import _regex
from edu_contracts.compat._prove import NOTHING
from edu_contracts.compat._prove_shapes import _num, in_place
from edu_contracts.compat._resolve import child_pointer

if TYPE_CHECKING:
    from edu_contracts.compat._prove import Conj, Part, Prover
    from edu_contracts.compat._prove_shapes import Flat

__all__ = ["arrays", "objects"]


def _dict(raw: dict[str, Any], kw: str) -> dict[str, Any]:
    value = raw.get(kw)
    return value if isinstance(value, dict) else {}


def _additional(raw: dict[str, Any], ptr: str, unevaluated_ok: bool) -> str | None:
    if "additionalProperties" in raw:
        return child_pointer(ptr, "additionalProperties")
    if unevaluated_ok and "unevaluatedProperties" in raw and not in_place(raw):
        return child_pointer(ptr, "unevaluatedProperties")
    return None


def _governing(doc_raw: Any, raw: dict[str, Any], ptr: str, name: str) -> list[str]:
    """Pointers of the subschemas one object schema applies to property ``name``."""
    found = []
    if name in _dict(raw, "properties"):
        found.append(child_pointer(ptr, "properties", name))
    found.extend(
        child_pointer(ptr, "patternProperties", p)
        for p in _dict(raw, "patternProperties")
        if _regex.search(p, name)
    )
    if not found:
        extra = _additional(raw, ptr, unevaluated_ok=False)
        if extra is not None:
            found.append(extra)
    return found


def _is_false(prover: Prover, side: str, pointer: str) -> bool:
    doc = prover.w if side == "w" else prover.r
    return doc.raw(pointer) is False


def objects(prover: Prover, writer: Conj, conj: Flat, r_ptr: str, raw: dict[str, Any]) -> bool:
    w_objs = [(p, r) for p, r, _ in conj if isinstance(r, dict)]
    w_required: set[str] = set()
    for _, w in w_objs:
        if isinstance(w.get("required"), list):
            w_required.update(x for x in w["required"] if isinstance(x, str))

    def writer_for(name: str) -> list[str] | None:
        """The writer's subschemas for ``name``; None when the writer never has it."""
        found = [g for p, w in w_objs for g in _governing(None, w, p, name)]
        return None if any(_is_false(prover, "w", g) for g in found) else found

    required: list[Any] = raw["required"] if isinstance(raw.get("required"), list) else []
    for name in required:
        if name not in w_required:
            return prover.fail(f"the reader requires {name!r} at {r_ptr}; the writer may omit it")
    names = set(_dict(raw, "properties"))
    for _, w in w_objs:
        names |= set(_dict(w, "properties"))
    for name in sorted(names):
        mine = writer_for(name)
        if mine is None:
            continue
        for theirs in _governing(None, raw, r_ptr, name):
            if not prover.sub(frozenset((g, NOTHING) for g in mine), (theirs, NOTHING)):
                return False
    if not _undeclared(prover, w_objs, r_ptr, raw):
        return False
    return _object_counts(prover, w_objs, w_required, writer_for, r_ptr, raw)


def _closed(prover: Prover, w_objs: list[tuple[str, Any]]) -> tuple[str, Any] | None:
    """A writer conjunct that allows no undeclared name at all, if there is one."""
    for ptr, w in w_objs:
        extra = _additional(w, ptr, unevaluated_ok=True)
        if extra is not None and prover.w.raw(extra) is False and not _dict(w, "patternProperties"):
            return ptr, w
    return None


def _undeclared(prover: Prover, w_objs: list[tuple[str, Any]], r_ptr: str, raw: Any) -> bool:
    if _closed(prover, w_objs) is not None:
        return True
    r_patterns = _dict(raw, "patternProperties")
    r_extra = _additional(raw, r_ptr, unevaluated_ok=True)
    if "unevaluatedProperties" in raw and r_extra is None:
        return prover.fail(f"unevaluatedProperties beside other applicators at {r_ptr}")
    # One writer conjunct stands for the writer here (dropping the others only widens it).
    ptr, w = next(
        ((p, o) for p, o in w_objs if _dict(o, "patternProperties") or "additionalProperties" in o),
        ("", {}),
    )
    w_patterns = _dict(w, "patternProperties")
    w_extra = _additional(w, ptr, unevaluated_ok=True) if ptr else None
    w_everything = any(_regex.matches_everything(p) for p in w_patterns)

    def fits(source: str | None, target: str) -> bool:
        if source is not None and prover.w.raw(source) is False:
            return True
        writer = frozenset() if source is None else frozenset({(source, NOTHING)})
        return prover.sub(writer, (target, NOTHING))

    for pattern in r_patterns:
        target = child_pointer(r_ptr, "patternProperties", pattern)
        for other in w_patterns:
            overlapping = _regex.may_overlap(pattern, other)
            if overlapping and not fits(child_pointer(ptr, "patternProperties", other), target):
                return False
        if pattern not in w_patterns and not w_everything and not fits(w_extra, target):
            return False
    if r_extra is not None and prover.r.raw(r_extra) is not True:
        if any(_regex.matches_everything(p) for p in r_patterns):
            return True
        for other in w_patterns:
            if other not in r_patterns and not fits(
                child_pointer(ptr, "patternProperties", other), r_extra
            ):
                return False
        if not w_everything and not fits(w_extra, r_extra):
            return False
    return True


def _object_counts(
    prover: Prover,
    w_objs: list[tuple[str, Any]],
    w_required: set[str],
    writer_for: Any,
    r_ptr: str,
    raw: dict[str, Any],
) -> bool:
    r_min, r_max = _num(raw.get("minProperties")), _num(raw.get("maxProperties"))
    if r_min is not None:
        w_min = max(
            [len(w_required)] + [math.ceil(_num(w.get("minProperties")) or 0) for _, w in w_objs]
        )
        if w_min < r_min:
            return prover.fail(f"the reader's minProperties at {r_ptr} is above the writer's")
    if r_max is not None:
        bounds = [_num(w.get("maxProperties")) for _, w in w_objs]
        w_max = min((b for b in bounds if b is not None), default=None)
        closed = _closed(prover, w_objs)
        if closed is not None:
            declared = Fraction(len(_dict(closed[1], "properties")))
            w_max = declared if w_max is None else min(w_max, declared)
        if w_max is None or w_max > r_max:
            return prover.fail(f"the reader's maxProperties at {r_ptr} is below the writer's")
    if "propertyNames" in raw:
        target = child_pointer(r_ptr, "propertyNames")
        mine = [child_pointer(p, "propertyNames") for p, w in w_objs if "propertyNames" in w]
        closed = _closed(prover, w_objs)
        if closed is not None and all(
            prover.r.valid_at(target, n) for n in _dict(closed[1], "properties")
        ):
            pass
        elif not (mine and prover.sub(frozenset((m, NOTHING) for m in mine), (target, NOTHING))):
            return prover.fail(f"the reader's propertyNames at {r_ptr} may reject writer names")
    for kw in ("dependentRequired", "dependencies", "dependentSchemas"):
        for name, dep in _dict(raw, kw).items():
            if writer_for(name) is None:
                continue
            if isinstance(dep, list):
                if set(dep) <= w_required or any(
                    set(dep) <= set(_dict(w, kw2).get(name, []) or [])
                    for _, w in w_objs
                    for kw2 in ("dependentRequired", "dependencies")
                    if isinstance(_dict(w, kw2).get(name), list)
                ):
                    continue
                return prover.fail(f"the reader's {kw} of {name!r} at {r_ptr} is new")
            target = child_pointer(r_ptr, kw, name)
            whole = frozenset((p, NOTHING) for p, _ in w_objs)
            if not prover.sub(whole, (target, NOTHING)):
                return False
    return True


# -- arrays -------------------------------------------------------------------


def _layout(raw: dict[str, Any], ptr: str, legacy: bool) -> tuple[list[str], str | None]:
    """Pointers of the tuple items and of the rest (None: unconstrained)."""
    if legacy:
        items = raw.get("items")
        if isinstance(items, list):
            prefix = [child_pointer(ptr, "items", i) for i in range(len(items))]
            rest = child_pointer(ptr, "additionalItems") if "additionalItems" in raw else None
            return prefix, rest
        return [], child_pointer(ptr, "items") if "items" in raw else None
    prefix_raw = raw.get("prefixItems")
    prefix = (
        [child_pointer(ptr, "prefixItems", i) for i in range(len(prefix_raw))]
        if isinstance(prefix_raw, list)
        else []
    )
    return prefix, child_pointer(ptr, "items") if "items" in raw else None


def arrays(prover: Prover, conj: Flat, r_ptr: str, raw: dict[str, Any]) -> bool:
    w_legacy, r_legacy = prover.w.dialect.legacy, prover.r.dialect.legacy
    w_layouts = [_layout(w, p, w_legacy) for p, w, _ in conj if isinstance(w, dict)]
    mins = [math.ceil(_num(w.get("minItems")) or 0) for _, w, _ in conj]
    maxes = [_num(w.get("maxItems")) for _, w, _ in conj]
    w_min = max(mins, default=0)
    w_max = min((m for m in maxes if m is not None), default=None)
    r_min, r_max = _num(raw.get("minItems")), _num(raw.get("maxItems"))
    if r_min is not None and w_min < r_min:
        return prover.fail(f"the reader's minItems at {r_ptr} is above the writer's")
    if r_max is not None and (w_max is None or w_max > r_max):
        return prover.fail(f"the reader's maxItems at {r_ptr} is below the writer's")
    if raw.get("uniqueItems") is True and not (
        any(w.get("uniqueItems") is True for _, w, _ in conj) or (w_max is not None and w_max <= 1)
    ):
        return prover.fail(f"the reader requires unique items at {r_ptr}")
    r_prefix, r_rest = _layout(raw, r_ptr, r_legacy)
    if "unevaluatedItems" in raw:
        if in_place(raw):
            return prover.fail(f"unevaluatedItems beside other applicators at {r_ptr}")
        if r_rest is None:
            r_rest = child_pointer(r_ptr, "unevaluatedItems")

    def writer_at(index: int | None) -> Conj:
        parts = set()
        for prefix, rest in w_layouts:
            if index is not None and index < len(prefix):
                parts.add((prefix[index], NOTHING))
            elif rest is not None:
                parts.add((rest, NOTHING))
        return frozenset(parts)

    width = max([len(r_prefix)] + [len(p) for p, _ in w_layouts])
    for index in range(width):
        if w_max is not None and index >= w_max:
            return True
        target = r_prefix[index] if index < len(r_prefix) else r_rest
        if target is not None and not prover.sub(writer_at(index), (target, NOTHING)):
            return False
    beyond = w_max is None or w_max > width
    if r_rest is not None and beyond and not prover.sub(writer_at(None), (r_rest, NOTHING)):
        return False
    tuples = any(prefix for prefix, _ in w_layouts)
    return _contains(prover, conj, w_min if not tuples else 0, writer_at, r_ptr, raw)


def _contains(
    prover: Prover, conj: Flat, w_min: int, writer_at: Any, r_ptr: str, raw: dict[str, Any]
) -> bool:
    """``w_min`` is 0 when the writer has tuple items (then "every item" is not one schema)."""
    if "contains" not in raw:
        return True
    if "maxContains" in raw:
        return prover.fail(f"maxContains at {r_ptr} is not analysed")
    need = _num(raw.get("minContains", 1))
    if need is None or need <= 0:
        return True
    target: Part = (child_pointer(r_ptr, "contains"), NOTHING)
    for ptr, w, _ in conj:
        enough = "contains" in w and (_num(w.get("minContains", 1)) or 0) >= need
        mine = frozenset({(child_pointer(ptr, "contains"), NOTHING)})
        if enough and prover.sub(mine, target):
            return True
    if w_min >= need and prover.sub(writer_at(None), target):
        return True  # every item matches, and there are enough of them
    return prover.fail(f"the reader's contains at {r_ptr} may find no match")
