"""Strings, numbers and enumerations: bounds, patterns, formats and value sets."""

from __future__ import annotations

from fractions import Fraction

from edu_contracts.compat._context import Context
from edu_contracts.compat._model import EnumNode, NumberNode, StringNode, json_key
from edu_contracts.compat.kinds import ChangeKind

__all__ = ["compare_bound", "compare_enum", "compare_number", "compare_string"]


def compare_bound(
    ctx: Context, keyword: str, family: str, old: float | None, new: float | None
) -> None:
    """One numeric keyword; whether a change tightens it is the catalog's business."""
    if old == new:
        return
    if old is None:
        suffix = "ADDED"
    elif new is None:
        suffix = "REMOVED"
    elif old < new:
        suffix = "INCREASED"
    else:
        suffix = "DECREASED"
    ctx.add(ChangeKind[f"{family}_{suffix}"], keyword, old=old, new=new)


def _type_change(ctx: Context, old_rank: int, new_rank: int, old: str, new: str) -> None:
    if new_rank > old_rank:
        ctx.add(ChangeKind.TYPE_EXTENDED, old=old, new=new)
    elif new_rank < old_rank:
        ctx.add(ChangeKind.TYPE_NARROWED, old=old, new=new)


def compare_string(ctx: Context, old: StringNode, new: StringNode) -> None:
    compare_bound(ctx, "maxLength", "MAX_LENGTH", old.max_length, new.max_length)
    compare_bound(ctx, "minLength", "MIN_LENGTH", old.min_length, new.min_length)
    if old.pattern != new.pattern:
        if old.pattern is None:
            ctx.add(ChangeKind.PATTERN_ADDED, "pattern", new=new.pattern)
        elif new.pattern is None:
            ctx.add(ChangeKind.PATTERN_REMOVED, "pattern", old=old.pattern)
        else:
            ctx.add(ChangeKind.PATTERN_CHANGED, "pattern", old=old.pattern, new=new.pattern)
    if old.format != new.format:
        if old.format is None:
            ctx.add(ChangeKind.FORMAT_ADDED, "format", new=new.format)
        elif new.format is None:
            ctx.add(ChangeKind.FORMAT_REMOVED, "format", old=old.format)
        else:
            ctx.add(ChangeKind.FORMAT_CHANGED, "format", old=old.format, new=new.format)
    _type_change(
        ctx,
        int(not old.typed),
        int(not new.typed),
        "string" if old.typed else "any type",
        "string" if new.typed else "any type",
    )


def _number_rank(node: NumberNode) -> tuple[int, str]:
    if not node.typed:
        return 2, "any type"
    return (0, "integer") if node.integer else (1, "number")


def compare_number(ctx: Context, old: NumberNode, new: NumberNode) -> None:
    compare_bound(ctx, "maximum", "MAXIMUM", old.maximum, new.maximum)
    compare_bound(ctx, "minimum", "MINIMUM", old.minimum, new.minimum)
    compare_bound(
        ctx, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM", old.exclusive_maximum, new.exclusive_maximum
    )
    compare_bound(
        ctx, "exclusiveMinimum", "EXCLUSIVE_MINIMUM", old.exclusive_minimum, new.exclusive_minimum
    )
    _compare_multiple_of(ctx, old.multiple_of, new.multiple_of)
    old_rank, old_name = _number_rank(old)
    new_rank, new_name = _number_rank(new)
    _type_change(ctx, old_rank, new_rank, old_name, new_name)


def _compare_multiple_of(ctx: Context, old: float | None, new: float | None) -> None:
    if old == new:
        return
    if old is None:
        ctx.add(ChangeKind.MULTIPLE_OF_ADDED, "multipleOf", new=new)
        return
    if new is None:
        ctx.add(ChangeKind.MULTIPLE_OF_REMOVED, "multipleOf", old=old)
        return
    # Exact rationals of the doubles JSON parses into, the values a validator
    # divides by: 0.1 -> 0.05 divides (0.05 is exactly half of that double),
    # 0.3 -> 0.1 does not (a validator computes 0.3 / 0.1 = 2.9999999999999996).
    o, n = Fraction(old), Fraction(new)
    if n and (o / n).denominator == 1:
        kind = ChangeKind.MULTIPLE_OF_REDUCED
    elif o and (n / o).denominator == 1:
        kind = ChangeKind.MULTIPLE_OF_EXPANDED
    else:
        kind = ChangeKind.MULTIPLE_OF_CHANGED
    ctx.add(kind, "multipleOf", old=old, new=new)


def compare_enum(ctx: Context, old: EnumNode, new: EnumNode) -> None:
    if old.keys == new.keys:
        return
    segment = "const" if old.is_const else "enum"
    if new.keys >= old.keys:
        added = [v for v in new.values if json_key(v) not in old.keys]
        ctx.add(ChangeKind.ENUM_ARRAY_EXTENDED, segment, old=list(old.values), new=added)
    elif old.keys >= new.keys:
        removed = [v for v in old.values if json_key(v) not in new.keys]
        ctx.add(ChangeKind.ENUM_ARRAY_NARROWED, segment, old=removed, new=list(new.values))
    else:
        ctx.add(ChangeKind.ENUM_ARRAY_CHANGED, segment, old=list(old.values), new=list(new.values))
