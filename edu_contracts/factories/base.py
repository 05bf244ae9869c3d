"""``EduFactory``: polyfactory's build pipeline, made to respect the canonical schema.

polyfactory alone ignores CHECK and UNIQUE rules, fills foreign keys with
random UUIDs that point nowhere, cannot generate pgvector's ``Vector`` and
fills typed JSONB with arbitrary dicts. Each concrete factory closes those
gaps by declaring, as typed class attributes checked when the class is
defined:

- ``__parents__``: many-to-one relationships that are given, inferred from
  another parent (so ownership agrees) or built, before the row;
- ``__children__``: one-to-many relationships a caller may fill with
  ``documents__count=3`` (and configure with ``documents__status="ready"``);
- ``__computed__``: the columns its ``values`` hook computes *together*,
  because a rule ties them (FSRS fields, a question's kind and options).

Every foreign key, vector and JSONB column must be covered by one of these,
or the class definition raises ``FactoryError`` naming the column: a new
column added to a model without a rule-aware value fails loudly at import
instead of producing rows that point nowhere. Columns nobody declared are
filled by polyfactory from their Python type.

This builds on polyfactory's ``BaseFactory``, not its ``SQLAlchemyFactory``:
the latter imports SQLAlchemy's asyncio extension, which under SQLAlchemy 2.1
needs the optional ``greenlet`` package, and defaults to COMMIT.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeGuard, TypeVar, cast

import numpy as np
import sqlalchemy as sa
from polyfactory.factories.base import BaseFactory
from polyfactory.field_meta import FieldMeta

from edu_contracts.errors import FactoryError
from edu_contracts.factories._mapping import (
    STAMPS,
    check_configuration,
    columns,
    fields,
    fk_key,
    mapper,
    split,
)
from edu_contracts.factories.context import FactoryContext
from edu_contracts.factories.streams import Entropy, _shared_faker

__all__ = ["EduFactory", "default_context", "factory_for"]

T = TypeVar("T")

_REGISTRY: dict[type[Any], type[EduFactory[Any]]] = {}
_DEFAULT: list[FactoryContext] = []


def default_context() -> FactoryContext:
    """The context of factories used unbound (``UserFactory.build()``): seed 0, no session."""
    if not _DEFAULT:
        _DEFAULT.append(FactoryContext(None, seed=0))
    return _DEFAULT[0]


def factory_for(model: type[T]) -> type[EduFactory[T]]:
    """The registered factory of a model class."""
    try:
        return _REGISTRY[model]
    except KeyError:
        raise FactoryError(
            f"no factory is registered for {model.__name__}",
            where="edu_contracts.factories",
            fix="import edu_contracts.factories (it registers all 15) or define one",
        ) from None


class EduFactory(BaseFactory[T], Generic[T]):
    """Base of the 15 model factories; see the module docstring for the contract."""

    __is_base_factory__ = True
    __allow_none_optionals__ = False
    __check_model__ = True

    __context__: ClassVar[FactoryContext | None] = None
    """Set only on bound subclasses (``FactoryContext.bind``); ``None`` means unbound."""
    __unbound__: ClassVar[type[Any] | None] = None
    """On a bound subclass, the factory it was made from."""
    __parents__: ClassVar[tuple[str, ...]] = ()
    """Many-to-one relationships resolved before the row: given, inferred or built."""
    __optional_parents__: ClassVar[tuple[str, ...]] = ()
    """Many-to-one relationships left empty unless given (a chat's document)."""
    __children__: ClassVar[tuple[str, ...]] = ()
    """One-to-many relationships that accept ``<name>__count`` and ``<name>__<field>``."""
    __computed__: ClassVar[frozenset[str]] = frozenset()
    """Columns that ``values`` computes together because a rule ties them."""
    __options__: ClassVar[Mapping[str, Any]] = {}
    """Build options that are not columns (``embedded=True``), with their defaults."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if cls.__dict__.get("__is_base_factory__") or cls.__dict__.get("__context__"):
            super().__init_subclass__(**kwargs)
            return
        if "__model__" not in cls.__dict__:
            raise FactoryError(
                f"{cls.__name__} does not set __model__",
                where=f"class {cls.__name__}",
                fix="add __model__ = <one of the edu_contracts.db.models classes>",
            )
        check_configuration(cls)
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__model__] = cls

    # --- polyfactory hooks ------------------------------------------------

    @classmethod
    def is_supported_type(cls, value: Any) -> TypeGuard[type[T]]:
        try:
            sa.inspect(value)
        except sa.exc.NoInspectionAvailable:
            return False
        return isinstance(value, type)

    @classmethod
    def get_model_fields(cls) -> list[FieldMeta]:
        return list(fields(cast("type[Any]", cls.__model__)))

    @classmethod
    def _get_sync_persistence(cls) -> Any:
        context = cls._context()
        if context.session is None:
            raise FactoryError(
                f"{cls.__name__}.create_sync needs a database session",
                where=f"{cls.__name__}.create_sync",
                fix="bind the factory: Factories(session, seed=0).bind(...) or use "
                "the edu_factories fixture; use build() for in-memory rows",
            )
        return context.persistence

    @classmethod
    def _table(cls) -> str:
        return str(cast("Any", cls.__model__).__tablename__)

    # --- binding ----------------------------------------------------------

    @classmethod
    def _context(cls) -> FactoryContext:
        return cls.__context__ if cls.__context__ is not None else default_context()

    @classmethod
    def _bind_to(cls, context: FactoryContext) -> type[EduFactory[T]]:
        entropy = context.stream(cls._table())
        attrs = {
            "__model__": cls.__model__,
            "__context__": context,
            "__unbound__": cls,
            "__random__": entropy.random,
            "__faker__": _shared_faker(),
            "__check_model__": False,
        }
        return type(f"{cls.__name__}Bound", (cls,), attrs)

    # --- building ---------------------------------------------------------

    @classmethod
    def build(cls, *_: Any, **kwargs: Any) -> T:
        """A coherent row (and its parents and requested children), not yet persisted."""
        context = cls._context()
        if cls.__context__ is None:
            return context.bind(cls).build(**kwargs)
        own, nested = split(kwargs)
        unknown = set(nested) - set(cls.__parents__) - set(cls.__optional_parents__)
        unknown -= set(cls.__children__)
        if unknown:
            raise FactoryError(
                f"{cls.__name__} got overrides for unknown relationship(s) {sorted(unknown)}",
                where=f"{cls.__name__}.build({', '.join(sorted(own) + sorted(nested))})",
                fix=f"nest only parents {list(cls.__parents__ + cls.__optional_parents__)} "
                f"or children {list(cls.__children__)} with '__'",
            )
        if context.session is not None:
            # Resolving parents reads relationships; an autoflush there would
            # flush a half-built graph and fail on a NOT NULL it has not set yet.
            with context.session.no_autoflush:
                return cls._build(context, own, nested)
        return cls._build(context, own, nested)

    @classmethod
    def _build(
        cls, context: FactoryContext, own: dict[str, Any], nested: dict[str, dict[str, Any]]
    ) -> T:
        table = cls._table()
        options = {key: own.pop(key, default) for key, default in cls.__options__.items()}
        cls.resolve(context, own, nested)
        own.setdefault("id", context.uuid(table))
        cols = columns(mapper(cls.__model__))
        moment = context.clock.tick()
        for stamp in STAMPS:
            if stamp in cols:
                own.setdefault(stamp, moment)
        entropy = context.stream(table)
        computed = cls.values(context, entropy, own, options)
        stray = set(computed) - cls.__computed__
        if stray:
            raise FactoryError(
                f"{cls.__name__}.values returned undeclared columns {sorted(stray)}",
                where=f"{cls.__name__}.__computed__",
                fix="list every column values() computes in __computed__",
            )
        values = {**computed, **own}
        # polyfactory tests each given value for truth, which numpy arrays refuse.
        arrays = {k: values.pop(k) for k, v in list(values.items()) if isinstance(v, np.ndarray)}
        with entropy.faker():
            row = super().build(**values)
        for key, array in arrays.items():
            setattr(row, key, array)
        cls.after_build(context, row, options)
        for name in cls.__children__:
            options = dict(nested.get(name, {}))
            count = options.pop("count", 0)
            if count:
                cls.build_children(context, row, name, int(count), options)
        return row

    @classmethod
    def build_children(
        cls, context: FactoryContext, row: T, name: str, count: int, options: dict[str, Any]
    ) -> list[Any]:
        rel = mapper(cls.__model__).relationships[name]
        child = context.bind(factory_for(rel.mapper.class_))
        assert rel.back_populates is not None
        return [child.build(**{rel.back_populates: row, **options}) for _ in range(count)]

    @classmethod
    def parent(
        cls,
        context: FactoryContext,
        own: dict[str, Any],
        nested: dict[str, dict[str, Any]],
        name: str,
        inferred: Any = None,
        default: Any = None,
    ) -> Any:
        """Resolve parent ``name``: given object, given id, ``inferred``, ``default``, or new.

        ``inferred`` is implied by another parent and must agree with a given
        one (a chat's project is its document's project); ``default`` is only
        a suggestion (a progress row's learner defaults to the card's owner).

        Sets both the relationship and its foreign-key column, so the id is
        right before any flush and the parent is saved by cascade.
        """
        rel = mapper(cls.__model__).relationships[name]
        target = rel.mapper.class_
        fk = fk_key(rel)
        row = own.get(name)
        if row is None and own.get(fk) is not None:
            row = _load(context, target, own[fk], where=f"{cls.__name__}({fk}=...)")
        if row is None and name not in nested:
            row = inferred if inferred is not None else default
        if row is None and (name in cls.__parents__ or name in nested):
            row = context.bind(factory_for(target)).build(**nested.get(name, {}))
        if row is None:
            own.setdefault(fk, None)
            return None
        if not isinstance(row, target):
            raise FactoryError(
                f"{name}= expects a {target.__name__}, got {type(row).__name__}",
                where=f"{cls.__name__}({name}=...)",
                fix=f"pass a {target.__name__} row (or {fk}=<its id>)",
            )
        if inferred is not None and row is not inferred:
            raise FactoryError(
                f"{name}= disagrees with the other parents given to {cls.__name__}",
                where=f"{cls.__name__}({name}=...)",
                fix=f"omit {name}= (it is derived) or pass parents that belong together",
            )
        own[name] = row
        own[fk] = row.id
        return row

    # --- hooks for concrete factories -------------------------------------

    @classmethod
    def resolve(
        cls, context: FactoryContext, own: dict[str, Any], nested: dict[str, dict[str, Any]]
    ) -> None:
        """Resolve parents; the default resolves each declared parent independently."""
        for name in cls.__parents__ + cls.__optional_parents__:
            cls.parent(context, own, nested, name)

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        """Rule-bound column values, consistent with what the caller ``given``."""
        return {}

    @classmethod
    def after_build(cls, context: FactoryContext, row: T, options: dict[str, Any]) -> None:
        """Runs once the row exists (register unique keys, add embedded children)."""


def _load(context: FactoryContext, model: type[Any], key: Any, *, where: str) -> Any:
    row = context.session.get(model, key) if context.session is not None else None
    if row is None:
        raise FactoryError(
            f"no {model.__name__} with id {key}",
            where=where,
            fix=f"create the {model.__name__} first, or pass the row object itself",
        )
    return row
