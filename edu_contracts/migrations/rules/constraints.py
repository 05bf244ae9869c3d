"""Constraints added to tables that hold data: validation scans and unique builds."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import AlterTableType, ConstrType

from edu_contracts.migrations.locks import relation
from edu_contracts.migrations.operations import Statement
from edu_contracts.migrations.rules._base import OLD_CODE, Hit, MigrationRule
from edu_contracts.migrations.state import LintState

__all__ = ["constraint_not_valid", "unique_without_index"]


def _added(statement: Statement, state: LintState) -> Iterator[ast.Constraint]:
    node = statement.node
    if isinstance(node, ast.AlterTableStmt) and state.existing(relation(node)):
        for cmd in node.cmds or ():
            if cmd.subtype == AlterTableType.AT_AddConstraint:
                yield cmd.def_


def constraint_not_valid(statement: Statement, state: LintState) -> Iterator[Hit]:
    table = relation(statement.node)
    for constraint in _added(statement, state):
        if constraint.skip_validation:
            continue
        if constraint.contype == ConstrType.CONSTR_FOREIGN:
            referred = constraint.pktable.relname if constraint.pktable else "?"
            yield Hit(
                MigrationRule.CONSTRAINT_NOT_VALID,
                table,
                f"FOREIGN KEY {constraint.conname or ''} validates every row of {table} "
                f"(~{state.rows(table):,} rows at load) under SHARE ROW EXCLUSIVE on "
                f"{table} and {referred}: writes to both wait",
                "add it NOT VALID (op.create_foreign_key(..., postgresql_not_valid=True)), "
                "then `ALTER TABLE ... VALIDATE CONSTRAINT` in a later revision (SHARE "
                "UPDATE EXCLUSIVE: reads and writes go on)",
            )
        elif constraint.contype == ConstrType.CONSTR_CHECK:
            yield Hit(
                MigrationRule.CONSTRAINT_NOT_VALID,
                table,
                f"CHECK {constraint.conname or ''} validates every row of {table} "
                f"(~{state.rows(table):,} rows at load) under ACCESS EXCLUSIVE: reads "
                "and writes wait",
                "add it NOT VALID (op.create_check_constraint(..., "
                "postgresql_not_valid=True)), then VALIDATE CONSTRAINT in a later revision",
            )


def unique_without_index(statement: Statement, state: LintState) -> Iterator[Hit]:
    table = relation(statement.node)
    for constraint in _added(statement, state):
        if constraint.contype not in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
            continue
        if constraint.indexname and constraint.indexname in state.indexes:
            continue
        kind = "PRIMARY KEY" if constraint.contype == ConstrType.CONSTR_PRIMARY else "UNIQUE"
        yield Hit(
            MigrationRule.UNIQUE_WITHOUT_INDEX,
            table,
            f"{kind} {constraint.conname or ''} builds its index on {table} under ACCESS "
            f"EXCLUSIVE (~{state.rows(table):,} rows at load): reads and writes wait for "
            "the build; old code that inserts duplicates starts failing",
            "ship writers that never duplicate, CREATE UNIQUE INDEX CONCURRENTLY in an "
            "autocommit block, then `ALTER TABLE ... ADD CONSTRAINT name UNIQUE USING "
            "INDEX name` (catalog only)",
            breaks=f"all traffic on {table} during the build, and {OLD_CODE}",
        )
