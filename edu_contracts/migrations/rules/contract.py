"""Expand/contract order: renames, drops and enum changes that break the previous release.

During a deploy the previous release of edu-api and edu-worker keeps
running against the migrated database. Whatever its table contract (the
released ``tables.json``) names must still exist in the shape it knows
until a release that no longer uses it is everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import AlterTableType, ObjectType

from edu_contracts.migrations.locks import last_name, object_names, relation
from edu_contracts.migrations.operations import Statement
from edu_contracts.migrations.rules._base import OLD_CODE, Hit, MigrationRule
from edu_contracts.migrations.state import LintState

__all__ = ["drop_in_use", "enum_value_removed", "rename_in_use"]

_CONTRACT = (
    "expand/contract: release code that no longer reads or writes it (and models that no "
    "longer map it), deploy both services on that release, and only then drop it in a "
    "revision of the following release"
)


def rename_in_use(statement: Statement, state: LintState) -> Iterator[Hit]:
    node = statement.node
    if not isinstance(node, ast.RenameStmt):
        return
    table = relation(node)
    if node.renameType == ObjectType.OBJECT_COLUMN and table:
        if state.released_column(table, str(node.subname)):
            yield Hit(
                MigrationRule.RENAME_IN_USE,
                table,
                f"{table}.{node.subname} renamed to {node.newname}: release "
                f"{state.release_label} still reads and writes {node.subname}",
                f"add {node.newname} beside {node.subname}, write both (or a trigger), "
                f"backfill, move readers, then drop {node.subname} later ({_CONTRACT})",
                breaks=OLD_CODE,
            )
    elif node.renameType == ObjectType.OBJECT_TABLE and table and state.released_table(table):
        yield Hit(
            MigrationRule.RENAME_IN_USE,
            table,
            f"table {table} renamed to {node.newname}: release {state.release_label} "
            f"still queries {table}",
            f"create {node.newname}, write both, backfill, move readers, then drop {table} "
            f"later; or rename and leave a view named {table} for old code",
            breaks=OLD_CODE,
        )


def drop_in_use(statement: Statement, state: LintState) -> Iterator[Hit]:
    node = statement.node
    table = relation(node)
    if isinstance(node, ast.AlterTableStmt) and table:
        for cmd in node.cmds or ():
            if cmd.subtype == AlterTableType.AT_DropColumn and state.released_column(
                table, str(cmd.name)
            ):
                yield Hit(
                    MigrationRule.DROP_IN_USE,
                    table,
                    f"{table}.{cmd.name} dropped: release {state.release_label} still "
                    "selects and inserts it, so its queries fail (undefined column)",
                    _CONTRACT,
                    breaks=OLD_CODE,
                )
    elif isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TABLE:
        for name in object_names(node):
            if state.released_table(name):
                yield Hit(
                    MigrationRule.DROP_IN_USE,
                    name,
                    f"table {name} dropped: release {state.release_label} still uses it",
                    _CONTRACT,
                    breaks=OLD_CODE,
                )


def enum_value_removed(statement: Statement, state: LintState) -> Iterator[Hit]:
    node = statement.node
    released = state.release.get("enums", {})
    if isinstance(node, ast.AlterEnumStmt) and node.oldVal:
        name = last_name(node.typeName)
        if node.oldVal in released.get(name, ()):
            yield _enum_hit(name, [str(node.oldVal)], "renamed away", state)
    elif isinstance(node, ast.CreateEnumStmt):
        name = last_name(node.typeName)
        if name in released and name not in state.enums:
            values = [str(v.sval) for v in node.vals or ()]
            old = list(released[name])
            gone = [v for v in old if v not in values]
            kept = [v for v in values if v in old]
            if gone:
                yield _enum_hit(name, gone, "removed", state)
            elif kept != old:
                yield _enum_hit(name, kept, "reordered", state)


def _enum_hit(name: str, values: list[str], how: str, state: LintState) -> Hit:
    return Hit(
        MigrationRule.ENUM_VALUE_REMOVED,
        None,
        f"enum {name}: values {values} {how}; rows and release {state.release_label} still "
        "use them (writes fail, ORDER BY and comparisons change meaning), and recreating "
        "the type rewrites every column of it",
        "only append values (ALTER TYPE ... ADD VALUE, safe in Postgres 12+); to retire "
        "one, stop writing it in a release, migrate its rows, and keep the label in the type",
        breaks=OLD_CODE,
    )
