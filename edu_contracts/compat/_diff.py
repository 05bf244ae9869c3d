"""The entry of the recursive diff: references, cycles, memo and dispatch.

Every pair of subschemas is compared once per valid assumption: the result
is memoised per pair (relative to the pair), and a pair met again while it
is still being compared is a recursion (a tree type referring to itself)
and counts as compatible there, which is what makes recursive schemas
terminate. Results that relied on such an assumption are cached only while
it holds (``_assume``).
"""

from __future__ import annotations

from edu_contracts.compat import _diff_array, _diff_combined, _diff_object, _diff_scalar
from edu_contracts.compat._context import Context
from edu_contracts.compat._model import (
    AnyNode,
    ArrayNode,
    CombinedNode,
    ConditionalNode,
    EnumNode,
    NeverNode,
    Node,
    NotNode,
    NumberNode,
    ObjectNode,
    StringNode,
    deref,
    json_key,
)
from edu_contracts.compat.kinds import ChangeKind as K

__all__ = ["compare", "type_name"]


def compare(ctx: Context, old: Node | None, new: Node | None) -> None:
    """Record what changes for a reader of ``new`` given data valid under ``old``."""
    if old is None and new is None:
        return
    if old is None:
        ctx.add(K.SCHEMA_ADDED)
        return
    if new is None:
        ctx.add(K.SCHEMA_REMOVED)
        return
    old, new = deref(old), deref(new)
    key = (id(old), id(new))
    memo = ctx.shared.memo
    cached = memo.lookup(key)
    if cached is None:
        memo.enter(key)
        sub = ctx.fresh()
        try:
            _compare_nodes(sub, old, new)
        except BaseException:
            memo.abandon(key)
            raise
        memo.leave(key, sub.found, sub.ok)
        cached = sub.found
    ctx.extend_rebased(cached)


def _is_real_combination(node: Node) -> bool:
    """allOf/anyOf/oneOf written by the author, as opposed to one we synthesised."""
    return isinstance(node, CombinedNode) and node.segment is not None


def _compare_nodes(ctx: Context, old: Node, new: Node) -> None:
    if isinstance(new, CombinedNode) and not _is_real_combination(old):
        settled = _into_combination(ctx, old, new)
    elif isinstance(old, CombinedNode) and not isinstance(new, CombinedNode):
        settled = _out_of_combination(ctx, old, new)
    else:
        settled = False
    if settled:
        return
    if old.kind != new.kind:
        # Nothing to read (false) or a reader that takes anything (true/{}) is always fine.
        if isinstance(old, NeverNode) or isinstance(new, AnyNode):
            return
        ctx.add(K.TYPE_CHANGED, old=type_name(old), new=type_name(new))
        return
    _annotations(ctx, old, new)
    if isinstance(old, StringNode) and isinstance(new, StringNode):
        _diff_scalar.compare_string(ctx, old, new)
    elif isinstance(old, NumberNode) and isinstance(new, NumberNode):
        _diff_scalar.compare_number(ctx, old, new)
    elif isinstance(old, EnumNode) and isinstance(new, EnumNode):
        _diff_scalar.compare_enum(ctx, old, new)
    elif isinstance(old, CombinedNode) and isinstance(new, CombinedNode):
        _combination_to_combination(ctx, old, new)
    elif isinstance(old, NotNode) and isinstance(new, NotNode):
        _diff_combined.compare_not(ctx, old, new)
    elif isinstance(old, ObjectNode) and isinstance(new, ObjectNode):
        _diff_object.compare_object(ctx, old, new)
    elif isinstance(old, ArrayNode) and isinstance(new, ArrayNode):
        _diff_array.compare_array(ctx, old, new)
    elif isinstance(old, ConditionalNode) and json_key(old.raw) != json_key(new.raw):
        ctx.add(K.CONDITIONAL_CHANGED)


def _into_combination(ctx: Context, old: Node, new: CombinedNode) -> bool:
    """A plain schema became a combination: fine if one alternative takes all old data."""
    if len(new.subs) == 1:
        trial = ctx.trial(old, new.subs[0])
        if trial.ok:
            ctx.extend(trial)
            return True
    elif new.criterion in ("anyOf", "oneOf"):
        for sub in new.subs:
            trial = ctx.trial(old, sub)
            if trial.ok:
                ctx.extend(trial)
                ctx.add(K.SUM_TYPE_EXTENDED)
                return True
    return False


def _combination_to_combination(ctx: Context, old: CombinedNode, new: CombinedNode) -> None:
    """Pair the alternatives; failing that, see if all of old fits one new alternative.

    The fallback (not in Confluent) is what accepts wrapping a whole union in
    a nullable ``anyOf [union, null]``, where pairing alternatives fails.
    """
    paired = ctx.branch()
    _diff_combined.compare_combined(paired, old, new)
    if not paired.ok and new.criterion != "allOf":
        whole = ctx.branch()
        if _into_combination(whole, old, new):
            ctx.extend(whole)
            return
    ctx.extend(paired)


def _out_of_combination(ctx: Context, old: CombinedNode, new: Node) -> bool:
    """A combination became a plain schema: fine if a singleton or one allOf part matches."""
    if len(old.subs) == 1:
        trial = ctx.trial(old.subs[0], new)
        if trial.ok:
            ctx.extend(trial)
            return True
    if old.criterion == "allOf":
        for sub in old.subs:
            trial = ctx.trial(sub, new)
            if trial.ok:
                ctx.extend(trial)
                ctx.add(K.PRODUCT_TYPE_NARROWED)
                return True
    return False


def _annotations(ctx: Context, old: Node, new: Node) -> None:
    if old.id != new.id:
        ctx.add(K.ID_CHANGED, old=old.id or "(none)", new=new.id or "(none)")
    if old.title != new.title:
        ctx.add(K.TITLE_CHANGED, old=old.title or "(none)", new=new.title or "(none)")
    if old.description != new.description:
        ctx.add(K.DESCRIPTION_CHANGED)
    if old.has_default != new.has_default or (
        old.has_default and json_key(old.default) != json_key(new.default)
    ):
        ctx.add(
            K.DEFAULT_CHANGED,
            old=old.default if old.has_default else "(none)",
            new=new.default if new.has_default else "(none)",
        )


def type_name(node: Node) -> str:
    """A short human name of what a node accepts, for messages."""
    if isinstance(node, NumberNode):
        return "integer" if node.integer else "number"
    if isinstance(node, CombinedNode):
        inner = ", ".join(type_name(deref(s)) for s in node.subs)
        return f"{node.criterion}[{inner}]" if node.segment else f"({inner})"
    if isinstance(node, EnumNode):
        return "const" if node.is_const else "enum"
    if isinstance(node, AnyNode):
        return "anything"
    if isinstance(node, NeverNode):
        return "nothing"
    return node.kind
