"""The table change vocabulary, and the rules for keys, constraints, indexes and enums.

Split from :mod:`edu_contracts.tables.rules` (which holds the column rules
and the walk) only to keep each file readable; nothing outside ``tables``
should import from here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from edu_contracts.findings.modes import Direction
from edu_contracts.tables._sql import normalize_sql

__all__ = [
    "BREAKS",
    "EXPAND_CONTRACT",
    "SAFE",
    "Change",
    "TableChange",
    "constraint_changes",
    "enum_changes",
]


class TableChange(enum.Enum):
    """One kind of difference between two table snapshots."""

    TABLE_ADDED = "TABLE_ADDED"
    TABLE_REMOVED = "TABLE_REMOVED"
    COLUMN_ADDED = "COLUMN_ADDED"
    COLUMN_REMOVED = "COLUMN_REMOVED"
    COLUMN_RENAMED = "COLUMN_RENAMED"
    TYPE_WIDENED = "TYPE_WIDENED"
    TYPE_NARROWED = "TYPE_NARROWED"
    TYPE_CHANGED = "TYPE_CHANGED"
    VECTOR_DIMENSION_CHANGED = "VECTOR_DIMENSION_CHANGED"
    NOT_NULL_ADDED = "NOT_NULL_ADDED"
    NOT_NULL_REMOVED = "NOT_NULL_REMOVED"
    DEFAULT_ADDED = "DEFAULT_ADDED"
    DEFAULT_REMOVED = "DEFAULT_REMOVED"
    DEFAULT_CHANGED = "DEFAULT_CHANGED"
    PRIMARY_KEY_CHANGED = "PRIMARY_KEY_CHANGED"
    FOREIGN_KEY_ADDED = "FOREIGN_KEY_ADDED"
    FOREIGN_KEY_REMOVED = "FOREIGN_KEY_REMOVED"
    FOREIGN_KEY_CHANGED = "FOREIGN_KEY_CHANGED"
    UNIQUE_ADDED = "UNIQUE_ADDED"
    UNIQUE_REMOVED = "UNIQUE_REMOVED"
    CHECK_ADDED = "CHECK_ADDED"
    CHECK_REMOVED = "CHECK_REMOVED"
    CHECK_CHANGED = "CHECK_CHANGED"
    INDEX_ADDED = "INDEX_ADDED"
    INDEX_REMOVED = "INDEX_REMOVED"
    INDEX_CHANGED = "INDEX_CHANGED"
    ENUM_VALUE_ADDED = "ENUM_VALUE_ADDED"
    ENUM_VALUE_REMOVED = "ENUM_VALUE_REMOVED"


BREAKS = {
    Direction.BACKWARD: "old code running on the new schema",
    Direction.FORWARD: "new code running on a database still at the old schema",
}

SAFE = "safe as is"
EXPAND_CONTRACT = (
    "expand, then contract: add the new shape beside the old one, ship code that "
    "uses it, backfill, and remove the old shape in a later release"
)


@dataclass(frozen=True)
class Change:
    kind: TableChange
    where: str
    message: str
    backward_ok: bool
    forward_ok: bool
    safe_path: str


def _named(
    name: str, section: str, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    before, after = old.get(section, {}), new.get(section, {})
    for key in sorted(set(before) | set(after)):
        yield f"{name} ({key})", before.get(key), after.get(key)


def _check_key(entry: dict[str, Any]) -> str | None:
    return normalize_sql(entry["sqltext"])


def _index_key(entry: dict[str, Any]) -> tuple[Any, ...]:
    keys = tuple(normalize_sql(k, strip_casts=False) for k in entry["keys"])
    return (keys, entry["unique"], entry["using"], tuple(entry["ops"]), entry.get("where"))


def constraint_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    if old["primary_key"]["columns"] != new["primary_key"]["columns"]:
        yield Change(
            TableChange.PRIMARY_KEY_CHANGED,
            name,
            f"primary key {old['primary_key']['columns']} -> {new['primary_key']['columns']}",
            False,
            False,
            "primary keys are identities other tables and services hold; keep it, and add a "
            "unique key for the new identity instead",
        )
    for where, was, now in _named(name, "foreign_keys", old, new):
        if was is None and now is not None:
            yield Change(
                TableChange.FOREIGN_KEY_ADDED,
                where,
                f"foreign key {now['columns']} -> {now['referred_table']} "
                f"ON DELETE {now['ondelete'] or 'NO ACTION'} added: writes from old code "
                "that break it fail",
                False,
                True,
                "add it NOT VALID, fix old writers and data, then VALIDATE CONSTRAINT",
            )
        elif now is None and was is not None:
            yield Change(
                TableChange.FOREIGN_KEY_REMOVED,
                where,
                "foreign key removed; old code relying on its ON DELETE no longer gets it",
                True,
                True,
                SAFE,
            )
        elif was != now and was is not None and now is not None:
            yield Change(
                TableChange.FOREIGN_KEY_CHANGED,
                where,
                f"foreign key changed: ON DELETE {was['ondelete']} -> {now['ondelete']}, "
                f"{was['columns']} -> {now['columns']}",
                False,
                False,
                "add the new key under a new name beside the old one, then drop the old one",
            )
    for where, was, now in _named(name, "unique_constraints", old, new):
        if was is None and now is not None:
            yield Change(
                TableChange.UNIQUE_ADDED,
                where,
                f"unique constraint on {now['columns']} added: old code may insert duplicates",
                False,
                True,
                "ship writers that never duplicate (upsert), clean the data, then add it",
            )
        elif now is None and was is not None:
            yield Change(
                TableChange.UNIQUE_REMOVED,
                where,
                f"unique constraint on {was['columns']} removed; old upserts on it "
                "(ON CONFLICT) fail",
                False,
                True,
                "ship code that no longer upserts on this key, then drop the constraint",
            )
        elif was != now and was is not None and now is not None:
            yield Change(
                TableChange.UNIQUE_ADDED,
                where,
                f"unique constraint columns {was['columns']} -> {now['columns']}",
                False,
                False,
                "add the new constraint under a new name beside the old one, then drop it",
            )
    for where, was, now in _named(name, "check_constraints", old, new):
        if was is None and now is not None:
            yield Change(
                TableChange.CHECK_ADDED,
                where,
                f"check constraint added: {now['sqltext']}; old code may write rows it rejects",
                False,
                True,
                "ship writers that satisfy it, then add it NOT VALID and VALIDATE it",
            )
        elif now is None and was is not None:
            yield Change(
                TableChange.CHECK_REMOVED, where, "check constraint removed", True, False, SAFE
            )
        elif was is not None and now is not None and _check_key(was) != _check_key(now):
            yield Change(
                TableChange.CHECK_CHANGED,
                where,
                f"check constraint changed: {was['sqltext']} -> {now['sqltext']}",
                False,
                False,
                "add the new rule under a new name beside the old one, then drop the old one",
            )
    for where, was, now in _named(name, "indexes", old, new):
        if was is None and now is not None:
            unique = bool(now["unique"])
            yield Change(
                TableChange.INDEX_ADDED,
                where,
                f"{'unique ' if unique else ''}index on {now['keys']} added"
                + (": old code may insert duplicates" if unique else ""),
                not unique,
                True,
                "ship writers that never duplicate, then create it CONCURRENTLY"
                if unique
                else "create it CONCURRENTLY so writers are not blocked",
            )
        elif now is None and was is not None:
            yield Change(
                TableChange.INDEX_REMOVED,
                where,
                f"index on {was['keys']} removed; queries relying on it slow down",
                not was["unique"],
                True,
                SAFE,
            )
        elif was is not None and now is not None and _index_key(was) != _index_key(now):
            tightened = now["unique"] and not was["unique"]
            yield Change(
                TableChange.INDEX_CHANGED,
                where,
                f"index changed: {was['keys']} {was['using']} -> {now['keys']} {now['using']}",
                not tightened,
                True,
                "build the new index under a new name CONCURRENTLY, then drop the old one",
            )


def enum_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old.get("enums", {}), new.get("enums", {})
    for name in sorted(set(before) & set(after)):
        gone = [v for v in before[name] if v not in after[name]]
        extra = [v for v in after[name] if v not in before[name]]
        if gone:
            yield Change(
                TableChange.ENUM_VALUE_REMOVED,
                f"enum {name}",
                f"values {gone} removed: rows and old code still use them",
                False,
                True,
                "stop writing the values, migrate the rows, then remove them",
            )
        if extra:
            yield Change(
                TableChange.ENUM_VALUE_ADDED,
                f"enum {name}",
                f"values {extra} added; old code reading them must tolerate unknown values",
                True,
                False,
                "add the values before new code writes them",
            )
