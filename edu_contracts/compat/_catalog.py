"""How each kind of change is explained: a message template and the safe path.

Kept apart from ``kinds`` so the verdict sets stay short enough to review
at a glance, while the prose can grow. Templates use ``{w}``/``{r}`` for the
writer and reader schema (which of old and new depends on the direction),
plus the details the diff recorded (``{old}``, ``{new}``, ``{name}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edu_contracts.compat.kinds import ChangeKind

__all__ = ["CATALOG", "Wording", "describe"]


@dataclass(frozen=True)
class Wording:
    message: str
    safe_path: str


_OK = "No action needed: readers keep working."
_WIDEN_FIRST = (
    "Widen first: release a version that accepts both shapes, move every producer to the new "
    "shape, wait until no message in the old shape can still be read (queue retention), then "
    "narrow in a later release."
)
_OPTIONAL_FIRST = (
    "Add the property as optional first (or with a default readers apply); make it required only "
    "after every producer sends it and no older message can still be read."
)
_NEW_NAME = (
    "Do not change a property in place: add a new optional property with the new schema, have "
    "producers fill both, and retire the old one once no reader needs it."
)
_DEFAULT_ONLY = (
    "Keep the property optional with its default: readers that apply defaults (pydantic) get "
    "the value anyway, and schema validators keep accepting older data."
)
_CLOSE_FIRST = (
    "Close the object first (additionalProperties: false) in a release of its own, once no "
    "producer sends undeclared properties; then optional properties can be added freely."
)


def _bound(kw: str, tighter: str) -> dict[str, tuple[bool, str]]:
    """Verdicts for one numeric bound: which direction of change tightens it."""
    looser = "DECREASED" if tighter == "INCREASED" else "INCREASED"
    return {
        "ADDED": (False, f"'{kw}' added ({{new}}): values the {{w}} allowed may now be rejected"),
        "REMOVED": (True, f"'{kw}' removed (was {{old}})"),
        tighter: (False, f"'{kw}' tightened from {{old}} to {{new}}"),
        looser: (True, f"'{kw}' relaxed from {{old}} to {{new}}"),
    }


def _build() -> dict[ChangeKind, Wording]:
    table: dict[str, tuple[str, str]] = {}

    def put(name: str, message: str, safe: str) -> None:
        table[name] = (message, safe)

    put("ID_CHANGED", "$id changed from {old} to {new}", _OK)
    put("DESCRIPTION_CHANGED", "description changed", _OK)
    put("TITLE_CHANGED", "title changed from {old} to {new}", _OK)
    put("DEFAULT_CHANGED", "default changed from {old} to {new}", _OK)
    put(
        "SCHEMA_ADDED",
        "a schema now constrains what the {w} left unconstrained",
        _WIDEN_FIRST,
    )
    put("SCHEMA_REMOVED", "a constraint of the {w} is gone from the {r}", _OK)
    put("TYPE_EXTENDED", "type widened from {old} to {new}", _OK)
    put("TYPE_NARROWED", "type narrowed from {old} to {new}", _WIDEN_FIRST)
    put("TYPE_CHANGED", "type changed from {old} to {new}", _NEW_NAME)

    families = {
        "MAX_LENGTH": _bound("maxLength", "DECREASED"),
        "MIN_LENGTH": _bound("minLength", "INCREASED"),
        "MAXIMUM": _bound("maximum", "DECREASED"),
        "MINIMUM": _bound("minimum", "INCREASED"),
        "EXCLUSIVE_MAXIMUM": _bound("exclusiveMaximum", "DECREASED"),
        "EXCLUSIVE_MINIMUM": _bound("exclusiveMinimum", "INCREASED"),
        "MAX_PROPERTIES": _bound("maxProperties", "DECREASED"),
        "MIN_PROPERTIES": _bound("minProperties", "INCREASED"),
        "MAX_ITEMS": _bound("maxItems", "DECREASED"),
        "MIN_ITEMS": _bound("minItems", "INCREASED"),
        "MAX_CONTAINS": _bound("maxContains", "DECREASED"),
        "MIN_CONTAINS": _bound("minContains", "INCREASED"),
    }
    for family, variants in families.items():
        for suffix, (ok, message) in variants.items():
            put(f"{family}_{suffix}", message, _OK if ok else _WIDEN_FIRST)

    put("PATTERN_ADDED", "pattern {new} added", _WIDEN_FIRST)
    put("PATTERN_REMOVED", "pattern {old} removed", _OK)
    put("PATTERN_CHANGED", "pattern changed from {old} to {new}", _WIDEN_FIRST)
    put(
        "FORMAT_ADDED",
        "format {new} added: readers that check formats reject other strings",
        _WIDEN_FIRST,
    )
    put("FORMAT_REMOVED", "format {old} removed", _OK)
    put("FORMAT_CHANGED", "format changed from {old} to {new}", _NEW_NAME)
    put("MULTIPLE_OF_ADDED", "multipleOf {new} added", _WIDEN_FIRST)
    put("MULTIPLE_OF_REMOVED", "multipleOf {old} removed", _OK)
    put("MULTIPLE_OF_EXPANDED", "multipleOf grew from {old} to {new}", _WIDEN_FIRST)
    put("MULTIPLE_OF_REDUCED", "multipleOf reduced from {old} to {new} (a divisor)", _OK)
    put("MULTIPLE_OF_CHANGED", "multipleOf changed from {old} to {new}", _WIDEN_FIRST)

    put(
        "REQUIRED_ATTRIBUTE_ADDED",
        "the {r} requires property {name!r}; the {w} lets it be absent",
        _OPTIONAL_FIRST,
    )
    put(
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "property {name!r} became required (it has a default, but a validating reader "
        "rejects data from the {w} that lacks it)",
        _DEFAULT_ONLY,
    )
    put("REQUIRED_ATTRIBUTE_REMOVED", "property {name!r} is no longer required", _OK)
    put("ADDITIONAL_PROPERTIES_ADDED", "undeclared properties are now allowed", _OK)
    put(
        "ADDITIONAL_PROPERTIES_REMOVED",
        "undeclared properties are now rejected; the {w} allowed them",
        _WIDEN_FIRST,
    )
    put(
        "ADDITIONAL_PROPERTIES_EXTENDED",
        "the schema for undeclared properties was dropped",
        _OK,
    )
    put(
        "ADDITIONAL_PROPERTIES_NARROWED",
        "undeclared properties must now match a schema; the {w} allowed any value",
        _WIDEN_FIRST,
    )
    put("DEPENDENCY_ARRAY_ADDED", "dependency on {name!r} added", _OPTIONAL_FIRST)
    put("DEPENDENCY_ARRAY_REMOVED", "dependency on {name!r} removed", _OK)
    put(
        "DEPENDENCY_ARRAY_EXTENDED",
        "dependency on {name!r} requires more properties",
        _OPTIONAL_FIRST,
    )
    put("DEPENDENCY_ARRAY_NARROWED", "dependency on {name!r} requires fewer properties", _OK)
    put("DEPENDENCY_ARRAY_CHANGED", "dependency on {name!r} changed", _OPTIONAL_FIRST)
    put("DEPENDENCY_SCHEMA_ADDED", "dependent schema for {name!r} added", _WIDEN_FIRST)
    put("DEPENDENCY_SCHEMA_REMOVED", "dependent schema for {name!r} removed", _OK)
    put(
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "required property {name!r} added; data from the {w} may lack it",
        _OPTIONAL_FIRST,
    )
    put(
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
        "required property {name!r} (with default) added to an open object; "
        "the {w} may already carry it with any value",
        _CLOSE_FIRST,
    )
    put(
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "property {name!r} added to an open object: data from the {w} may already "
        "carry {name!r} with a value the {r} rejects",
        _CLOSE_FIRST,
    )
    put(
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "property {name!r} added with an empty schema",
        _OK,
    )
    put(
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "required property {name!r} added; data from the {w} lacks it",
        _OPTIONAL_FIRST,
    )
    put(
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "required property {name!r} added with a default; a validating reader rejects "
        "data from the {w} that lacks it",
        _DEFAULT_ONLY,
    )
    put(
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "optional property {name!r} added to a closed object",
        _OK,
    )
    put(
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "property {name!r} removed; the open object still accepts it",
        _OK,
    )
    put(
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "forbidden property {name!r} removed from a closed object",
        _OK,
    )
    put(
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "property {name!r} removed from a closed object: data from the {w} carrying it is rejected",
        "Keep the property (optionally deprecated) until no message carrying it can still "
        "be read, or open the object first.",
    )
    put(
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "property {name!r} removed; its values still match the schema for undeclared properties",
        _OK,
    )
    put(
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "property {name!r} removed; its values do not match the schema for undeclared properties",
        "Keep the property until no message carrying it can still be read.",
    )
    put(
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "property {name!r} added; it accepts every value the schema for undeclared "
        "properties allowed",
        _OK,
    )
    put(
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "property {name!r} added; values the {w} allowed for it as an undeclared "
        "property are rejected",
        _NEW_NAME,
    )
    put("PROPERTY_NAMES_ADDED", "propertyNames added", _WIDEN_FIRST)
    put("PROPERTY_NAMES_REMOVED", "propertyNames removed", _OK)

    put("CONTAINS_ADDED", "contains added", _WIDEN_FIRST)
    put("CONTAINS_REMOVED", "contains removed", _OK)
    put("UNIQUE_ITEMS_ADDED", "uniqueItems added", _WIDEN_FIRST)
    put("UNIQUE_ITEMS_REMOVED", "uniqueItems removed", _OK)
    put("ADDITIONAL_ITEMS_ADDED", "items beyond the tuple are now allowed", _OK)
    put("ADDITIONAL_ITEMS_REMOVED", "items beyond the tuple are now rejected", _WIDEN_FIRST)
    put("ADDITIONAL_ITEMS_EXTENDED", "the schema for further items was dropped", _OK)
    put(
        "ADDITIONAL_ITEMS_NARROWED",
        "items must now match a schema; the {w} allowed any item",
        _WIDEN_FIRST,
    )
    put(
        "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
        "tuple item {name} added where the {w} allowed any item",
        _WIDEN_FIRST,
    )
    put(
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "tuple item {name} added with an empty schema",
        _OK,
    )
    put(
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        "tuple item {name} added after a closed tuple",
        _OK,
    )
    put(
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "tuple item {name} removed; any item is accepted there",
        _OK,
    )
    put(
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "forbidden tuple item {name} removed",
        _OK,
    )
    put(
        "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "tuple item {name} removed from a closed tuple",
        "Keep the item until no message carrying it can still be read.",
    )
    put(
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "tuple item {name} removed; its values match the schema for further items",
        _OK,
    )
    put(
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "tuple item {name} removed; its values do not match the schema for further items",
        "Keep the item until no message carrying it can still be read.",
    )
    put(
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "tuple item {name} added; it accepts what the schema for further items allowed",
        _OK,
    )
    put(
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "tuple item {name} added; it rejects items the {w} allowed there",
        _WIDEN_FIRST,
    )

    put("ENUM_ARRAY_EXTENDED", "allowed values extended: {new}", _OK)
    put(
        "ENUM_ARRAY_NARROWED",
        "allowed values narrowed: {old} no longer accepted",
        _WIDEN_FIRST,
    )
    put("ENUM_ARRAY_CHANGED", "allowed values changed from {old} to {new}", _WIDEN_FIRST)
    put("COMBINED_TYPE_EXTENDED", "combination loosened from {old} to {new}", _OK)
    put("COMBINED_TYPE_CHANGED", "combination changed from {old} to {new}", _NEW_NAME)
    put(
        "PRODUCT_TYPE_EXTENDED",
        "allOf gained a subschema every value must now match",
        _WIDEN_FIRST,
    )
    put("PRODUCT_TYPE_NARROWED", "allOf lost a subschema", _OK)
    put("SUM_TYPE_EXTENDED", "a union gained an alternative", _OK)
    put(
        "SUM_TYPE_NARROWED",
        "a union lost an alternative; data of that shape is rejected",
        "Keep the alternative until no message of that shape can still be read; "
        "stop producing it first.",
    )
    put(
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
        "no alternative of the {r} accepts everything one of the {w} allowed",
        _WIDEN_FIRST,
    )
    put("NOT_TYPE_EXTENDED", "'not' now excludes values the {w} allowed", _WIDEN_FIRST)
    put("NOT_TYPE_NARROWED", "'not' excludes fewer values", _OK)
    put(
        "CONDITIONAL_CHANGED",
        "if/then/else changed; its effect is not analysed, so it is treated as breaking",
        "Review by hand; keep conditionals stable across versions.",
    )

    put(
        "PATTERN_PROPERTY_ADDED_IS_COVERED",
        "patternProperties entry {name!r} added; what the {w} allowed under matching names fits it",
        _OK,
    )
    put(
        "PATTERN_PROPERTY_ADDED_NOT_COVERED",
        "patternProperties entry {name!r} added; names matching it may carry values the {w} "
        "allowed and the {r} rejects",
        _NEW_NAME,
    )
    put(
        "PATTERN_PROPERTY_REMOVED_IS_COVERED",
        "patternProperties entry {name!r} removed; what governs matching names now accepts it",
        _OK,
    )
    put(
        "PATTERN_PROPERTY_REMOVED_NOT_COVERED",
        "patternProperties entry {name!r} removed; matching names now fall under a schema that "
        "rejects values the {w} allowed",
        _WIDEN_FIRST,
    )
    put(
        "SEMANTIC_PROVEN",
        "proved: every instance valid under the {w} is valid under the {r}",
        _OK,
    )
    put(
        "SEMANTIC_COUNTEREXAMPLE",
        "an instance valid under the {w} is invalid under the {r} (see the example)",
        _WIDEN_FIRST,
    )
    put(
        "SEMANTIC_UNKNOWN",
        "undecided: no proof that the {r} accepts everything the {w} allows, and no "
        "counterexample found ({why}); treated as breaking",
        "Review by hand, or simplify the change until it is provable; --rules strict names "
        "the structural changes.",
    )

    missing = {k.value for k in ChangeKind} ^ set(table)
    if missing:  # pragma: no cover - guards the table against drift while editing
        raise RuntimeError(f"change kinds without a catalog entry: {sorted(missing)}")
    return {ChangeKind(name): Wording(*entry) for name, entry in table.items()}


CATALOG: dict[ChangeKind, Wording] = _build()


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(kind: ChangeKind, detail: dict[str, Any], writer: str, reader: str) -> str:
    """Render the message of a finding with its details and the two schemas' names."""
    values = _Blank(detail)
    values["w"] = writer
    values["r"] = reader
    return CATALOG[kind].message.format_map(values)
