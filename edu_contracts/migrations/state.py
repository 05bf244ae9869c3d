"""What the linter knows about the schema while it walks the revisions.

It starts from the previous release's table snapshot (what old code was
built against and what holds data) and follows every statement: tables and
columns created in the linted range are new (empty, unknown to old code),
constraints added ``NOT VALID`` become valid only at ``VALIDATE``, a
``SET lock_timeout`` covers what follows in its revision. Rules read this
state *before* the statement they judge is applied to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, ObjectType

from edu_contracts.migrations.locks import last_name, object_names, relation
from edu_contracts.migrations.sqltypes import SqlType, column_type, parse_type

__all__ = ["LintState", "TableState"]


@dataclass
class TableState:
    columns: dict[str, SqlType]
    existing: bool
    """The table held data before the linted revisions (it was released)."""
    new_columns: set[str] = field(default_factory=set)
    checks: dict[str, tuple[str, bool]] = field(default_factory=dict)
    """Check constraint name -> (normalised expression, validated)."""
    not_null: set[str] = field(default_factory=set)


@dataclass
class LintState:
    """The schema as the walk has made it so far, plus session settings."""

    release: Mapping[str, Any]
    """The previous release's ``tables.json``: what old code uses."""
    release_label: str
    row_estimates: Mapping[str, int]
    large_rows: int
    tables: dict[str, TableState] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    indexes: dict[str, str] = field(default_factory=dict)
    """Index name -> table, for ``UNIQUE USING INDEX`` and dropped indexes."""
    lock_timeout: bool = False
    lock_timeout_local: bool = False
    maintenance_work_mem: bool = False

    @classmethod
    def from_release(
        cls,
        release: Mapping[str, Any],
        label: str,
        row_estimates: Mapping[str, int],
        large_rows: int,
    ) -> LintState:
        state = cls(release, label, row_estimates, large_rows)
        for name, table in release.get("tables", {}).items():
            columns = {c: parse_type(spec["type"]) for c, spec in table["columns"].items()}
            checks = {
                n: (_normal(c["sqltext"]), True)
                for n, c in table.get("check_constraints", {}).items()
            }
            not_null = {c for c, spec in table["columns"].items() if not spec["nullable"]}
            state.tables[name] = TableState(columns, True, checks=checks, not_null=not_null)
            for index in table.get("indexes", {}):
                state.indexes[index] = name
        state.enums = {k: list(v) for k, v in release.get("enums", {}).items()}
        return state

    # --- questions rules ask ----------------------------------------------------

    def existing(self, table: str | None) -> bool:
        """The table holds rows and traffic: it existed before these revisions."""
        return table is not None and table in self.tables and self.tables[table].existing

    def released_column(self, table: str, column: str) -> bool:
        """Old code (the previous release) reads or writes this column."""
        released = self.release.get("tables", {}).get(table)
        if released is None or column not in released["columns"]:
            return False
        state = self.tables.get(table)
        return state is None or column not in state.new_columns

    def released_table(self, table: str) -> bool:
        return table in self.release.get("tables", {}) and self.existing(table)

    def rows(self, table: str | None) -> int:
        return 0 if table is None else int(self.row_estimates.get(table, 0))

    def large(self, table: str | None) -> bool:
        return self.existing(table) and self.rows(table) >= self.large_rows

    def validated_not_null(self, table: str, column: str) -> bool:
        """A validated CHECK (column IS NOT NULL) lets SET NOT NULL skip its scan."""
        state = self.tables.get(table)
        if state is None:
            return False
        wanted = f"{column} is not null"
        return any(expr == wanted and valid for expr, valid in state.checks.values())

    def column_type(self, table: str | None, column: str) -> SqlType | None:
        state = self.tables.get(table or "")
        return None if state is None else state.columns.get(column)

    # --- following the statements -----------------------------------------------

    def start_revision(self) -> None:
        self.lock_timeout = self.lock_timeout_local = self.maintenance_work_mem = False

    def apply(self, node: Any) -> None:
        if isinstance(node, ast.VariableSetStmt):
            self._setting(node)
        elif isinstance(node, ast.TransactionStmt):
            if self.lock_timeout_local:
                self.lock_timeout = self.lock_timeout_local = False
        elif isinstance(node, ast.CreateStmt):
            columns = {
                str(c.colname): column_type(c.typeName)
                for c in node.tableElts or ()
                if isinstance(c, ast.ColumnDef)
            }
            self.tables[relation(node) or ""] = TableState(columns, False, set(columns))
        elif isinstance(node, ast.AlterTableStmt):
            table = self.tables.get(relation(node) or "")
            if table is not None:
                for cmd in node.cmds or ():
                    self._alter(table, cmd)
        elif isinstance(node, ast.RenameStmt):
            self._rename(node)
        elif isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TABLE:
            for name in object_names(node):
                self.tables.pop(name, None)
        elif isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TYPE:
            for name in object_names(node):
                self.enums.pop(name, None)
        elif isinstance(node, ast.IndexStmt) and node.idxname:
            self.indexes[str(node.idxname)] = relation(node) or ""
        elif isinstance(node, ast.CreateEnumStmt):
            self.enums[last_name(node.typeName)] = [str(v.sval) for v in node.vals or ()]
        elif isinstance(node, ast.AlterEnumStmt):
            self._enum(node)

    def _setting(self, node: Any) -> None:
        name = str(node.name or "").lower()
        if name == "lock_timeout":
            self.lock_timeout = True
            self.lock_timeout_local = bool(node.is_local)
        elif name == "maintenance_work_mem":
            self.maintenance_work_mem = True

    def _alter(self, table: TableState, cmd: Any) -> None:
        sub = cmd.subtype
        if sub == AlterTableType.AT_AddColumn:
            table.columns[str(cmd.def_.colname)] = column_type(cmd.def_.typeName)
            table.new_columns.add(str(cmd.def_.colname))
        elif sub == AlterTableType.AT_DropColumn:
            table.columns.pop(str(cmd.name), None)
        elif sub == AlterTableType.AT_AlterColumnType:
            table.columns[str(cmd.name)] = column_type(cmd.def_.typeName)
        elif sub == AlterTableType.AT_SetNotNull:
            table.not_null.add(str(cmd.name))
        elif sub == AlterTableType.AT_AddConstraint and cmd.def_.contype == ConstrType.CONSTR_CHECK:
            from pglast.stream import RawStream

            expr = _normal(RawStream()(cmd.def_.raw_expr))
            table.checks[str(cmd.def_.conname)] = (expr, not cmd.def_.skip_validation)
        elif sub == AlterTableType.AT_ValidateConstraint and str(cmd.name) in table.checks:
            expr, _ = table.checks[str(cmd.name)]
            table.checks[str(cmd.name)] = (expr, True)
        elif sub == AlterTableType.AT_DropConstraint:
            table.checks.pop(str(cmd.name), None)

    def _rename(self, node: Any) -> None:
        if node.renameType == ObjectType.OBJECT_TABLE and node.relation is not None:
            old = str(node.relation.relname)
            if old in self.tables:
                self.tables[str(node.newname)] = self.tables.pop(old)
        elif node.renameType == ObjectType.OBJECT_COLUMN:
            table = self.tables.get(relation(node) or "")
            if table is not None and str(node.subname) in table.columns:
                table.columns[str(node.newname)] = table.columns.pop(str(node.subname))
        elif node.renameType == ObjectType.OBJECT_TYPE:
            old = last_name(node.object)
            if old in self.enums:
                self.enums[str(node.newname)] = self.enums.pop(old)

    def _enum(self, node: Any) -> None:
        name = last_name(node.typeName)
        values = self.enums.setdefault(name, [])
        if node.oldVal:
            values[:] = [str(node.newVal) if v == node.oldVal else v for v in values]
        elif node.newVal and node.newVal not in values:
            if node.newValNeighbor and node.newValNeighbor in values:
                at = values.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0)
                values.insert(at, str(node.newVal))
            else:
                values.append(str(node.newVal))


def _normal(sql: str) -> str:
    return " ".join(sql.lower().replace("(", " ").replace(")", " ").split())
