"""What Postgres does to a table for each DDL statement: the lock, and the work.

The facts come from the PostgreSQL 18 manual (``ALTER TABLE``, ``CREATE
INDEX``, "Explicit Locking"); each entry says why, because a lock alone
misleads: ``ADD COLUMN`` takes ACCESS EXCLUSIVE too, but for microseconds,
while ``ALTER COLUMN TYPE`` holds it for a full rewrite. What hurts a live
service is *mode x duration*: a lock that blocks the traffic, held for
work proportional to the table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, ObjectType

from edu_contracts.migrations.sqltypes import column_type, is_binary_coercible

__all__ = [
    "Cost",
    "LockEffect",
    "LockMode",
    "effect",
    "function_names",
    "last_name",
    "object_names",
    "relation",
    "volatile_default",
]


class LockMode(enum.Enum):
    """Postgres table lock modes, weakest first."""

    ACCESS_SHARE = "ACCESS SHARE"
    ROW_SHARE = "ROW SHARE"
    ROW_EXCLUSIVE = "ROW EXCLUSIVE"
    SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
    SHARE = "SHARE"
    SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
    EXCLUSIVE = "EXCLUSIVE"
    ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"

    @property
    def blocks_reads(self) -> bool:
        """Conflicts with ACCESS SHARE, the lock every SELECT takes."""
        return self is LockMode.ACCESS_EXCLUSIVE

    @property
    def blocks_writes(self) -> bool:
        """Conflicts with ROW EXCLUSIVE, the lock INSERT/UPDATE/DELETE take."""
        return self in (
            LockMode.SHARE,
            LockMode.SHARE_ROW_EXCLUSIVE,
            LockMode.EXCLUSIVE,
            LockMode.ACCESS_EXCLUSIVE,
        )

    @property
    def blocks(self) -> str:
        if self.blocks_reads:
            return "blocks reads and writes"
        if self.blocks_writes:
            return "blocks writes"
        return "blocks neither reads nor writes"


class Cost(enum.Enum):
    """How long the lock is held, relative to the table's size."""

    INSTANT = "catalog only"
    SCAN = "scans every row"
    BUILD = "builds an index over every row"
    REWRITE = "rewrites the table and all its indexes"


@dataclass(frozen=True)
class LockEffect:
    """The strongest lock a statement takes on a table and the work done under it."""

    table: str | None
    mode: LockMode | None
    cost: Cost

    @property
    def rewrites(self) -> bool:
        return self.cost is Cost.REWRITE

    def describe(self) -> str:
        if self.mode is None:
            return "no table lock"
        return f"{self.mode.value} on {self.table} ({self.mode.blocks}); {self.cost.value}"


_NONE = LockEffect(None, None, Cost.INSTANT)
_VOLATILE = frozenset(
    {
        "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "uuidv4",
        "uuidv7", "clock_timestamp", "timeofday", "nextval", "txid_current",
    }
)  # fmt: skip
"""Volatile built-ins met in defaults (``pg_proc.provolatile = 'v'``); ``now()``
and ``statement_timestamp()`` are STABLE, so Postgres 11+ stores them once."""


def last_name(parts: Any) -> str:
    """``("pg_catalog", "varchar")`` or a ``TypeName`` -> its last name part."""
    parts = getattr(parts, "names", parts) or ()
    return str(parts[-1].sval)


def object_names(node: Any) -> list[str]:
    """The names a ``DROP`` statement lists (tables, indexes or types)."""
    return [last_name(obj) for obj in getattr(node, "objects", None) or ()]


def relation(node: Any) -> str | None:
    rel = getattr(node, "relation", None)
    return None if rel is None else str(rel.relname)


def function_names(node: Any) -> set[str]:
    """Every function called anywhere in an expression tree."""
    from pglast.visitors import Visitor

    names: set[str] = set()

    class _Calls(Visitor):
        def visit_FuncCall(self, _ancestors: Any, call: Any) -> None:
            names.add(str(call.funcname[-1].sval).lower())

    _Calls()(node)
    return names


def volatile_default(column: Any) -> str | None:
    """Why adding this column rewrites the table, or None if it does not."""
    type_name = column.typeName
    if type_name is not None and str(type_name.names[-1].sval) in (
        "serial",
        "bigserial",
        "smallserial",
        "serial4",
        "serial8",
        "serial2",
    ):
        return "a serial column fills every row from a sequence"
    for constraint in column.constraints or ():
        if constraint.contype == ConstrType.CONSTR_IDENTITY:
            return "an identity column fills every row from a sequence"
        if constraint.contype == ConstrType.CONSTR_GENERATED:
            return "a stored generated column is computed for every row"
        if constraint.contype == ConstrType.CONSTR_DEFAULT and constraint.raw_expr is not None:
            called = function_names(constraint.raw_expr)
            volatile = sorted(called & _VOLATILE)
            if volatile:
                return f"the default calls volatile {volatile[0]}(), evaluated once per row"
            unknown = sorted(n for n in called if n not in _KNOWN_STABLE)
            if unknown:
                return (
                    f"the default calls {unknown[0]}(), which may be volatile (only "
                    "IMMUTABLE and STABLE defaults are stored once)"
                )
    return None


_SERIALS = frozenset({"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"})
_KNOWN_STABLE = frozenset(
    {"now", "current_timestamp", "statement_timestamp", "transaction_timestamp", "lower",
     "upper", "coalesce", "jsonb_build_object", "jsonb_build_array", "to_jsonb", "length"}
)  # fmt: skip


def effect(node: Any, old_type: Any = None, *, proved_not_null: bool = False) -> LockEffect:
    """The lock and work of one parsed statement.

    ``old_type`` is the column's current type for ``ALTER COLUMN TYPE`` (to
    tell a binary-coercible change, which is catalog only, from a rewrite);
    ``proved_not_null`` says a validated CHECK lets ``SET NOT NULL`` skip its scan.
    """
    if isinstance(node, ast.IndexStmt):
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE if node.concurrent else LockMode.SHARE
        return LockEffect(relation(node), mode, Cost.BUILD)
    if isinstance(node, ast.AlterTableStmt):
        effects = [
            _alter_effect(relation(node), cmd, old_type, proved_not_null) for cmd in node.cmds or ()
        ]
        return max(effects, key=_weight, default=_NONE)
    if isinstance(node, ast.RenameStmt):
        if node.renameType in (ObjectType.OBJECT_COLUMN, ObjectType.OBJECT_TABLE):
            return LockEffect(relation(node), LockMode.ACCESS_EXCLUSIVE, Cost.INSTANT)
        if node.renameType == ObjectType.OBJECT_INDEX:
            return LockEffect(relation(node), LockMode.SHARE_UPDATE_EXCLUSIVE, Cost.INSTANT)
        return _NONE
    if isinstance(node, ast.DropStmt):
        if node.removeType == ObjectType.OBJECT_TABLE:
            names = object_names(node)
            return LockEffect(", ".join(names), LockMode.ACCESS_EXCLUSIVE, Cost.INSTANT)
        if node.removeType == ObjectType.OBJECT_INDEX:
            mode = LockMode.SHARE_UPDATE_EXCLUSIVE if node.concurrent else LockMode.ACCESS_EXCLUSIVE
            names = object_names(node)
            return LockEffect(f"the table of {', '.join(names)}", mode, Cost.INSTANT)
        return _NONE
    if isinstance(node, ast.CreateStmt):
        return LockEffect(relation(node), LockMode.ACCESS_EXCLUSIVE, Cost.INSTANT)
    if isinstance(node, (ast.UpdateStmt, ast.DeleteStmt)):
        return LockEffect(relation(node), LockMode.ROW_EXCLUSIVE, Cost.SCAN)
    return _NONE


def _weight(e: LockEffect) -> tuple[int, int]:
    modes = list(LockMode)
    costs = list(Cost)
    return (modes.index(e.mode) if e.mode else -1, costs.index(e.cost))


def _alter_effect(table: str | None, cmd: Any, old_type: Any, proved: bool) -> LockEffect:
    sub = cmd.subtype
    exclusive = LockMode.ACCESS_EXCLUSIVE
    if sub == AlterTableType.AT_AddColumn:
        rewrite = volatile_default(cmd.def_) is not None
        return LockEffect(table, exclusive, Cost.REWRITE if rewrite else Cost.INSTANT)
    if sub == AlterTableType.AT_AlterColumnType:
        new = column_type(cmd.def_.typeName)
        coercible = old_type is not None and is_binary_coercible(old_type, new)
        return LockEffect(table, exclusive, Cost.INSTANT if coercible else Cost.REWRITE)
    if sub == AlterTableType.AT_SetNotNull:
        return LockEffect(table, exclusive, Cost.INSTANT if proved else Cost.SCAN)
    if sub == AlterTableType.AT_AddConstraint:
        return _constraint_effect(table, cmd.def_)
    if sub == AlterTableType.AT_ValidateConstraint:
        return LockEffect(table, LockMode.SHARE_UPDATE_EXCLUSIVE, Cost.SCAN)
    return LockEffect(table, exclusive, Cost.INSTANT)


def _constraint_effect(table: str | None, constraint: Any) -> LockEffect:
    kind = constraint.contype
    unchecked = bool(constraint.skip_validation)
    if kind == ConstrType.CONSTR_FOREIGN:
        # both this table and the referenced one
        return LockEffect(
            table, LockMode.SHARE_ROW_EXCLUSIVE, Cost.INSTANT if unchecked else Cost.SCAN
        )
    if kind in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_EXCLUSION):
        if constraint.indexname:
            return LockEffect(table, LockMode.ACCESS_EXCLUSIVE, Cost.INSTANT)
        return LockEffect(table, LockMode.ACCESS_EXCLUSIVE, Cost.BUILD)
    # CHECK and (Postgres 18) NOT NULL constraints
    return LockEffect(table, LockMode.ACCESS_EXCLUSIVE, Cost.INSTANT if unchecked else Cost.SCAN)
