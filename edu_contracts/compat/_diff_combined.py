"""allOf / anyOf / oneOf and not.

Two combinations are compatible when the criteria allow it and every
subschema on the smaller side can be paired, one to one, with a compatible
subschema on the other side: order does not matter and duplicates count
once. The pairing is a maximum bipartite matching, as in Confluent.
"""

from __future__ import annotations

from edu_contracts.compat._context import Context
from edu_contracts.compat._model import CombinedNode, Node, NotNode, deref
from edu_contracts.compat.kinds import ChangeKind as K

__all__ = ["compare_combined", "compare_not"]


def _criteria_change(old: CombinedNode, new: CombinedNode) -> K | None:
    if old.criterion == new.criterion:
        return None
    if new.criterion == "anyOf":
        return K.COMBINED_TYPE_EXTENDED  # anything matching all / exactly one matches any
    if new.criterion == "oneOf":
        if len(old.subs) == 1 or old.criterion == "allOf":
            return K.COMBINED_TYPE_EXTENDED
        return K.COMBINED_TYPE_CHANGED
    if len(old.subs) == 1 and len(new.subs) == 1:
        return K.COMBINED_TYPE_EXTENDED  # singleton anyOf/oneOf to singleton allOf
    return K.COMBINED_TYPE_CHANGED


def _unique(subs: list[Node]) -> list[tuple[int, Node]]:
    seen: set[str] = set()
    kept: list[tuple[int, Node]] = []
    for index, sub in enumerate(subs):
        key = sub.key
        if key not in seen:
            seen.add(key)
            kept.append((index, sub))
    return kept


def _max_matching(edges: dict[int, list[int]], left: int) -> dict[int, int]:
    """Kuhn's augmenting paths; combinations are small, so simplicity wins."""
    match_right: dict[int, int] = {}

    def augment(u: int, visited: set[int]) -> bool:
        for v in edges.get(u, []):
            if v in visited:
                continue
            visited.add(v)
            if v not in match_right or augment(match_right[v], visited):
                match_right[v] = u
                return True
        return False

    for u in range(left):
        augment(u, set())
    return {u: v for v, u in match_right.items()}


def compare_combined(ctx: Context, old: CombinedNode, new: CombinedNode) -> None:
    change = _criteria_change(old, new)
    if change is not None:
        ctx.add(change, old=old.criterion, new=new.criterion)
        if change is K.COMBINED_TYPE_CHANGED:
            return
    olds, news = _unique(old.subs), _unique(new.subs)
    if len(olds) < len(news):
        ctx.add(K.PRODUCT_TYPE_EXTENDED if new.criterion == "allOf" else K.SUM_TYPE_EXTENDED)
    elif len(olds) > len(news):
        ctx.add(K.PRODUCT_TYPE_NARROWED if old.criterion == "allOf" else K.SUM_TYPE_NARROWED)

    trials: dict[tuple[int, int], Context] = {}
    edges: dict[int, list[int]] = {}
    for i, (index, old_sub) in enumerate(olds):
        segments = (old.segment, str(index)) if old.segment else ()
        for j, (_, new_sub) in enumerate(news):
            trial = ctx.trial(old_sub, new_sub, *segments)
            trials[i, j] = trial
            if trial.ok:
                edges.setdefault(i, []).append(j)
    matching = _max_matching(edges, len(olds))
    for i, j in sorted(matching.items()):
        ctx.extend(trials[i, j])
    if len(matching) < min(len(olds), len(news)):
        ctx.add(K.COMBINED_TYPE_SUBSCHEMAS_CHANGED)
        _explain_unmatched(ctx, olds, news, matching, trials)


def _explain_unmatched(
    ctx: Context,
    olds: list[tuple[int, Node]],
    news: list[tuple[int, Node]],
    matching: dict[int, int],
    trials: dict[tuple[int, int], Context],
) -> None:
    """Say why an unpaired subschema failed, using its likeliest counterpart.

    "No subschema matches" is true but useless; the enum that lost a value
    or the variant whose field changed type is what the author needs to see.
    The counterpart is the unpaired subschema of the same kind, if exactly
    one exists.
    """
    free_new = [j for j in range(len(news)) if j not in matching.values()]
    for i, (_, old_sub) in enumerate(olds):
        if i in matching:
            continue
        kind = deref(old_sub).kind
        same = [j for j in free_new if deref(news[j][1]).kind == kind]
        if len(same) == 1:
            ctx.extend(trials[i, same[0]])
            free_new.remove(same[0])


def compare_not(ctx: Context, old: NotNode, new: NotNode) -> None:
    with ctx.at("not"):
        # What the new schema excludes must already have been excluded: compare reversed.
        trial = ctx.trial(new.inner, old.inner)
        ctx.add(K.NOT_TYPE_NARROWED if trial.ok else K.NOT_TYPE_EXTENDED)
