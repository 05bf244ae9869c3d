"""Index builds: the lock they take, where they may run, and what vector graphs cost."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import ObjectType

from edu_contracts.migrations.locks import object_names, relation
from edu_contracts.migrations.operations import Statement
from edu_contracts.migrations.rules._base import Hit, MigrationRule
from edu_contracts.migrations.state import LintState

__all__ = ["concurrent_in_transaction", "index_not_concurrent", "vector_index_build"]

_CONCURRENT_RECIPE = (
    "put the statement in its own autocommit block: "
    "`with op.get_context().autocommit_block(): op.create_index(..., "
    "postgresql_concurrently=True)` (a failed concurrent build leaves an INVALID "
    "index: drop it and retry)"
)


def index_not_concurrent(statement: Statement, state: LintState) -> Iterator[Hit]:
    node = statement.node
    if isinstance(node, ast.IndexStmt) and not node.concurrent and state.existing(relation(node)):
        table = relation(node)
        yield Hit(
            MigrationRule.INDEX_NOT_CONCURRENT,
            table,
            f"CREATE INDEX {node.idxname or ''} takes SHARE on {table} for the whole build "
            f"(~{state.rows(table):,} rows at load): every INSERT/UPDATE/DELETE waits",
            "CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE, writes go on); "
            + _CONCURRENT_RECIPE,
        )
    if (
        isinstance(node, ast.DropStmt)
        and node.removeType == ObjectType.OBJECT_INDEX
        and not node.concurrent
        and any(state.existing(state.indexes.get(name)) for name in object_names(node))
    ):
        names = ", ".join(object_names(node))
        yield Hit(
            MigrationRule.INDEX_NOT_CONCURRENT,
            state.indexes.get(object_names(node)[0]),
            f"DROP INDEX {names} takes ACCESS EXCLUSIVE on its table: reads and writes wait",
            "DROP INDEX CONCURRENTLY in an autocommit block "
            "(op.drop_index(..., postgresql_concurrently=True))",
        )


def concurrent_in_transaction(statement: Statement, state: LintState) -> Iterator[Hit]:
    node = statement.node
    concurrent = isinstance(node, (ast.IndexStmt, ast.DropStmt, ast.ReindexStmt)) and bool(
        getattr(node, "concurrent", False)
        or any(
            getattr(p, "defname", "") == "concurrently" for p in getattr(node, "params", None) or ()
        )
    )
    if concurrent and statement.in_transaction:
        yield Hit(
            MigrationRule.CONCURRENT_IN_TRANSACTION,
            relation(node),
            "CONCURRENTLY cannot run inside a transaction block: the revision fails "
            '("cannot run inside a transaction block") and rolls back',
            _CONCURRENT_RECIPE,
            breaks="the deploy: the migration aborts",
        )


_VECTOR_METHODS = {"hnsw", "ivfflat"}


def vector_index_build(statement: Statement, state: LintState) -> Iterator[Hit]:
    node = statement.node
    if not isinstance(node, ast.IndexStmt) or str(node.accessMethod) not in _VECTOR_METHODS:
        return
    table = relation(node)
    too_wide = _too_wide(node, state, table)
    if too_wide:
        yield Hit(
            MigrationRule.VECTOR_INDEX_BUILD,
            table,
            f"{str(node.accessMethod).upper()} on {too_wide}: pgvector cannot index vector "
            "above 2,000 dimensions, so the build fails and the revision aborts",
            "index an expression cast to half precision, as this schema does: "
            "((column::halfvec(N)) halfvec_cosine_ops), and query with the same expression "
            "so the planner uses it",
            breaks="the deploy: the migration aborts",
        )
        return
    if not state.large(table):
        return
    if node.concurrent and state.maintenance_work_mem:
        return
    rows = state.rows(table)
    dims = _dimensions(statement, state, table)
    # halfvec stores 2 bytes per dimension; an HNSW graph (m=16) adds ~2*m*8 bytes of links
    megabytes = rows * (dims * 2 + 2 * 16 * 8) / 1e6 if dims else 0.0
    missing = []
    if not node.concurrent:
        missing.append("CONCURRENTLY")
    if not state.maintenance_work_mem:
        missing.append("a maintenance_work_mem setting")
    size = f"~{megabytes:,.0f} MB of graph" if megabytes else "a graph over every vector"
    yield Hit(
        MigrationRule.VECTOR_INDEX_BUILD,
        table,
        f"{str(node.accessMethod).upper()} build on {table} (~{rows:,} rows at load, {size}) "
        f"without {' and '.join(missing)}: a build that spills out of maintenance_work_mem "
        "runs for tens of minutes, and pgvector's build is far slower once the graph "
        "no longer fits",
        "its own revision: `SET maintenance_work_mem = '<graph size + 25 %>'` and "
        "`SET max_parallel_maintenance_workers = 2`, then CREATE INDEX CONCURRENTLY in an "
        "autocommit block; rehearse it on the load scenario to learn the build time",
    )


_VECTOR_LIMIT = 2000
"""pgvector's HNSW and IVFFlat limit for ``vector`` (``halfvec`` goes to 4,000)."""


def _too_wide(node: ast.IndexStmt, state: LintState, table: str | None) -> str | None:
    """``table.column vector(N)`` when the index is on a plain vector column over the limit."""
    for element in node.indexParams or ():
        column = getattr(element, "name", None)
        kind = state.column_type(table, str(column)) if column else None
        if (
            kind is not None
            and kind.base == "vector"
            and kind.args
            and kind.args[0] > _VECTOR_LIMIT
        ):
            return f"{table}.{column} {kind}"
    return None


def _dimensions(statement: Statement, state: LintState, table: str | None) -> int:
    import re

    found = re.search(r"(?:halfvec|vector)\((\d+)\)", statement.sql, re.IGNORECASE)
    if found:
        return int(found.group(1))
    for column_type in state.tables[table].columns.values() if table in state.tables else ():
        if column_type.is_vector and column_type.args:
            return column_type.args[0]
    return 0
