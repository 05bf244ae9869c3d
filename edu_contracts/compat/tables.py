"""Compatibility of table snapshots under expand/contract, as a ``Report``.

The database is shared: during a deploy, code built for the old schema keeps
running against the new one (and, when a migration lags, new code runs
against the old one). So a table change is judged like a message change, in
two directions:

- BACKWARD: code built for the old snapshot runs on the new schema. This is
  the default mode for tables, the "expand" step: add nullable columns or
  columns with a server default, widen types, drop constraints.
- FORWARD: new code runs on a database still at the old snapshot. Anything
  the new code needs (a new column, a new table) is missing there.

Each finding names its place as ``table``, ``table.column`` or
``table (constraint_name)``, what changed, who breaks and the safe sequence.
The JSON Schema engine's ``Finding`` and ``Report`` are reused so that the
CLI, CI annotations and ``Report.to_dict()`` see one shape for both kinds of
contract.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from edu_contracts.compat.findings import Finding, Report
from edu_contracts.compat.modes import CompatibilityMode, Direction, RuleSet
from edu_contracts.compat.snapshot import normalize_sql

__all__ = ["TableChange", "compare_table_history", "compare_tables"]


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


_BREAKS = {
    Direction.BACKWARD: "old code running on the new schema",
    Direction.FORWARD: "new code running on a database still at the old schema",
}

_SAFE = "safe as is"
_EXPAND_CONTRACT = (
    "expand, then contract: add the new shape beside the old one, ship code that "
    "uses it, backfill, and remove the old shape in a later release"
)


@dataclass(frozen=True)
class _Change:
    kind: TableChange
    where: str
    message: str
    backward_ok: bool
    forward_ok: bool
    safe_path: str


# --- types --------------------------------------------------------------------

_TYPE = re.compile(r"^(?P<base>[A-Z][A-Z ]*?)(?:\((?P<args>[\d, ]+)\))?(?P<array>(\[\])*)$")
_INTEGER_LADDER = ("SMALLINT", "INTEGER", "BIGINT")
_FLOAT_LADDER = ("REAL", "DOUBLE PRECISION")


def _parse_type(text: str) -> tuple[str, tuple[int, ...]]:
    match = _TYPE.match(text)
    if not match:
        return text, ()
    args = tuple(int(a) for a in (match.group("args") or "").replace(" ", "").split(",") if a)
    return match.group("base") + match.group("array"), args


def _type_change(old: str, new: str) -> TableChange:
    """Classify a type change; widening keeps every old value, narrowing does not."""
    (ob, oa), (nb, na) = _parse_type(old), _parse_type(new)
    if ob in ("VECTOR", "HALFVEC") and ob == nb:
        return TableChange.VECTOR_DIMENSION_CHANGED
    for ladder in (_INTEGER_LADDER, _FLOAT_LADDER):
        if ob in ladder and nb in ladder:
            wider = ladder.index(nb) > ladder.index(ob)
            return TableChange.TYPE_WIDENED if wider else TableChange.TYPE_NARROWED
    strings = ("VARCHAR", "TEXT")
    if ob in strings and nb in strings:
        old_len = oa[0] if ob == "VARCHAR" and oa else None
        new_len = na[0] if nb == "VARCHAR" and na else None
        if new_len is None:
            return TableChange.TYPE_WIDENED
        if old_len is None or new_len < old_len:
            return TableChange.TYPE_NARROWED
        return TableChange.TYPE_WIDENED
    if ob == nb == "NUMERIC" and len(oa) == len(na) == 2 and oa[1] == na[1]:
        return TableChange.TYPE_WIDENED if na[0] > oa[0] else TableChange.TYPE_NARROWED
    return TableChange.TYPE_CHANGED


# --- the walk -----------------------------------------------------------------


def _columns(name: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[_Change]:
    old_cols, new_cols = old["columns"], new["columns"]
    removed = [c for c in old_cols if c not in new_cols]
    added = [c for c in new_cols if c not in old_cols]
    if len(removed) == 1 and len(added) == 1:
        was, now = old_cols[removed[0]], new_cols[added[0]]
        if was["type"] == now["type"] and was["nullable"] == now["nullable"]:
            yield _Change(
                TableChange.COLUMN_RENAMED,
                f"{name}.{removed[0]}",
                f"column {removed[0]!r} looks renamed to {added[0]!r}: code using either "
                "name fails on the other schema",
                False,
                False,
                f"add {added[0]!r} beside {removed[0]!r}, write both and backfill, switch "
                f"readers, then drop {removed[0]!r} in a later release",
            )
            removed, added = [], []
    for col in removed:
        was = old_cols[col]
        yield _Change(
            TableChange.COLUMN_REMOVED,
            f"{name}.{col}",
            f"column {col!r} ({was['type']}) removed: old code still reads and writes it",
            False,
            was["nullable"] or was["default"] is not None,
            "stop using the column in every service first (a release where it is unused "
            "and nullable), then drop it",
        )
    for col in added:
        now = new_cols[col]
        fillable = now["nullable"] or now["default"] is not None
        how = "nullable" if now["nullable"] else "with a server default"
        yield _Change(
            TableChange.COLUMN_ADDED,
            f"{name}.{col}",
            f"column {col!r} ({now['type']}) added, {how}"
            if fillable
            else f"column {col!r} ({now['type']}) added NOT NULL without a default: "
            "inserts from old code, which do not set it, fail",
            fillable,
            False,
            _SAFE
            if fillable
            else "add it nullable (or with a server default), backfill, and add NOT NULL "
            "once every writer sets it",
        )
    for col in sorted(set(old_cols) & set(new_cols)):
        yield from _column(f"{name}.{col}", old_cols[col], new_cols[col])


def _column(where: str, was: dict[str, Any], now: dict[str, Any]) -> Iterator[_Change]:
    if was["type"] != now["type"]:
        kind = _type_change(was["type"], now["type"])
        change = f"type {was['type']} -> {now['type']}"
        if kind is TableChange.VECTOR_DIMENSION_CHANGED:
            yield _Change(
                kind,
                where,
                f"vector dimension {was.get('dimension')} -> {now.get('dimension')}: "
                "embeddings written by old code no longer fit, nor do the new ones in old code",
                False,
                False,
                "add a new vector column of the new dimension, embed into it, switch search "
                "to it, then drop the old column",
            )
        elif kind is TableChange.TYPE_WIDENED:
            yield _Change(
                kind,
                where,
                f"{change} (widened)",
                True,
                False,
                "safe for old code; migrate before new code writes the wider values",
            )
        elif kind is TableChange.TYPE_NARROWED:
            yield _Change(
                kind,
                where,
                f"{change} (narrowed): values old code writes may no longer fit",
                False,
                True,
                "validate writers first, then narrow in a later release; " + _EXPAND_CONTRACT,
            )
        else:
            yield _Change(kind, where, change, False, False, _EXPAND_CONTRACT)
    if was["nullable"] and not now["nullable"]:
        has_default = now["default"] is not None
        yield _Change(
            TableChange.NOT_NULL_ADDED,
            where,
            "became NOT NULL"
            + (
                "; old code that writes NULL explicitly fails"
                if has_default
                else " without a default: inserts from old code that omit it fail"
            ),
            has_default,
            True,
            _SAFE
            if has_default
            else "give it a server default, or ship writers that always set it, then add NOT NULL",
        )
    elif not was["nullable"] and now["nullable"]:
        yield _Change(
            TableChange.NOT_NULL_REMOVED,
            where,
            "became nullable; old code reading it must cope with NULL once new code writes it",
            True,
            True,
            _SAFE,
        )
    old_default, new_default = normalize_sql(was["default"]), normalize_sql(now["default"])
    if old_default != new_default:
        if old_default is None:
            yield _Change(
                TableChange.DEFAULT_ADDED,
                where,
                f"server default {now['default']} added",
                True,
                now["nullable"],
                _SAFE,
            )
        elif new_default is None:
            breaks = not now["nullable"]
            yield _Change(
                TableChange.DEFAULT_REMOVED,
                where,
                f"server default {was['default']} removed"
                + ("; inserts from old code that omit the column fail" if breaks else ""),
                not breaks,
                True,
                "ship writers that always set the column, then drop the default"
                if breaks
                else _SAFE,
            )
        else:
            yield _Change(
                TableChange.DEFAULT_CHANGED,
                where,
                f"server default {was['default']} -> {now['default']}",
                True,
                True,
                _SAFE,
            )


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


def _constraints(name: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[_Change]:
    if old["primary_key"]["columns"] != new["primary_key"]["columns"]:
        yield _Change(
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
            yield _Change(
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
            yield _Change(
                TableChange.FOREIGN_KEY_REMOVED,
                where,
                "foreign key removed; old code relying on its ON DELETE no longer gets it",
                True,
                True,
                _SAFE,
            )
        elif was != now and was is not None and now is not None:
            yield _Change(
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
            yield _Change(
                TableChange.UNIQUE_ADDED,
                where,
                f"unique constraint on {now['columns']} added: old code may insert duplicates",
                False,
                True,
                "ship writers that never duplicate (upsert), clean the data, then add it",
            )
        elif now is None and was is not None:
            yield _Change(
                TableChange.UNIQUE_REMOVED,
                where,
                f"unique constraint on {was['columns']} removed; old upserts on it "
                "(ON CONFLICT) fail",
                False,
                True,
                "ship code that no longer upserts on this key, then drop the constraint",
            )
        elif was != now and was is not None and now is not None:
            yield _Change(
                TableChange.UNIQUE_ADDED,
                where,
                f"unique constraint columns {was['columns']} -> {now['columns']}",
                False,
                False,
                "add the new constraint under a new name beside the old one, then drop it",
            )
    for where, was, now in _named(name, "check_constraints", old, new):
        if was is None and now is not None:
            yield _Change(
                TableChange.CHECK_ADDED,
                where,
                f"check constraint added: {now['sqltext']}; old code may write rows it rejects",
                False,
                True,
                "ship writers that satisfy it, then add it NOT VALID and VALIDATE it",
            )
        elif now is None and was is not None:
            yield _Change(
                TableChange.CHECK_REMOVED, where, "check constraint removed", True, False, _SAFE
            )
        elif was is not None and now is not None and _check_key(was) != _check_key(now):
            yield _Change(
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
            yield _Change(
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
            yield _Change(
                TableChange.INDEX_REMOVED,
                where,
                f"index on {was['keys']} removed; queries relying on it slow down",
                not was["unique"],
                True,
                _SAFE,
            )
        elif was is not None and now is not None and _index_key(was) != _index_key(now):
            tightened = now["unique"] and not was["unique"]
            yield _Change(
                TableChange.INDEX_CHANGED,
                where,
                f"index changed: {was['keys']} {was['using']} -> {now['keys']} {now['using']}",
                not tightened,
                True,
                "build the new index under a new name CONCURRENTLY, then drop the old one",
            )


def _enums(old: dict[str, Any], new: dict[str, Any]) -> Iterator[_Change]:
    before, after = old.get("enums", {}), new.get("enums", {})
    for name in sorted(set(before) & set(after)):
        gone = [v for v in before[name] if v not in after[name]]
        extra = [v for v in after[name] if v not in before[name]]
        if gone:
            yield _Change(
                TableChange.ENUM_VALUE_REMOVED,
                f"enum {name}",
                f"values {gone} removed: rows and old code still use them",
                False,
                True,
                "stop writing the values, migrate the rows, then remove them",
            )
        if extra:
            yield _Change(
                TableChange.ENUM_VALUE_ADDED,
                f"enum {name}",
                f"values {extra} added; old code reading them must tolerate unknown values",
                True,
                False,
                "add the values before new code writes them",
            )


def _changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[_Change]:
    old_tables, new_tables = old.get("tables", {}), new.get("tables", {})
    for name in sorted(set(old_tables) | set(new_tables)):
        if name not in new_tables:
            yield _Change(
                TableChange.TABLE_REMOVED,
                name,
                f"table {name!r} removed: old code still reads and writes it",
                False,
                True,
                "stop using the table in every service, release, then drop it",
            )
        elif name not in old_tables:
            yield _Change(
                TableChange.TABLE_ADDED,
                name,
                f"table {name!r} added",
                True,
                False,
                "create it before new code uses it",
            )
        else:
            yield from _columns(name, old_tables[name], new_tables[name])
            yield from _constraints(name, old_tables[name], new_tables[name])
    yield from _enums(old, new)


def _findings(change: _Change, mode: CompatibilityMode, against: int | None) -> Iterator[Finding]:
    for direction in mode.directions:
        ok = change.backward_ok if direction is Direction.BACKWARD else change.forward_ok
        yield Finding(
            change=change.kind,  # type: ignore[arg-type]  # table kinds share Finding's shape
            pointer=change.where,
            message=change.message,
            breaks="nobody" if ok else _BREAKS[direction],
            direction=direction,
            safe_path=_SAFE if ok else change.safe_path,
            compatible=ok,
            against=against,
        )


def compare_tables(
    old: dict[str, Any],
    new: dict[str, Any],
    mode: CompatibilityMode = CompatibilityMode.BACKWARD,
    *,
    against: int | None = None,
) -> Report:
    """Judge ``new`` against ``old`` (both snapshots) under ``mode``.

    NONE still lists the differences (all compatible) so people see them.
    """
    findings: list[Finding] = []
    for change in _changes(old, new):
        if mode is CompatibilityMode.NONE:
            findings.append(next(_findings(change, CompatibilityMode.BACKWARD, against)))
            findings[-1] = _accept(findings[-1])
        else:
            findings.extend(_findings(change, mode, against))
    return Report(findings=tuple(findings), mode=mode, rules=RuleSet.STRICT)


def _accept(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, compatible=True, breaks="nobody")


def compare_table_history(
    history: Sequence[dict[str, Any]],
    new: dict[str, Any],
    mode: CompatibilityMode = CompatibilityMode.BACKWARD,
) -> Report:
    """Judge ``new`` against the released ``history`` (oldest first).

    Transitive modes check every earlier snapshot (``Finding.against`` is its
    index); the others only the latest, as Confluent's registry does.
    """
    if not history:
        return Report(mode=mode)
    indexes = range(len(history)) if mode.transitive else [len(history) - 1]
    findings: list[Finding] = []
    for index in indexes:
        findings.extend(compare_tables(history[index], new, mode, against=index).findings)
    return Report(findings=tuple(findings), mode=mode, rules=RuleSet.STRICT)
