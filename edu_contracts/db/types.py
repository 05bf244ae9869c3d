"""Column types that carry pydantic models in and out of JSONB.

A JSONB column typed ``dict`` lets any service write any shape; this type
makes the pydantic model from :mod:`edu_contracts.schemas.jsonb` the column's
contract: values are validated when bound and again when loaded, so a row
written by an older or buggy producer fails loudly at the reader instead of
deep inside a template.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

from pydantic import TypeAdapter
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["PydanticJSONB"]


class PydanticJSONB(TypeDecorator[Any]):
    """JSONB holding values of ``pydantic_type`` (a model, or e.g. a tuple of models).

    ``pydantic_type`` is kept on the instance (and is hashable) so the type
    can take part in SQLAlchemy's statement cache; the adapter is derived.
    """

    impl = JSONB
    cache_ok = True

    def __init__(self, pydantic_type: Any) -> None:
        super().__init__()
        self.pydantic_type = pydantic_type
        self._adapter: TypeAdapter[Any] = TypeAdapter(pydantic_type)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        # Validate even already-built models: a plain dict or list assigned
        # to the attribute must not slip into the column unchecked.
        return self._adapter.dump_python(self._adapter.validate_python(value), mode="json")

    def bind_json(self, value: Any) -> bytes:
        """``process_bind_param``'s validation, straight to JSON text (bulk loads)."""
        return self._adapter.dump_json(self._adapter.validate_python(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self._adapter.validate_python(value)

    @property
    def python_type(self) -> type[Any]:
        """The class values have (a model class, or ``tuple``), for tools such
        as factories and schema snapshots that ask the column what it holds."""
        origin = get_origin(self.pydantic_type)
        if origin is Annotated:
            return self._origin(get_args(self.pydantic_type)[0])
        return self._origin(self.pydantic_type)

    @staticmethod
    def _origin(annotation: Any) -> type[Any]:
        origin = get_origin(annotation)
        return origin if isinstance(origin, type) else annotation

    def __repr__(self) -> str:
        return f"PydanticJSONB({self.pydantic_type!r})"
