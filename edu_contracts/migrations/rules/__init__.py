"""The lint rules, one file per group; ``RULES`` runs them in a fixed order."""

from edu_contracts.migrations.rules._base import Hit, MigrationRule, Rule
from edu_contracts.migrations.rules.columns import (
    column_type_change,
    set_not_null,
    volatile_default_added,
)
from edu_contracts.migrations.rules.constraints import constraint_not_valid, unique_without_index
from edu_contracts.migrations.rules.contract import drop_in_use, enum_value_removed, rename_in_use
from edu_contracts.migrations.rules.indexes import (
    concurrent_in_transaction,
    index_not_concurrent,
    vector_index_build,
)
from edu_contracts.migrations.rules.timeouts import lock_timeout_missing

__all__ = ["ONCE_PER_REVISION", "RULES", "Hit", "MigrationRule", "Rule"]

RULES: tuple[Rule, ...] = (
    index_not_concurrent,
    concurrent_in_transaction,
    vector_index_build,
    volatile_default_added,
    column_type_change,
    set_not_null,
    constraint_not_valid,
    unique_without_index,
    rename_in_use,
    drop_in_use,
    enum_value_removed,
    lock_timeout_missing,
)

ONCE_PER_REVISION = frozenset({MigrationRule.LOCK_TIMEOUT_MISSING})
"""Rules reported at their first statement only: one fix covers the revision."""
