"""Read Alembic revisions as the operations and SQL statements they would run.

A revision is Python: it may build columns in loops, call helpers, or drop
into ``op.execute("...")``. Rather than guess from the source, each
revision's ``upgrade()`` is *run* against an offline (``as_sql``) Alembic
context whose ``Operations.invoke`` is wrapped: every operation object is
recorded together with the exact SQL Alembic renders for it. That SQL is
parsed with libpg_query (through ``pglast``), Postgres's own parser, so raw
``op.execute`` statements and Alembic operations are judged by one set of
rules on one representation.

Transaction state is read from the same stream: Alembic emits ``BEGIN`` at
the start of a transactional revision and ``COMMIT``/``BEGIN`` around an
``autocommit_block()``, so every statement knows whether it would run
inside a transaction block.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util.exc import CommandError

from edu_contracts.errors import MigrationSafetyError, RevisionReadError

__all__ = [
    "Operation",
    "Revision",
    "Statement",
    "alembic_config",
    "read_revision",
    "revision_range",
    "script_directory",
]


@dataclass(frozen=True)
class Statement:
    """One SQL statement an operation runs, parsed."""

    sql: str
    node: Any
    """The ``pglast`` AST node (``IndexStmt``, ``AlterTableStmt``...)."""
    in_transaction: bool
    """Whether it would run inside a transaction block."""


@dataclass(frozen=True)
class Operation:
    """One Alembic operation (``op.create_index(...)``) and the SQL it renders."""

    index: int
    """1-based position in the revision's ``upgrade()``."""
    kind: str
    """The operation's name as a revision calls it: ``create_index``, ``execute``..."""
    statements: tuple[Statement, ...]

    @property
    def sql(self) -> str:
        return "; ".join(s.sql for s in self.statements)


@dataclass(frozen=True)
class Revision:
    """A revision file and everything its ``upgrade()`` does, in order."""

    revision: str
    down_revision: str | None
    path: str
    operations: tuple[Operation, ...]


def script_directory(extra_versions: Sequence[Path | str] = ()) -> ScriptDirectory:
    """The package's revisions, plus revisions in ``extra_versions`` folders.

    Extra folders hold revisions that build on the package's (a draft to
    lint before it is moved in, the test corpus); they share its ``env.py``.
    Cached per folder list: Alembic compiles every revision file each time it
    builds a revision map, which was 70 % of a lint run.
    """
    return _script_directory(tuple(str(Path(p).resolve()) for p in extra_versions))


@functools.lru_cache(maxsize=16)
def _script_directory(extra_versions: tuple[str, ...]) -> ScriptDirectory:
    script = ScriptDirectory.from_config(alembic_config(extra_versions))
    script.revision_map.heads  # noqa: B018 - build the map once, here
    return script


def alembic_config(extra_versions: Sequence[Path | str] = (), url: str | None = None) -> Config:
    """The package's Alembic config with extra version folders appended."""
    from edu_contracts.db.migrate import MIGRATIONS_DIR
    from edu_contracts.db.migrate import alembic_config as base_config

    config = base_config(url)
    if extra_versions:
        folders = [
            str(MIGRATIONS_DIR / "versions"),
            *(str(Path(p).resolve()) for p in extra_versions),
        ]
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", _os_joined(folders))
    return config


def _os_joined(folders: Sequence[str]) -> str:
    import os

    return os.pathsep.join(folders)


def revision_range(script: ScriptDirectory, lower: str | None, upper: str) -> list[Script]:
    """Revisions after ``lower`` up to and including ``upper``, oldest first.

    ``lower=None`` means from the very first revision; ``upper`` may be
    ``"heads"``.
    """
    try:
        found = list(script.iterate_revisions(upper, lower or "base"))
    except (CommandError, RevisionError) as exc:
        known = ", ".join(sorted(r.revision for r in script.walk_revisions()))
        raise MigrationSafetyError(
            f"cannot walk revisions from {lower or 'base'!r} to {upper!r}: {exc}",
            where=", ".join(script.version_locations),
            fix=f"use revision ids that exist and follow each other (known: {known})",
        ) from exc
    return list(reversed(found))


def read_revision(script: Script) -> Revision:
    """Run ``script``'s ``upgrade()`` offline and record what it does."""
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql",
        opts={
            "as_sql": True,
            "output_buffer": buffer,
            "transactional_ddl": True,
            "literal_binds": True,
        },
    )
    recorded: list[tuple[str, int, int]] = []
    with Operations.context(context) as ops:
        invoke = ops.invoke

        def recording_invoke(operation: Any) -> Any:
            start = buffer.tell()
            result = invoke(operation)
            recorded.append((_kind(operation), start, buffer.tell()))
            return result

        ops.invoke = recording_invoke  # type: ignore[method-assign]
        ops.get_bind = _no_bind  # type: ignore[method-assign]
        try:
            with context.begin_transaction():
                script.module.upgrade()
        except Exception as exc:
            raise RevisionReadError(
                f"revision {script.revision} cannot be rendered offline: "
                f"{type(exc).__name__}: {exc}",
                where=str(script.path),
                fix="express the change as op.* calls or op.execute(SQL); a revision that "
                "reads the database (op.get_bind()) cannot be linted statically",
            ) from exc
    down = script.down_revision
    return Revision(
        revision=script.revision,
        down_revision=down if isinstance(down, str) or down is None else ",".join(down),
        path=str(script.path),
        operations=tuple(_operations(buffer.getvalue(), recorded, script)),
    )


def _no_bind() -> Any:
    """Offline Alembic hands out a mock connection whose statements vanish; a
    revision that reads or writes through it cannot be judged, so say so."""
    raise RuntimeError("op.get_bind() needs a live database")


def _kind(operation: Any) -> str:
    import re

    name = type(operation).__name__.removesuffix("Op")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


def _operations(
    text: str, recorded: list[tuple[str, int, int]], script: Script
) -> Iterator[Operation]:
    """Cut the SQL stream into the operations that wrote it, tracking BEGIN/COMMIT."""
    in_transaction = False
    position = 0
    for number, (kind, start, end) in enumerate(recorded, start=1):
        in_transaction = _follow_transactions(text[position:start], in_transaction, script)
        statements = []
        for sql, node in _parse(text[start:end], script):
            statements.append(Statement(sql, node, in_transaction))
            in_transaction = _after(node, in_transaction)
        position = end
        yield Operation(number, kind, tuple(statements))


def _follow_transactions(gap: str, in_transaction: bool, script: Script) -> bool:
    for _sql, node in _parse(gap, script):
        in_transaction = _after(node, in_transaction)
    return in_transaction


def _after(node: Any, in_transaction: bool) -> bool:
    from pglast import ast
    from pglast.enums import TransactionStmtKind

    if isinstance(node, ast.TransactionStmt):
        if node.kind in (
            TransactionStmtKind.TRANS_STMT_BEGIN,
            TransactionStmtKind.TRANS_STMT_START,
        ):
            return True
        if node.kind in (
            TransactionStmtKind.TRANS_STMT_COMMIT,
            TransactionStmtKind.TRANS_STMT_ROLLBACK,
        ):
            return False
    return in_transaction


def _parse(text: str, script: Script) -> Iterator[tuple[str, Any]]:
    if not text.strip():
        return
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        raw = parse_sql(text)
    except ParseError as exc:
        raise RevisionReadError(
            f"revision {script.revision} renders SQL Postgres cannot parse: {exc}",
            where=str(script.path),
            fix="fix the statement passed to op.execute()",
        ) from exc
    data = text.encode()
    for stmt in raw:
        location = stmt.stmt_location or 0
        length = stmt.stmt_len or (len(data) - location)
        sql = data[location : location + length].decode().strip().rstrip(";").strip()
        yield sql, stmt.stmt
