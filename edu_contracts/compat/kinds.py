"""The vocabulary of schema changes, and how each one is judged.

Names follow Confluent Schema Registry's ``Difference.Type`` wherever one
fits, so a finding here can be looked up in Confluent's documentation and
matched against the conformance vectors. A few kinds are ours (formats,
``contains``, ``propertyNames``, conditionals): Confluent ignores those
keywords, which lets narrowing changes through unnoticed.

Each kind carries its verdict per rule set, a message template and the safe
way to make the change, so every place that reports a change explains it the
same way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from edu_contracts.compat.modes import RuleSet

__all__ = ["ChangeKind", "KindInfo", "describe"]


class ChangeKind(enum.Enum):
    """One kind of difference between a writer schema and a reader schema."""

    ID_CHANGED = "ID_CHANGED"
    DESCRIPTION_CHANGED = "DESCRIPTION_CHANGED"
    TITLE_CHANGED = "TITLE_CHANGED"
    DEFAULT_CHANGED = "DEFAULT_CHANGED"
    SCHEMA_ADDED = "SCHEMA_ADDED"
    SCHEMA_REMOVED = "SCHEMA_REMOVED"
    TYPE_EXTENDED = "TYPE_EXTENDED"
    TYPE_NARROWED = "TYPE_NARROWED"
    TYPE_CHANGED = "TYPE_CHANGED"

    MAX_LENGTH_ADDED = "MAX_LENGTH_ADDED"
    MAX_LENGTH_REMOVED = "MAX_LENGTH_REMOVED"
    MAX_LENGTH_INCREASED = "MAX_LENGTH_INCREASED"
    MAX_LENGTH_DECREASED = "MAX_LENGTH_DECREASED"
    MIN_LENGTH_ADDED = "MIN_LENGTH_ADDED"
    MIN_LENGTH_REMOVED = "MIN_LENGTH_REMOVED"
    MIN_LENGTH_INCREASED = "MIN_LENGTH_INCREASED"
    MIN_LENGTH_DECREASED = "MIN_LENGTH_DECREASED"
    PATTERN_ADDED = "PATTERN_ADDED"
    PATTERN_REMOVED = "PATTERN_REMOVED"
    PATTERN_CHANGED = "PATTERN_CHANGED"
    FORMAT_ADDED = "FORMAT_ADDED"
    FORMAT_REMOVED = "FORMAT_REMOVED"
    FORMAT_CHANGED = "FORMAT_CHANGED"

    MAXIMUM_ADDED = "MAXIMUM_ADDED"
    MAXIMUM_REMOVED = "MAXIMUM_REMOVED"
    MAXIMUM_INCREASED = "MAXIMUM_INCREASED"
    MAXIMUM_DECREASED = "MAXIMUM_DECREASED"
    MINIMUM_ADDED = "MINIMUM_ADDED"
    MINIMUM_REMOVED = "MINIMUM_REMOVED"
    MINIMUM_INCREASED = "MINIMUM_INCREASED"
    MINIMUM_DECREASED = "MINIMUM_DECREASED"
    EXCLUSIVE_MAXIMUM_ADDED = "EXCLUSIVE_MAXIMUM_ADDED"
    EXCLUSIVE_MAXIMUM_REMOVED = "EXCLUSIVE_MAXIMUM_REMOVED"
    EXCLUSIVE_MAXIMUM_INCREASED = "EXCLUSIVE_MAXIMUM_INCREASED"
    EXCLUSIVE_MAXIMUM_DECREASED = "EXCLUSIVE_MAXIMUM_DECREASED"
    EXCLUSIVE_MINIMUM_ADDED = "EXCLUSIVE_MINIMUM_ADDED"
    EXCLUSIVE_MINIMUM_REMOVED = "EXCLUSIVE_MINIMUM_REMOVED"
    EXCLUSIVE_MINIMUM_INCREASED = "EXCLUSIVE_MINIMUM_INCREASED"
    EXCLUSIVE_MINIMUM_DECREASED = "EXCLUSIVE_MINIMUM_DECREASED"
    MULTIPLE_OF_ADDED = "MULTIPLE_OF_ADDED"
    MULTIPLE_OF_REMOVED = "MULTIPLE_OF_REMOVED"
    MULTIPLE_OF_EXPANDED = "MULTIPLE_OF_EXPANDED"
    MULTIPLE_OF_REDUCED = "MULTIPLE_OF_REDUCED"
    MULTIPLE_OF_CHANGED = "MULTIPLE_OF_CHANGED"

    REQUIRED_ATTRIBUTE_ADDED = "REQUIRED_ATTRIBUTE_ADDED"
    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED = "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
    REQUIRED_ATTRIBUTE_REMOVED = "REQUIRED_ATTRIBUTE_REMOVED"
    MAX_PROPERTIES_ADDED = "MAX_PROPERTIES_ADDED"
    MAX_PROPERTIES_REMOVED = "MAX_PROPERTIES_REMOVED"
    MAX_PROPERTIES_INCREASED = "MAX_PROPERTIES_INCREASED"
    MAX_PROPERTIES_DECREASED = "MAX_PROPERTIES_DECREASED"
    MIN_PROPERTIES_ADDED = "MIN_PROPERTIES_ADDED"
    MIN_PROPERTIES_REMOVED = "MIN_PROPERTIES_REMOVED"
    MIN_PROPERTIES_INCREASED = "MIN_PROPERTIES_INCREASED"
    MIN_PROPERTIES_DECREASED = "MIN_PROPERTIES_DECREASED"
    ADDITIONAL_PROPERTIES_ADDED = "ADDITIONAL_PROPERTIES_ADDED"
    ADDITIONAL_PROPERTIES_REMOVED = "ADDITIONAL_PROPERTIES_REMOVED"
    ADDITIONAL_PROPERTIES_EXTENDED = "ADDITIONAL_PROPERTIES_EXTENDED"
    ADDITIONAL_PROPERTIES_NARROWED = "ADDITIONAL_PROPERTIES_NARROWED"
    DEPENDENCY_ARRAY_ADDED = "DEPENDENCY_ARRAY_ADDED"
    DEPENDENCY_ARRAY_REMOVED = "DEPENDENCY_ARRAY_REMOVED"
    DEPENDENCY_ARRAY_EXTENDED = "DEPENDENCY_ARRAY_EXTENDED"
    DEPENDENCY_ARRAY_NARROWED = "DEPENDENCY_ARRAY_NARROWED"
    DEPENDENCY_ARRAY_CHANGED = "DEPENDENCY_ARRAY_CHANGED"
    DEPENDENCY_SCHEMA_ADDED = "DEPENDENCY_SCHEMA_ADDED"
    DEPENDENCY_SCHEMA_REMOVED = "DEPENDENCY_SCHEMA_REMOVED"
    REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL = "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL = (
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
    )
    OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL = "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL = (
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
    )
    REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL = (
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
    )
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL = (
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
    )
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL = (
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
    )
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL = "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL"
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL = (
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    )
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL = "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_NAMES_ADDED = "PROPERTY_NAMES_ADDED"
    PROPERTY_NAMES_REMOVED = "PROPERTY_NAMES_REMOVED"

    MAX_ITEMS_ADDED = "MAX_ITEMS_ADDED"
    MAX_ITEMS_REMOVED = "MAX_ITEMS_REMOVED"
    MAX_ITEMS_INCREASED = "MAX_ITEMS_INCREASED"
    MAX_ITEMS_DECREASED = "MAX_ITEMS_DECREASED"
    MIN_ITEMS_ADDED = "MIN_ITEMS_ADDED"
    MIN_ITEMS_REMOVED = "MIN_ITEMS_REMOVED"
    MIN_ITEMS_INCREASED = "MIN_ITEMS_INCREASED"
    MIN_ITEMS_DECREASED = "MIN_ITEMS_DECREASED"
    MAX_CONTAINS_ADDED = "MAX_CONTAINS_ADDED"
    MAX_CONTAINS_REMOVED = "MAX_CONTAINS_REMOVED"
    MAX_CONTAINS_INCREASED = "MAX_CONTAINS_INCREASED"
    MAX_CONTAINS_DECREASED = "MAX_CONTAINS_DECREASED"
    MIN_CONTAINS_ADDED = "MIN_CONTAINS_ADDED"
    MIN_CONTAINS_REMOVED = "MIN_CONTAINS_REMOVED"
    MIN_CONTAINS_INCREASED = "MIN_CONTAINS_INCREASED"
    MIN_CONTAINS_DECREASED = "MIN_CONTAINS_DECREASED"
    CONTAINS_ADDED = "CONTAINS_ADDED"
    CONTAINS_REMOVED = "CONTAINS_REMOVED"
    UNIQUE_ITEMS_ADDED = "UNIQUE_ITEMS_ADDED"
    UNIQUE_ITEMS_REMOVED = "UNIQUE_ITEMS_REMOVED"
    ADDITIONAL_ITEMS_ADDED = "ADDITIONAL_ITEMS_ADDED"
    ADDITIONAL_ITEMS_REMOVED = "ADDITIONAL_ITEMS_REMOVED"
    ADDITIONAL_ITEMS_EXTENDED = "ADDITIONAL_ITEMS_EXTENDED"
    ADDITIONAL_ITEMS_NARROWED = "ADDITIONAL_ITEMS_NARROWED"
    ITEM_ADDED_TO_OPEN_CONTENT_MODEL = "ITEM_ADDED_TO_OPEN_CONTENT_MODEL"
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL = (
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
    )
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL = "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL"
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL = "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL"
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL = (
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    )
    ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL = "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )

    ENUM_ARRAY_EXTENDED = "ENUM_ARRAY_EXTENDED"
    ENUM_ARRAY_NARROWED = "ENUM_ARRAY_NARROWED"
    ENUM_ARRAY_CHANGED = "ENUM_ARRAY_CHANGED"

    COMBINED_TYPE_EXTENDED = "COMBINED_TYPE_EXTENDED"
    COMBINED_TYPE_CHANGED = "COMBINED_TYPE_CHANGED"
    PRODUCT_TYPE_EXTENDED = "PRODUCT_TYPE_EXTENDED"
    PRODUCT_TYPE_NARROWED = "PRODUCT_TYPE_NARROWED"
    SUM_TYPE_EXTENDED = "SUM_TYPE_EXTENDED"
    SUM_TYPE_NARROWED = "SUM_TYPE_NARROWED"
    COMBINED_TYPE_SUBSCHEMAS_CHANGED = "COMBINED_TYPE_SUBSCHEMAS_CHANGED"
    NOT_TYPE_EXTENDED = "NOT_TYPE_EXTENDED"
    NOT_TYPE_NARROWED = "NOT_TYPE_NARROWED"
    CONDITIONAL_CHANGED = "CONDITIONAL_CHANGED"

    def compatible_under(self, rules: RuleSet) -> bool:
        """Whether a change of this kind keeps the reader able to read the writer's data."""
        info = CATALOG[self]
        return info.lenient if rules is RuleSet.LENIENT else info.strict


@dataclass(frozen=True)
class KindInfo:
    """Verdicts and wording of one kind; ``{w}``/``{r}`` name the writer and reader schema."""

    strict: bool
    lenient: bool
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


def _build() -> dict[ChangeKind, KindInfo]:
    table: dict[str, tuple[bool, bool, str, str]] = {}

    def put(name: str, strict: bool, message: str, safe: str, lenient: bool | None = None) -> None:
        table[name] = (strict, strict if lenient is None else lenient, message, safe)

    put("ID_CHANGED", True, "$id changed from {old} to {new}", _OK)
    put("DESCRIPTION_CHANGED", True, "description changed", _OK)
    put("TITLE_CHANGED", True, "title changed from {old} to {new}", _OK)
    put("DEFAULT_CHANGED", True, "default changed from {old} to {new}", _OK)
    put(
        "SCHEMA_ADDED",
        False,
        "a schema now constrains what the {w} left unconstrained",
        _WIDEN_FIRST,
    )
    put("SCHEMA_REMOVED", True, "a constraint of the {w} is gone from the {r}", _OK)
    put("TYPE_EXTENDED", True, "type widened from {old} to {new}", _OK)
    put("TYPE_NARROWED", False, "type narrowed from {old} to {new}", _WIDEN_FIRST)
    put("TYPE_CHANGED", False, "type changed from {old} to {new}", _NEW_NAME)

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
            put(f"{family}_{suffix}", ok, message, _OK if ok else _WIDEN_FIRST)

    put("PATTERN_ADDED", False, "pattern {new} added", _WIDEN_FIRST)
    put("PATTERN_REMOVED", True, "pattern {old} removed", _OK)
    put("PATTERN_CHANGED", False, "pattern changed from {old} to {new}", _WIDEN_FIRST)
    put(
        "FORMAT_ADDED",
        False,
        "format {new} added: readers that check formats reject other strings",
        _WIDEN_FIRST,
    )
    put("FORMAT_REMOVED", True, "format {old} removed", _OK)
    put("FORMAT_CHANGED", False, "format changed from {old} to {new}", _NEW_NAME)
    put("MULTIPLE_OF_ADDED", False, "multipleOf {new} added", _WIDEN_FIRST)
    put("MULTIPLE_OF_REMOVED", True, "multipleOf {old} removed", _OK)
    put("MULTIPLE_OF_EXPANDED", False, "multipleOf grew from {old} to {new}", _WIDEN_FIRST)
    put("MULTIPLE_OF_REDUCED", True, "multipleOf reduced from {old} to {new} (a divisor)", _OK)
    put("MULTIPLE_OF_CHANGED", False, "multipleOf changed from {old} to {new}", _WIDEN_FIRST)

    put(
        "REQUIRED_ATTRIBUTE_ADDED",
        False,
        "property {name!r} became required; the {w} lets it be absent",
        _OPTIONAL_FIRST,
    )
    put(
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        False,
        "property {name!r} became required (it has a default, but a validating reader "
        "rejects data from the {w} that lacks it)",
        _DEFAULT_ONLY,
        lenient=True,
    )
    put("REQUIRED_ATTRIBUTE_REMOVED", True, "property {name!r} is no longer required", _OK)
    put("ADDITIONAL_PROPERTIES_ADDED", True, "undeclared properties are now allowed", _OK)
    put(
        "ADDITIONAL_PROPERTIES_REMOVED",
        False,
        "undeclared properties are now rejected; the {w} allowed them",
        _WIDEN_FIRST,
        lenient=True,
    )
    put(
        "ADDITIONAL_PROPERTIES_EXTENDED",
        True,
        "the schema for undeclared properties was dropped",
        _OK,
    )
    put(
        "ADDITIONAL_PROPERTIES_NARROWED",
        False,
        "undeclared properties must now match a schema; the {w} allowed any value",
        _WIDEN_FIRST,
        lenient=True,
    )
    put("DEPENDENCY_ARRAY_ADDED", False, "dependency on {name!r} added", _OPTIONAL_FIRST)
    put("DEPENDENCY_ARRAY_REMOVED", True, "dependency on {name!r} removed", _OK)
    put(
        "DEPENDENCY_ARRAY_EXTENDED",
        False,
        "dependency on {name!r} requires more properties",
        _OPTIONAL_FIRST,
    )
    put("DEPENDENCY_ARRAY_NARROWED", True, "dependency on {name!r} requires fewer properties", _OK)
    put("DEPENDENCY_ARRAY_CHANGED", False, "dependency on {name!r} changed", _OPTIONAL_FIRST)
    put("DEPENDENCY_SCHEMA_ADDED", False, "dependent schema for {name!r} added", _WIDEN_FIRST)
    put("DEPENDENCY_SCHEMA_REMOVED", True, "dependent schema for {name!r} removed", _OK)
    put(
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        False,
        "required property {name!r} added; data from the {w} may lack it",
        _OPTIONAL_FIRST,
    )
    put(
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
        False,
        "required property {name!r} (with default) added to an open object; "
        "the {w} may already carry it with any value",
        _CLOSE_FIRST,
        lenient=True,
    )
    put(
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        False,
        "property {name!r} added to an open object: data from the {w} may already "
        "carry {name!r} with a value the {r} rejects",
        _CLOSE_FIRST,
        lenient=True,
    )
    put(
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        True,
        "property {name!r} added with an empty schema",
        _OK,
    )
    put(
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        False,
        "required property {name!r} added; data from the {w} lacks it",
        _OPTIONAL_FIRST,
    )
    put(
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        False,
        "required property {name!r} added with a default; a validating reader rejects "
        "data from the {w} that lacks it",
        _DEFAULT_ONLY,
        lenient=True,
    )
    put(
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        True,
        "optional property {name!r} added to a closed object",
        _OK,
    )
    put(
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        True,
        "property {name!r} removed; the open object still accepts it",
        _OK,
    )
    put(
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        True,
        "forbidden property {name!r} removed from a closed object",
        _OK,
    )
    put(
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        False,
        "property {name!r} removed from a closed object: data from the {w} carrying it is rejected",
        "Keep the property (optionally deprecated) until no message carrying it can still "
        "be read, or open the object first.",
    )
    put(
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        True,
        "property {name!r} removed; its values still match the schema for undeclared properties",
        _OK,
    )
    put(
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        False,
        "property {name!r} removed; its values do not match the schema for undeclared properties",
        "Keep the property until no message carrying it can still be read.",
        lenient=True,
    )
    put(
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        True,
        "property {name!r} added; it accepts every value the schema for undeclared "
        "properties allowed",
        _OK,
    )
    put(
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        False,
        "property {name!r} added; values the {w} allowed for it as an undeclared "
        "property are rejected",
        _NEW_NAME,
        lenient=True,
    )
    put("PROPERTY_NAMES_ADDED", False, "propertyNames added", _WIDEN_FIRST)
    put("PROPERTY_NAMES_REMOVED", True, "propertyNames removed", _OK)

    put("CONTAINS_ADDED", False, "contains added", _WIDEN_FIRST)
    put("CONTAINS_REMOVED", True, "contains removed", _OK)
    put("UNIQUE_ITEMS_ADDED", False, "uniqueItems added", _WIDEN_FIRST)
    put("UNIQUE_ITEMS_REMOVED", True, "uniqueItems removed", _OK)
    put("ADDITIONAL_ITEMS_ADDED", True, "items beyond the tuple are now allowed", _OK)
    put("ADDITIONAL_ITEMS_REMOVED", False, "items beyond the tuple are now rejected", _WIDEN_FIRST)
    put("ADDITIONAL_ITEMS_EXTENDED", True, "the schema for further items was dropped", _OK)
    put(
        "ADDITIONAL_ITEMS_NARROWED",
        False,
        "items must now match a schema; the {w} allowed any item",
        _WIDEN_FIRST,
    )
    put(
        "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
        False,
        "tuple item {name} added where the {w} allowed any item",
        _WIDEN_FIRST,
    )
    put(
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        True,
        "tuple item {name} added with an empty schema",
        _OK,
    )
    put(
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        True,
        "tuple item {name} added after a closed tuple",
        _OK,
    )
    put(
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        True,
        "tuple item {name} removed; any item is accepted there",
        _OK,
    )
    put(
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        True,
        "forbidden tuple item {name} removed",
        _OK,
    )
    put(
        "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        False,
        "tuple item {name} removed from a closed tuple",
        "Keep the item until no message carrying it can still be read.",
    )
    put(
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        True,
        "tuple item {name} removed; its values match the schema for further items",
        _OK,
    )
    put(
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        False,
        "tuple item {name} removed; its values do not match the schema for further items",
        "Keep the item until no message carrying it can still be read.",
    )
    put(
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        True,
        "tuple item {name} added; it accepts what the schema for further items allowed",
        _OK,
    )
    put(
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        False,
        "tuple item {name} added; it rejects items the {w} allowed there",
        _WIDEN_FIRST,
    )

    put("ENUM_ARRAY_EXTENDED", True, "allowed values extended: {new}", _OK)
    put(
        "ENUM_ARRAY_NARROWED",
        False,
        "allowed values narrowed: {old} no longer accepted",
        _WIDEN_FIRST,
    )
    put("ENUM_ARRAY_CHANGED", False, "allowed values changed from {old} to {new}", _WIDEN_FIRST)
    put("COMBINED_TYPE_EXTENDED", True, "combination loosened from {old} to {new}", _OK)
    put("COMBINED_TYPE_CHANGED", False, "combination changed from {old} to {new}", _NEW_NAME)
    put(
        "PRODUCT_TYPE_EXTENDED",
        False,
        "allOf gained a subschema every value must now match",
        _WIDEN_FIRST,
    )
    put("PRODUCT_TYPE_NARROWED", True, "allOf lost a subschema", _OK)
    put("SUM_TYPE_EXTENDED", True, "a union gained an alternative", _OK)
    put(
        "SUM_TYPE_NARROWED",
        False,
        "a union lost an alternative; data of that shape is rejected",
        "Keep the alternative until no message of that shape can still be read; "
        "stop producing it first.",
    )
    put(
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
        False,
        "no alternative of the {r} accepts everything one of the {w} allowed",
        _WIDEN_FIRST,
    )
    put("NOT_TYPE_EXTENDED", False, "'not' now excludes values the {w} allowed", _WIDEN_FIRST)
    put("NOT_TYPE_NARROWED", True, "'not' excludes fewer values", _OK)
    put(
        "CONDITIONAL_CHANGED",
        False,
        "if/then/else changed; its effect is not analysed, so it is treated as breaking",
        "Review by hand; keep conditionals stable across versions.",
    )

    missing = {k.value for k in ChangeKind} ^ set(table)
    if missing:  # pragma: no cover - guards the table against drift while editing
        raise RuntimeError(f"change kinds without a catalog entry: {sorted(missing)}")
    return {ChangeKind(name): KindInfo(*entry) for name, entry in table.items()}


CATALOG: dict[ChangeKind, KindInfo] = _build()


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(kind: ChangeKind, detail: dict[str, Any], writer: str, reader: str) -> str:
    """Render the message of a finding with its details and the two schemas' names."""
    values = _Blank(detail)
    values["w"] = writer
    values["r"] = reader
    return CATALOG[kind].message.format_map(values)
