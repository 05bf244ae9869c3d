"""How factories read a mapped model, and the class-definition check built on that.

Kept apart from :mod:`.base` so that the build pipeline reads as a pipeline:
everything here is introspection of SQLAlchemy mappers, cached per model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from polyfactory.field_meta import FieldMeta
from sqlalchemy.orm import Mapper, RelationshipDirection, RelationshipProperty

from edu_contracts.db.types import PydanticJSONB
from edu_contracts.errors import FactoryError

__all__ = ["STAMPS", "check_configuration", "columns", "fields", "fk_key", "mapper", "split"]

STAMPS = ("created_at", "updated_at")
"""Timestamp columns every factory sets from the context's clock."""


def mapper(model: Any) -> Mapper[Any]:
    try:
        return cast("Mapper[Any]", sa.inspect(model))
    except sa.exc.NoInspectionAvailable:
        raise FactoryError(
            f"__model__ = {model!r} is not a mapped SQLAlchemy class",
            where="factory __model__",
            fix="point __model__ at one of the models in edu_contracts.db.models",
        ) from None


def columns(mapper: Mapper[Any]) -> dict[str, sa.Column[Any]]:
    return {
        prop.key: col
        for prop in mapper.column_attrs
        for col in prop.columns
        if isinstance(col, sa.Column) and col.table is mapper.local_table
    }


def fk_key(rel: RelationshipProperty[Any]) -> str:
    (column,) = [c for c in rel.local_columns if c.foreign_keys]
    return str(column.key)


_FIELDS: dict[type[Any], tuple[FieldMeta, ...]] = {}


def fields(model: type[Any]) -> tuple[FieldMeta, ...]:
    """polyfactory's view of a model's columns, computed once per model (builds are hot)."""
    found = _FIELDS.get(model)
    if found is not None:
        return found
    fields = []
    for name, column in columns(mapper(model)).items():
        try:
            annotation: Any = column.type.python_type
        except NotImplementedError:
            annotation = object
        if column.nullable:
            annotation = annotation | None
        fields.append(FieldMeta.from_type(annotation=annotation, name=name))
    _FIELDS[model] = tuple(fields)
    return _FIELDS[model]


def split(kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``{"user": u, "documents__count": 2}`` -> own values and per-relationship overrides."""
    own: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for key, value in kwargs.items():
        head, sep, rest = key.partition("__")
        if sep and head and rest:
            nested.setdefault(head, {})[rest] = value
        else:
            own[key] = value
    return own, nested


_KINDS = {
    RelationshipDirection.MANYTOONE: "many-to-one",
    RelationshipDirection.ONETOMANY: "one-to-many",
}


def check_configuration(cls: Any) -> None:
    """Refuse a factory that would produce rows breaking a foreign key or a typed column."""
    mapped = mapper(cls.__model__)
    where = f"class {cls.__name__}"
    for attr, direction in (
        ("__parents__", RelationshipDirection.MANYTOONE),
        ("__optional_parents__", RelationshipDirection.MANYTOONE),
        ("__children__", RelationshipDirection.ONETOMANY),
    ):
        names = getattr(cls, attr)
        if not isinstance(names, tuple):
            raise FactoryError(f"{attr} must be a tuple of relationship names", where=where)
        for name in names:
            rel = mapped.relationships.get(name)
            if rel is None or rel.direction is not direction:
                raise FactoryError(
                    f"{attr} names {name!r}, which is not a {_KINDS[direction]} "
                    f"relationship of {mapped.class_.__name__}",
                    where=where,
                    fix=f"use one of {sorted(r.key for r in mapped.relationships)}",
                )
    cols = columns(mapped)
    bad = set(cls.__computed__) - set(cols)
    if bad:
        raise FactoryError(
            f"__computed__ names {sorted(bad)}, which are not columns of {mapped.class_.__name__}",
            where=where,
            fix=f"use column names: {sorted(cols)}",
        )
    covered = set(cls.__computed__) | {"id", *STAMPS}
    covered |= {k for k in cols if k in cls.__dict__}
    for name in cls.__parents__ + cls.__optional_parents__:
        covered.add(fk_key(mapped.relationships[name]))
    clash = set(cls.__options__) & set(cols)
    if clash:
        raise FactoryError(
            f"__options__ {sorted(clash)} shadow columns", where=where, fix="rename the options"
        )
    for key, column in cols.items():
        risky = bool(column.foreign_keys) or isinstance(column.type, Vector | PydanticJSONB)
        if risky and key not in covered:
            raise FactoryError(
                f"column {mapped.class_.__tablename__}.{key} has no rule-aware value: polyfactory "
                "would invent a foreign key that points nowhere or an untyped value",
                where=where,
                fix=f"compute {key!r} in values() and list it in __computed__, "
                "or resolve it through __parents__",
            )
