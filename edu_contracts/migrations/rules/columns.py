"""Column changes: defaults that rewrite, type changes, and NOT NULL without a scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType

from edu_contracts.migrations.locks import relation, volatile_default
from edu_contracts.migrations.operations import Statement
from edu_contracts.migrations.rules._base import OLD_CODE, Hit, MigrationRule
from edu_contracts.migrations.sqltypes import column_type, is_binary_coercible
from edu_contracts.migrations.state import LintState

__all__ = ["column_type_change", "set_not_null", "volatile_default_added"]


def _commands(statement: Statement, state: LintState, subtype: AlterTableType) -> Iterator[Any]:
    node = statement.node
    if isinstance(node, ast.AlterTableStmt) and state.existing(relation(node)):
        for cmd in node.cmds or ():
            if cmd.subtype == subtype:
                yield cmd


def volatile_default_added(statement: Statement, state: LintState) -> Iterator[Hit]:
    table = relation(statement.node)
    for cmd in _commands(statement, state, AlterTableType.AT_AddColumn):
        why = volatile_default(cmd.def_)
        if why is not None:
            yield Hit(
                MigrationRule.VOLATILE_DEFAULT,
                table,
                f"ADD COLUMN {cmd.def_.colname} rewrites {table} under ACCESS EXCLUSIVE "
                f"(~{state.rows(table):,} rows at load): {why}",
                "add the column without a default (or with a constant one), set the "
                "default in a second statement (ALTER COLUMN ... SET DEFAULT, new rows "
                "only), then backfill existing rows in batches outside the migration",
            )


def column_type_change(statement: Statement, state: LintState) -> Iterator[Hit]:
    table = relation(statement.node)
    for cmd in _commands(statement, state, AlterTableType.AT_AlterColumnType):
        column = str(cmd.name)
        old = state.column_type(table, column)
        new = column_type(cmd.def_.typeName)
        if old is not None and (old.is_vector or new.is_vector) and old != new:
            yield Hit(
                MigrationRule.VECTOR_TYPE_CHANGE,
                table,
                f"{table}.{column} {old} -> {new}: every stored vector is rewritten under "
                "ACCESS EXCLUSIVE and every vector index on it is rebuilt"
                + (
                    "; a new dimension also fails on existing rows and on what old code "
                    'writes ("expected N dimensions")'
                    if old.args != new.args
                    else ""
                ),
                f"add a new column ({new}, nullable) beside {column}, have the worker write "
                "both, backfill (re-embed when the dimension changes) in batches, build its "
                "index CONCURRENTLY, switch reads, and drop the old column in a later "
                "release; to index a wide vector, index an expression cast "
                "(embedding::halfvec(N)) instead of changing the column",
                breaks=f"{OLD_CODE}, and all traffic on {table} while it rewrites",
            )
        elif old is None or not is_binary_coercible(old, new):
            yield Hit(
                MigrationRule.COLUMN_TYPE_CHANGE,
                table,
                f"{table}.{column} {old or '?'} -> {new} rewrites the table and its indexes "
                f"under ACCESS EXCLUSIVE (~{state.rows(table):,} rows at load)",
                "expand/contract: add a new column of the new type, write both, backfill "
                "in batches, switch readers, drop the old column later; only widenings "
                "such as varchar(n) -> varchar(m > n) or -> text are catalog-only",
            )


def set_not_null(statement: Statement, state: LintState) -> Iterator[Hit]:
    table = relation(statement.node) or ""
    for cmd in _commands(statement, state, AlterTableType.AT_SetNotNull):
        column = str(cmd.name)
        if not state.validated_not_null(table, column):
            yield Hit(
                MigrationRule.SET_NOT_NULL,
                table,
                f"SET NOT NULL on {table}.{column} scans every row under ACCESS EXCLUSIVE "
                f"(~{state.rows(table):,} rows at load): reads and writes wait",
                f"add CHECK ({column} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a "
                "later statement (no blocking lock), then SET NOT NULL (Postgres skips the "
                "scan when a validated check proves it) and drop the check",
            )
