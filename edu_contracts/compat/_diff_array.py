"""Arrays: tuple items, the schema of further items, counts, uniqueness, contains.

Draft 2020-12 (``prefixItems`` + ``items``) and the older drafts (``items``
as a list + ``additionalItems``) are the same idea: a tuple prefix and a
schema for the rest. The loader maps both onto ``prefix`` / ``rest``, so
one set of rules serves all drafts, with the same content-model reasoning
as objects: what old data may hold at a position decides whether a new tuple
item is safe there.
"""

from __future__ import annotations

from edu_contracts.compat._context import Context
from edu_contracts.compat._diff_scalar import compare_bound
from edu_contracts.compat._model import AnyNode, ArrayNode, NeverNode, Node, deref
from edu_contracts.compat.kinds import ChangeKind as K

__all__ = ["compare_array"]


def _governing(node: ArrayNode) -> Node | str:
    rest = node.rest
    if rest is None or isinstance(deref(rest), AnyNode):
        return "open"
    if isinstance(deref(rest), NeverNode):
        return "closed"
    return rest


def compare_array(ctx: Context, old: ArrayNode, new: ArrayNode) -> None:
    _compare_prefix(ctx, old, new)
    _compare_rest(ctx, old, new)
    compare_bound(ctx, "maxItems", "MAX_ITEMS", old.max_items, new.max_items)
    compare_bound(ctx, "minItems", "MIN_ITEMS", old.min_items, new.min_items)
    if old.unique != new.unique:
        kind = K.UNIQUE_ITEMS_REMOVED if old.unique else K.UNIQUE_ITEMS_ADDED
        ctx.add(kind, "uniqueItems")
    _compare_contains(ctx, old, new)
    if old.typed != new.typed:
        kind = K.TYPE_EXTENDED if old.typed else K.TYPE_NARROWED
        ctx.add(
            kind, old="array" if old.typed else "any type", new="array" if new.typed else "any type"
        )


def _compare_prefix(ctx: Context, old: ArrayNode, new: ArrayNode) -> None:
    shared = min(len(old.prefix), len(new.prefix))
    for i in range(shared):
        with ctx.at(old.prefix_kw, str(i)):
            ctx.compare(old.prefix[i], new.prefix[i])
    for i in range(shared, len(old.prefix)):
        with ctx.at(old.prefix_kw, str(i)):
            _item_removed(ctx, i, old.prefix[i], new)
    for i in range(shared, len(new.prefix)):
        with ctx.at(new.prefix_kw, str(i)):
            _item_added(ctx, i, new.prefix[i], old)


def _item_removed(ctx: Context, index: int, old_item: Node, new: ArrayNode) -> None:
    governing = _governing(new)
    if governing == "open":
        ctx.add(K.ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, name=index)
    elif governing == "closed":
        if isinstance(deref(old_item), NeverNode):
            ctx.add(K.ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, name=index)
        else:
            ctx.add(K.ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, name=index)
    else:
        assert isinstance(governing, Node)
        trial = ctx.trial(old_item, governing)
        ctx.extend(trial)
        kind = (
            K.ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            if trial.ok
            else K.ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
        )
        ctx.add(kind, name=index)


def _item_added(ctx: Context, index: int, new_item: Node, old: ArrayNode) -> None:
    governing = _governing(old)
    if governing == "open":
        if isinstance(deref(new_item), AnyNode):
            ctx.add(K.ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, name=index)
        else:
            ctx.add(K.ITEM_ADDED_TO_OPEN_CONTENT_MODEL, name=index)
    elif governing == "closed":
        ctx.add(K.ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, name=index)
    else:
        assert isinstance(governing, Node)
        trial = ctx.trial(governing, new_item)
        ctx.extend(trial)
        kind = (
            K.ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            if trial.ok
            else K.ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
        )
        ctx.add(kind, name=index)


def _compare_rest(ctx: Context, old: ArrayNode, new: ArrayNode) -> None:
    old_rest = None if old.rest is None else deref(old.rest)
    new_rest = None if new.rest is None else deref(new.rest)
    old_permits = not isinstance(old_rest, NeverNode)
    new_permits = not isinstance(new_rest, NeverNode)
    old_schema = None if old_rest is None or isinstance(old_rest, AnyNode | NeverNode) else old.rest
    new_schema = None if new_rest is None or isinstance(new_rest, AnyNode | NeverNode) else new.rest
    with ctx.at(new.rest_kw if new.rest is not None else old.rest_kw):
        if old_permits != new_permits:
            ctx.add(K.ADDITIONAL_ITEMS_ADDED if new_permits else K.ADDITIONAL_ITEMS_REMOVED)
        elif old_schema is None and new_schema is not None:
            ctx.add(K.ADDITIONAL_ITEMS_NARROWED)
        elif new_schema is None and old_schema is not None:
            ctx.add(K.ADDITIONAL_ITEMS_EXTENDED)
        elif old_schema is not None and new_schema is not None:
            ctx.compare(old_schema, new_schema)


def _compare_contains(ctx: Context, old: ArrayNode, new: ArrayNode) -> None:
    if old.contains is None and new.contains is None:
        return
    if old.contains is None:
        ctx.add(K.CONTAINS_ADDED, "contains")
        return
    if new.contains is None:
        ctx.add(K.CONTAINS_REMOVED, "contains")
        return
    with ctx.at("contains"):
        ctx.compare(old.contains, new.contains)
    compare_bound(ctx, "minContains", "MIN_CONTAINS", old.min_contains, new.min_contains)
    compare_bound(ctx, "maxContains", "MAX_CONTAINS", old.max_contains, new.max_contains)
