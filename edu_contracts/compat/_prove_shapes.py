"""The per-type steps of the prover: numbers, strings, objects, arrays; emptiness; disjointness.

Numbers are compared as exact rationals of the IEEE doubles JSON parses
into (``Fraction(0.1)`` is the double nearest 0.1, which is what
``jsonschema`` divides by when its float check overflows), so ``0.1 ->
1e-308`` is not a divisor chain while ``0.1 -> 0.05`` is. Patterns are
never compared as languages: a reader pattern is proved only by the same
pattern in the writer (or a writer that only holds the empty string).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from edu_contracts.compat import _regex
from edu_contracts.compat._load import ARRAY_KWS, NUMBER_KWS, OBJECT_KWS, STRING_KWS
from edu_contracts.compat._prove import _OF_TYPE, CLASSES, NOTHING, finite, values_of
from edu_contracts.compat._resolve import child_pointer

if TYPE_CHECKING:
    from edu_contracts.compat._prove import Conj, Prover

__all__ = ["Flat", "classes", "disjoint", "empty", "in_place", "typed", "writer_classes"]

Flat = list[tuple[str, Any, frozenset[str]]]
_ASSERTED_FORMATS = frozenset(
    [
        "date-time",
        "date",
        "time",
        "duration",
        "email",
        "idn-email",
        "hostname",
        "idn-hostname",
        "ipv4",
        "ipv6",
        "uri",
        "uri-reference",
        "iri",
        "iri-reference",
        "uuid",
        "uri-template",
        "json-pointer",
        "relative-json-pointer",
        "regex",
    ]
)
# the keywords that constrain each type, as the loader classifies them
_STRING, _NUMBER, _OBJECT, _ARRAY = STRING_KWS, NUMBER_KWS, OBJECT_KWS, ARRAY_KWS
_IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "$ref", "dependentSchemas", "dependencies")


def _num(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Fraction(value)


def classes(raw: Any) -> set[str]:
    """JSON type classes a schema object's ``type`` keyword allows (all when absent)."""
    declared = raw.get("type") if isinstance(raw, dict) else None
    if declared is None:
        return set(CLASSES)
    names = declared if isinstance(declared, list) else [declared]
    out: set[str] = set()
    for name in names:
        out |= _OF_TYPE.get(name, set())
    return out


def writer_classes(conj: Flat) -> set[str]:
    found = set(CLASSES)
    for _, raw, _ in conj:
        found &= classes(raw)
    return found


# -- numbers ----------------------------------------------------------------


def _bounds(raw: dict[str, Any], draft4: bool) -> tuple[Any, ...]:
    low, high = _num(raw.get("minimum")), _num(raw.get("maximum"))
    exc_low, exc_high = raw.get("exclusiveMinimum"), raw.get("exclusiveMaximum")
    if draft4:
        return low, exc_low is True, high, exc_high is True
    el, eh = _num(exc_low), _num(exc_high)
    lo, lo_x = low, False
    if el is not None and (lo is None or el >= lo):
        lo, lo_x = el, True
    hi, hi_x = high, False
    if eh is not None and (hi is None or eh <= hi):
        hi, hi_x = eh, True
    return lo, lo_x, hi, hi_x


def _writer_range(conj: Flat, draft4: bool) -> tuple[Any, bool, Any, bool, list[Fraction]]:
    lo: Fraction | None = None
    hi: Fraction | None = None
    lo_x = hi_x = False
    steps: list[Fraction] = []
    for _, raw, _ in conj:
        a, ax, b, bx = _bounds(raw, draft4)
        if a is not None and (lo is None or a > lo or (a == lo and ax)):
            lo, lo_x = a, ax
        if b is not None and (hi is None or b < hi or (b == hi and bx)):
            hi, hi_x = b, bx
        step = _num(raw.get("multipleOf"))
        if step is not None and step > 0:
            steps.append(step)
    return lo, lo_x, hi, hi_x, steps


def _integer_range(lo: Any, lo_x: bool, hi: Any, hi_x: bool) -> tuple[Any, Any]:
    ilo = None if lo is None else (math.floor(lo) + 1 if lo_x else math.ceil(lo))
    ihi = None if hi is None else (math.ceil(hi) - 1 if hi_x else math.floor(hi))
    return ilo, ihi


def _numbers(prover: Prover, conj: Flat, cls: str, r_ptr: str, raw: dict[str, Any]) -> bool:
    draft4w = prover.w.dialect.name == "draft-04"
    lo, lo_x, hi, hi_x, steps = _writer_range(conj, draft4w)
    if cls == "integer":
        ilo, ihi = _integer_range(lo, lo_x, hi, hi_x)
        lo, lo_x, hi, hi_x = ilo, False, ihi, False
        steps = [*steps, Fraction(1)]
    r_lo, r_lo_x, r_hi, r_hi_x = _bounds(raw, prover.r.dialect.name == "draft-04")
    if r_lo is not None and not (
        lo is not None and (lo > r_lo or (lo == r_lo and (lo_x or not r_lo_x)))
    ):
        return prover.fail(f"the reader's lower bound at {r_ptr} is above the writer's")
    if r_hi is not None and not (
        hi is not None and (hi < r_hi or (hi == r_hi and (hi_x or not r_hi_x)))
    ):
        return prover.fail(f"the reader's upper bound at {r_ptr} is below the writer's")
    step = _num(raw.get("multipleOf"))
    if step is not None and step > 0 and not any((s / step).denominator == 1 for s in steps):
        return prover.fail(f"the reader's multipleOf at {r_ptr} does not divide the writer's")
    return True


def _number_empty(conj: Flat, draft4: bool, integer_only: bool) -> bool:
    lo, lo_x, hi, hi_x, _steps = _writer_range(conj, draft4)
    if integer_only:
        lo, hi = _integer_range(lo, lo_x, hi, hi_x)
        return lo is not None and hi is not None and lo > hi
    if lo is None or hi is None:
        return False
    return lo > hi or (lo == hi and (lo_x or hi_x))


def _fraction_empty(conj: Flat) -> bool:
    """No non-integer number fits: some step is a whole number."""
    for _, raw, _ in conj:
        step = _num(raw.get("multipleOf"))
        if step is not None and step > 0 and step.denominator == 1:
            return True
    return False


# -- strings ----------------------------------------------------------------


def _lengths(conj: Flat) -> tuple[int, int | None]:
    low, high = 0, None
    for _, raw, _ in conj:
        a, b = _num(raw.get("minLength")), _num(raw.get("maxLength"))
        if a is not None:
            low = max(low, math.ceil(a))
        if b is not None:
            high = math.floor(b) if high is None else min(high, math.floor(b))
    return low, high


def _strings(prover: Prover, conj: Flat, r_ptr: str, raw: dict[str, Any]) -> bool:
    low, high = _lengths(conj)
    r_low, r_high = _num(raw.get("minLength")), _num(raw.get("maxLength"))
    if r_low is not None and low < r_low:
        return prover.fail(f"the reader's minLength at {r_ptr} is above the writer's")
    if r_high is not None and (high is None or high > r_high):
        return prover.fail(f"the reader's maxLength at {r_ptr} is below the writer's")
    pattern = raw.get("pattern")
    if isinstance(pattern, str):
        same = any(r.get("pattern") == pattern for _, r, _ in conj)
        if not same and not (high == 0 and _regex.search(pattern, "")):
            return prover.fail(
                f"the reader's pattern at {r_ptr} is not the writer's "
                "(inclusion of regular languages is not decided)"
            )
    fmt = raw.get("format")
    asserted = isinstance(fmt, str) and fmt in _ASSERTED_FORMATS
    if asserted and not any(r.get("format") == fmt for _, r, _ in conj):
        return prover.fail(f"the reader asserts format {fmt!r} at {r_ptr}")
    return True


# -- emptiness and disjointness ----------------------------------------------


def empty(prover: Prover, conj: Flat) -> bool:
    """Provably no instance satisfies every conjunct."""
    for _, raw, _ in conj:
        inner = raw.get("not")
        if inner is True or inner == {}:
            return True
    values = finite(conj)
    if values is not None:
        return not any(_all_valid(prover, conj, v) for v in values)
    draft4 = prover.w.dialect.name == "draft-04"
    live = writer_classes(conj)
    if "integer" in live and _number_empty(conj, draft4, True):
        live.discard("integer")
    if "fraction" in live and (_fraction_empty(conj) or _number_empty(conj, draft4, False)):
        live.discard("fraction")
    if "string" in live:
        low, high = _lengths(conj)
        if high is not None and low > high:
            live.discard("string")
    return not live


def _all_valid(prover: Prover, conj: Flat, value: Any) -> bool:
    """Whether ``value`` is valid under every writer conjunct (unknown counts as valid)."""
    return all(prover.w.valid_at(ptr, value) is not False for ptr, _, _ in conj)


def _deref(prover: Prover, pointer: str) -> tuple[str, Any]:
    """Follow a reader-side chain of bare ``$ref``s to the schema it names."""
    raw = prover.r.raw(pointer)
    for _ in range(64):
        if not (isinstance(raw, dict) and set(raw) - {"$ref", "$comment"} == set()):
            break
        target = prover.r.ref(raw, pointer)
        if target is None:
            break
        pointer, raw = target, prover.r.raw(target)
    return pointer, raw


def disjoint(prover: Prover, conj: Flat, other: str) -> bool:
    """Provably no writer instance is valid under the reader subschema at ``other``."""
    pointer, raw = _deref(prover, other)
    if raw is False:
        return True
    if raw is True or raw == {}:
        return empty(prover, conj)
    if not isinstance(raw, dict):
        return False
    if not (writer_classes(conj) & classes(raw)):
        return True
    values = values_of(raw)
    if values is not None and all(not _all_valid(prover, conj, v) for v in values):
        return True
    mine = finite(conj)
    if mine is not None and all(prover.r.valid_at(pointer, v) is False for v in mine):
        return True
    if "not" in raw and prover._quiet_sub(
        frozenset((p, s) for p, _, s in conj), (child_pointer(pointer, "not"), NOTHING)
    ):
        return True
    return _discriminated(prover, conj, pointer, raw)


def _discriminated(prover: Prover, conj: Flat, pointer: str, raw: dict[str, Any]) -> bool:
    """A required property whose const/enum values differ (pydantic's tagged unions)."""
    required = set(raw.get("required", []) if isinstance(raw.get("required"), list) else [])
    props: dict[str, Any] = raw["properties"] if isinstance(raw.get("properties"), dict) else {}
    w_required: set[str] = set()
    for _, w_raw, _ in conj:
        if isinstance(w_raw.get("required"), list):
            w_required.update(w_raw["required"])
    for name in required & w_required & set(props):
        _, theirs = _deref(prover, child_pointer(pointer, "properties", name))
        their_values = values_of(theirs) if isinstance(theirs, dict) else None
        if their_values is None:
            continue
        for w_ptr, w_raw, _ in conj:
            w_props = w_raw.get("properties")
            if not isinstance(w_props, dict) or name not in w_props:
                continue
            sub = child_pointer(w_ptr, "properties", name)
            mine = prover.w.raw(sub)
            my_values = values_of(mine) if isinstance(mine, dict) else None
            if my_values is not None and not any(
                prover.r.valid_at(child_pointer(pointer, "properties", name), v) is not False
                for v in my_values
            ):
                return True
    return False


# -- dispatch ---------------------------------------------------------------


def typed(
    prover: Prover,
    writer: Conj,
    conj: Flat,
    r_ptr: str,
    raw: dict[str, Any],
    skip: frozenset[str],
) -> bool:
    """The reader is one schema object with no combinators left: compare type by type."""
    from edu_contracts.compat import _prove_containers as containers

    values = finite(conj)
    live = writer_classes(conj)
    if values is None and live <= {"boolean", "null"}:
        values = [
            v for v, cls in ((True, "boolean"), (False, "boolean"), (None, "null")) if cls in live
        ]
    if values is not None:
        kept = [v for v in values if _all_valid(prover, conj, v)]
        verdicts = [prover.r.valid_at(r_ptr, v) for v in kept]
        if all(v is True for v in verdicts):
            return True  # valid under the whole reader object, so under what is left of it
        if not skip and any(v is False for v in verdicts):
            return prover.fail(f"a value of the writer's enum fails the reader at {r_ptr}")
    if "const" in raw or "enum" in raw:
        return prover.fail(f"the reader allows only listed values at {r_ptr}")
    r_classes = classes(raw)
    draft4 = prover.w.dialect.name == "draft-04"
    for cls in sorted(writer_classes(conj)):
        if cls == "fraction" and (_fraction_empty(conj) or _number_empty(conj, draft4, False)):
            continue
        if cls == "integer" and _number_empty(conj, draft4, True):
            continue
        if cls not in r_classes:
            return prover.fail(
                f"the writer allows {_type_word(cls)} where the reader at {r_ptr} does not"
            )
        if cls in ("integer", "fraction") and any(k in raw for k in _NUMBER):
            if not _numbers(prover, conj, cls, r_ptr, raw):
                return False
        elif cls == "string" and any(k in raw for k in _STRING):
            if not _strings(prover, conj, r_ptr, raw):
                return False
        elif cls == "object" and any(k in raw for k in _OBJECT):
            if not containers.objects(prover, writer, conj, r_ptr, raw):
                return False
        elif (
            cls == "array"
            and any(k in raw for k in _ARRAY)
            and not containers.arrays(prover, conj, r_ptr, raw)
        ):
            return False
    return True


def _type_word(cls: str) -> str:
    return "non-integer numbers" if cls == "fraction" else f"{cls} values"


def in_place(raw: dict[str, Any]) -> bool:
    """Whether other applicators may evaluate properties or items (for ``unevaluated*``)."""
    return any(k in raw for k in _IN_PLACE)
