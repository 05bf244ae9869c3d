"""Column types in one comparable shape, from a snapshot or from parsed SQL.

The release snapshot spells types as SQLAlchemy renders them
(``VARCHAR(500)``, ``TIMESTAMP WITH TIME ZONE``, ``VECTOR(3072)``); the
parser gives catalog names (``pg_catalog.varchar`` with modifier 500). Both
become ``SqlType("varchar", (500,))`` so a rule can ask "is this a widening
Postgres does without a rewrite?" and "did the vector dimension change?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["SqlType", "column_type", "is_binary_coercible", "parse_type"]

_ALIASES = {
    "character varying": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "integer": "int4",
    "int": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "boolean": "bool",
    "real": "float4",
    "double precision": "float8",
    "float": "float8",
    "decimal": "numeric",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "timestamp": "timestamp",
}
_VECTORS = ("vector", "halfvec", "sparsevec", "bit")


@dataclass(frozen=True)
class SqlType:
    base: str
    args: tuple[int, ...] = ()

    @property
    def is_vector(self) -> bool:
        return self.base in _VECTORS[:3]

    def __str__(self) -> str:
        return self.base + (f"({', '.join(map(str, self.args))})" if self.args else "")


_TEXT = re.compile(r"^(?P<base>[a-z][a-z0-9_ ]*?)\s*(?:\((?P<args>[\d,\s]+)\))?(?P<array>(\[\])*)$")


def parse_type(text: str) -> SqlType:
    """``VARCHAR(500)`` -> ``SqlType("varchar", (500,))``; unknown names pass through."""
    match = _TEXT.match(text.strip().lower())
    if match is None:
        return SqlType(text.strip().lower())
    base = match.group("base").strip()
    base = _ALIASES.get(base, base) + match.group("array")
    args = tuple(int(a) for a in (match.group("args") or "").replace(" ", "").split(",") if a)
    return SqlType(base, args)


def column_type(type_name: Any) -> SqlType:
    """The type of a parsed ``TypeName`` node."""
    name = str(type_name.names[-1].sval).lower()
    args = []
    for mod in type_name.typmods or ():
        value = getattr(getattr(mod, "val", None), "ival", None)
        if value is not None:
            args.append(int(value))
    array = "[]" * len(type_name.arrayBounds or ())
    return SqlType(_ALIASES.get(name, name) + array, tuple(args))


def is_binary_coercible(old: SqlType, new: SqlType) -> bool:
    """True when Postgres changes the type in the catalog only (no rewrite, no scan)."""
    if old == new:
        return True
    if old.base == "varchar" and new.base == "varchar":
        return not new.args or (bool(old.args) and new.args[0] >= old.args[0])
    if old.base == "varchar" and new.base == "text":
        return True
    if old.base == "text" and new.base == "varchar":
        return not new.args
    if old.base == "numeric" and new.base == "numeric" and old.args and new.args:
        same_scale = (old.args[1:] or (0,)) == (new.args[1:] or (0,))
        return same_scale and new.args[0] >= old.args[0]
    return not new.args and old.base == new.base
