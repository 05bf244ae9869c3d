"""Objects: properties, required, content models, dependencies and counts.

The content model decides what a missing declaration means. In an *open*
object (``additionalProperties`` absent or true) old data may already carry
any undeclared name with any value, so declaring a property there with a
real schema can reject old data. In a *closed* one (false) old data never
carries an undeclared name, so adding optional properties is safe. In a
*partially open* one (a schema for undeclared names, or patterns) the new
declaration must accept what that schema accepted.

Unlike Confluent, a name that matches no pattern in an object with
``patternProperties`` but no ``additionalProperties`` is judged as open
(which is what validation does), not as closed; see DEVIATIONS.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edu_contracts.compat import _regex
from edu_contracts.compat._context import Context
from edu_contracts.compat._diff_scalar import compare_bound
from edu_contracts.compat._model import AnyNode, NeverNode, Node, ObjectNode, deref, has_default
from edu_contracts.compat.kinds import ChangeKind as K

__all__ = ["CLOSED", "OPEN", "compare_object", "fallback_schema"]

OPEN = "open"
CLOSED = "closed"


def fallback_schema(node: ObjectNode, name: str) -> Node | str:
    """What governs ``name`` when it is not declared: a schema, OPEN or CLOSED.

    With several matching patterns every one applies; the first stands for
    them here, and ``_compare_patterns`` judges each added or removed one."""
    for pattern, schema in node.patterns:
        if _regex.search(pattern, name):
            return schema
    additional = node.additional
    if additional is None:
        return OPEN
    target = deref(additional)
    if isinstance(target, AnyNode):
        return OPEN
    if isinstance(target, NeverNode):
        return CLOSED
    return additional


def compare_object(ctx: Context, old: ObjectNode, new: ObjectNode) -> None:
    _compare_required(ctx, old, new)
    _compare_properties(ctx, old, new)
    _compare_dependencies(ctx, old, new)
    _compare_additional(ctx, old, new)
    _compare_patterns(ctx, old, new)
    compare_bound(ctx, "maxProperties", "MAX_PROPERTIES", old.max_properties, new.max_properties)
    compare_bound(ctx, "minProperties", "MIN_PROPERTIES", old.min_properties, new.min_properties)
    _compare_property_names(ctx, old, new)
    if old.typed != new.typed:
        kind = K.TYPE_EXTENDED if old.typed else K.TYPE_NARROWED
        ctx.add(
            kind,
            old="object" if old.typed else "any type",
            new="object" if new.typed else "any type",
        )


def _compare_required(ctx: Context, old: ObjectNode, new: ObjectNode) -> None:
    # Like Confluent, only names declared on both sides are judged here; new
    # declarations are judged with the content model below.
    for name in old.properties:
        if name not in new.properties:
            continue
        was, now = name in old.required, name in new.required
        if was and not now:
            ctx.add(K.REQUIRED_ATTRIBUTE_REMOVED, "required", name, name=name)
        elif now and not was:
            kind = (
                K.REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                if has_default(new.properties[name])
                else K.REQUIRED_ATTRIBUTE_ADDED
            )
            ctx.add(kind, "required", name, name=name)


def _compare_properties(ctx: Context, old: ObjectNode, new: ObjectNode) -> None:
    names = list(old.properties) + [n for n in new.properties if n not in old.properties]
    old_raw, new_raw = _raw_properties(old), _raw_properties(new)
    for name in names:
        if _same_leaf(old_raw.get(name, _ABSENT), new_raw.get(name, _ABSENT)):
            continue  # an unchanged schema without references or subschemas: nothing to say
        with ctx.at("properties", name):
            old_schema, new_schema = old.properties.get(name), new.properties.get(name)
            if old_schema is not None and new_schema is not None:
                ctx.compare(old_schema, new_schema)
            elif old_schema is not None:
                _removed(ctx, name, old_schema, new)
            elif new_schema is not None:
                _added(ctx, name, new_schema, old, new)


_ABSENT = object()


def _raw_properties(node: ObjectNode) -> Mapping[str, Any]:
    raw = node.raw.get("properties") if isinstance(node.raw, dict) else None
    return raw if isinstance(raw, dict) else {}


def _same_leaf(old: Any, new: Any) -> bool:
    if old is _ABSENT or new is _ABSENT:
        return False
    if isinstance(old, bool):
        return old is new
    return (
        isinstance(old, dict)
        and not any(isinstance(v, dict | list) for v in old.values())
        and not any(k in old for k in ("$ref", "$dynamicRef", "$recursiveRef"))
        and old == new
    )


def _removed(ctx: Context, name: str, old_schema: Node, new: ObjectNode) -> None:
    governing = fallback_schema(new, name)
    if governing == OPEN:
        ctx.add(K.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, name=name)
    elif governing == CLOSED:
        if isinstance(deref(old_schema), NeverNode):
            ctx.add(K.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, name=name)
        else:
            ctx.add(K.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, name=name)
    else:
        assert isinstance(governing, Node)
        trial = ctx.trial(old_schema, governing)
        ctx.extend(trial)
        kind = (
            K.PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            if trial.ok
            else K.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
        )
        ctx.add(kind, name=name)


def _added(ctx: Context, name: str, new_schema: Node, old: ObjectNode, new: ObjectNode) -> None:
    required = name in new.required
    with_default = has_default(new_schema)
    governing = fallback_schema(old, name)
    if governing == OPEN:
        if required:
            kind = (
                K.REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
                if with_default
                else K.REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            )
        elif isinstance(deref(new_schema), AnyNode):
            kind = K.PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
        else:
            kind = K.OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
        ctx.add(kind, name=name)
        return
    if isinstance(governing, Node):
        trial = ctx.trial(governing, new_schema)
        ctx.extend(trial)
        kind = (
            K.PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            if trial.ok
            else K.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
        )
        ctx.add(kind, name=name)
    if required:
        kind = (
            K.REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
            if with_default
            else K.REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
        )
    else:
        kind = K.OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
    ctx.add(kind, name=name)


def _compare_dependencies(ctx: Context, old: ObjectNode, new: ObjectNode) -> None:
    for name in sorted(set(old.dependent_required) | set(new.dependent_required)):
        was, now = old.dependent_required.get(name), new.dependent_required.get(name)
        kw = (old if was is not None else new).dependent_required_kw
        if now is None:
            ctx.add(K.DEPENDENCY_ARRAY_REMOVED, kw, name, name=name)
        elif was is None:
            ctx.add(K.DEPENDENCY_ARRAY_ADDED, kw, name, name=name)
        elif was != now:
            if now > was:
                kind = K.DEPENDENCY_ARRAY_EXTENDED
            elif now < was:
                kind = K.DEPENDENCY_ARRAY_NARROWED
            else:
                kind = K.DEPENDENCY_ARRAY_CHANGED
            ctx.add(kind, kw, name, name=name, old=sorted(was), new=sorted(now))
    for name in sorted(set(old.dependent_schemas) | set(new.dependent_schemas)):
        old_dep, new_dep = old.dependent_schemas.get(name), new.dependent_schemas.get(name)
        kw = (old if old_dep is not None else new).dependent_schemas_kw
        if new_dep is None:
            ctx.add(K.DEPENDENCY_SCHEMA_REMOVED, kw, name, name=name)
        elif old_dep is None:
            ctx.add(K.DEPENDENCY_SCHEMA_ADDED, kw, name, name=name)
        else:
            with ctx.at(kw, name):
                ctx.compare(old_dep, new_dep)


def _permits(node: Node | None) -> bool:
    return node is None or not isinstance(deref(node), NeverNode)


def _schema_of(node: Node | None) -> Node | None:
    """The additional-properties schema proper; None when absent, true or false."""
    if node is None or isinstance(deref(node), AnyNode | NeverNode):
        return None
    return node


def _compare_additional(ctx: Context, old: ObjectNode, new: ObjectNode) -> None:
    with ctx.at(new.additional_kw if new.additional is not None else old.additional_kw):
        if _permits(old.additional) != _permits(new.additional):
            kind = (
                K.ADDITIONAL_PROPERTIES_ADDED
                if _permits(new.additional)
                else K.ADDITIONAL_PROPERTIES_REMOVED
            )
            ctx.add(kind)
            return
        old_schema, new_schema = _schema_of(old.additional), _schema_of(new.additional)
        if old_schema is None and new_schema is not None:
            ctx.add(K.ADDITIONAL_PROPERTIES_NARROWED)
        elif new_schema is None and old_schema is not None:
            ctx.add(K.ADDITIONAL_PROPERTIES_EXTENDED)
        elif old_schema is not None and new_schema is not None:
            ctx.compare(old_schema, new_schema)


def _compare_property_names(ctx: Context, old: ObjectNode, new: ObjectNode) -> None:
    if old.property_names is None and new.property_names is None:
        return
    with ctx.at("propertyNames"):
        if old.property_names is None:
            ctx.add(K.PROPERTY_NAMES_ADDED)
        elif new.property_names is None:
            ctx.add(K.PROPERTY_NAMES_REMOVED)
        else:
            ctx.compare(old.property_names, new.property_names)


def _compare_patterns(ctx: Context, old: ObjectNode, new: ObjectNode) -> None:
    """Every ``patternProperties`` entry: kept, added or removed.

    A validator applies *every* entry whose pattern matches a name, on top of
    ``properties``, and ``additionalProperties`` only to names no entry
    matches. So an added entry constrains what the writer allowed under
    matching names (declared properties, overlapping entries, or the
    writer's additional schema), and a removed one hands its names to the
    reader's overlapping entries or additional schema. Whether two patterns
    can match one name is undecidable in general; they are assumed to
    overlap unless their literal prefixes prove otherwise.
    """
    old_patterns = dict(old.patterns)
    new_patterns = dict(new.patterns)
    for pattern, schema in old.patterns:
        if pattern in new_patterns:
            with ctx.at("patternProperties", pattern):
                ctx.compare(schema, new_patterns[pattern])
    for pattern, schema in new.patterns:
        if pattern in old_patterns:
            continue
        with ctx.at("patternProperties", pattern):
            sources = _sources(old, pattern, new_side=False)
            ok = all(_fits(ctx, source, schema) for source in sources)
            kind = (
                K.PATTERN_PROPERTY_ADDED_IS_COVERED if ok else K.PATTERN_PROPERTY_ADDED_NOT_COVERED
            )
            ctx.add(kind, name=pattern)
    for pattern, schema in old.patterns:
        if pattern in new_patterns:
            continue
        with ctx.at("patternProperties", pattern):
            targets = _sources(new, pattern, new_side=True)
            ok = all(_fits(ctx, schema, target) for target in targets)
            kind = (
                K.PATTERN_PROPERTY_REMOVED_IS_COVERED
                if ok
                else K.PATTERN_PROPERTY_REMOVED_NOT_COVERED
            )
            ctx.add(kind, name=pattern)


def _sources(node: ObjectNode, pattern: str, *, new_side: bool) -> list[Node | str]:
    """What else governs names matching ``pattern`` in ``node``: declared properties
    whose name matches, overlapping entries, and the additional schema (or OPEN/CLOSED)."""
    found: list[Node | str] = (
        []
        if new_side
        else [schema for name, schema in node.properties.items() if _regex.search(pattern, name)]
    )
    found.extend(
        schema
        for other, schema in node.patterns
        if other != pattern and _regex.may_overlap(pattern, other)
    )
    if not any(_regex.matches_everything(other) for other, _ in node.patterns):
        # names no entry matches fall to the additional schema (OPEN when absent)
        found.append(fallback_schema(ObjectNode(loc="", raw=None, additional=node.additional), ""))
    return found


def _fits(ctx: Context, writer: Node | str, reader: Node | str) -> bool:
    """Whether everything ``writer`` allows fits ``reader`` (OPEN: anything; CLOSED: nothing)."""
    if writer == CLOSED or reader == OPEN:
        return True
    if isinstance(reader, Node) and isinstance(deref(reader), AnyNode):
        return True
    if writer == OPEN or reader == CLOSED:
        return isinstance(writer, Node) and isinstance(deref(writer), NeverNode)
    assert isinstance(writer, Node)
    assert isinstance(reader, Node)
    trial = ctx.trial(writer, reader)
    return trial.ok
