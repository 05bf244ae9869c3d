"""The rule vocabulary shared by every rule file.

A rule is a function ``(statement, state) -> Iterator[Hit]``: it looks at
one parsed statement and the schema *before* it runs, and says what would
go wrong and the safe recipe. Rule ids are kebab-case like squawk's, so a
team moving from SQL files to Alembic recognises them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from edu_contracts.migrations.operations import Statement
from edu_contracts.migrations.state import LintState

__all__ = ["BLOCKS_TRAFFIC", "OLD_CODE", "Hit", "MigrationRule", "Rule"]


class MigrationRule(enum.Enum):
    """Every lint rule; the value is the stable id used in output and ``noqa``."""

    INDEX_NOT_CONCURRENT = "index-not-concurrent"
    CONCURRENT_IN_TRANSACTION = "concurrent-in-transaction"
    VECTOR_INDEX_BUILD = "vector-index-build"
    VOLATILE_DEFAULT = "volatile-default"
    COLUMN_TYPE_CHANGE = "column-type-change"
    VECTOR_TYPE_CHANGE = "vector-type-change"
    SET_NOT_NULL = "set-not-null"
    CONSTRAINT_NOT_VALID = "constraint-not-valid"
    UNIQUE_WITHOUT_INDEX = "unique-without-index"
    RENAME_IN_USE = "rename-in-use"
    DROP_IN_USE = "drop-in-use"
    ENUM_VALUE_REMOVED = "enum-value-removed"
    LOCK_TIMEOUT_MISSING = "lock-timeout-missing"


BLOCKS_TRAFFIC = "edu-api and edu-worker while the lock is held (their statements queue behind it)"
OLD_CODE = "old code (the previous release) running on the new schema"


@dataclass(frozen=True)
class Hit:
    """What a rule found in one statement."""

    rule: MigrationRule
    table: str | None
    message: str
    recipe: str
    breaks: str = BLOCKS_TRAFFIC


Rule = Callable[[Statement, LintState], Iterator[Hit]]
