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

import re
from collections.abc import Iterator, Sequence
from typing import Any

from edu_contracts.findings.model import Finding, Report
from edu_contracts.findings.modes import CompatibilityMode, Direction, RuleSet
from edu_contracts.tables._sql import normalize_sql
from edu_contracts.tables.changes import (
    BREAKS,
    EXPAND_CONTRACT,
    SAFE,
    Change,
    TableChange,
    constraint_changes,
    enum_changes,
)

__all__ = ["TableChange", "compare_table_history", "compare_tables"]


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


def _columns(name: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    old_cols, new_cols = old["columns"], new["columns"]
    removed = [c for c in old_cols if c not in new_cols]
    added = [c for c in new_cols if c not in old_cols]
    if len(removed) == 1 and len(added) == 1:
        was, now = old_cols[removed[0]], new_cols[added[0]]
        if was["type"] == now["type"] and was["nullable"] == now["nullable"]:
            yield Change(
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
        yield Change(
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
        yield Change(
            TableChange.COLUMN_ADDED,
            f"{name}.{col}",
            f"column {col!r} ({now['type']}) added, {how}"
            if fillable
            else f"column {col!r} ({now['type']}) added NOT NULL without a default: "
            "inserts from old code, which do not set it, fail",
            fillable,
            False,
            SAFE
            if fillable
            else "add it nullable (or with a server default), backfill, and add NOT NULL "
            "once every writer sets it",
        )
    for col in sorted(set(old_cols) & set(new_cols)):
        yield from _column(f"{name}.{col}", old_cols[col], new_cols[col])


def _column(where: str, was: dict[str, Any], now: dict[str, Any]) -> Iterator[Change]:
    if was["type"] != now["type"]:
        kind = _type_change(was["type"], now["type"])
        change = f"type {was['type']} -> {now['type']}"
        if kind is TableChange.VECTOR_DIMENSION_CHANGED:
            yield Change(
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
            yield Change(
                kind,
                where,
                f"{change} (widened)",
                True,
                False,
                "safe for old code; migrate before new code writes the wider values",
            )
        elif kind is TableChange.TYPE_NARROWED:
            yield Change(
                kind,
                where,
                f"{change} (narrowed): values old code writes may no longer fit",
                False,
                True,
                "validate writers first, then narrow in a later release; " + EXPAND_CONTRACT,
            )
        else:
            yield Change(kind, where, change, False, False, EXPAND_CONTRACT)
    if was["nullable"] and not now["nullable"]:
        has_default = now["default"] is not None
        yield Change(
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
            SAFE
            if has_default
            else "give it a server default, or ship writers that always set it, then add NOT NULL",
        )
    elif not was["nullable"] and now["nullable"]:
        yield Change(
            TableChange.NOT_NULL_REMOVED,
            where,
            "became nullable; old code reading it must cope with NULL once new code writes it",
            True,
            True,
            SAFE,
        )
    old_default, new_default = normalize_sql(was["default"]), normalize_sql(now["default"])
    if old_default != new_default:
        if old_default is None:
            yield Change(
                TableChange.DEFAULT_ADDED,
                where,
                f"server default {now['default']} added",
                True,
                now["nullable"],
                SAFE,
            )
        elif new_default is None:
            breaks = not now["nullable"]
            yield Change(
                TableChange.DEFAULT_REMOVED,
                where,
                f"server default {was['default']} removed"
                + ("; inserts from old code that omit the column fail" if breaks else ""),
                not breaks,
                True,
                "ship writers that always set the column, then drop the default"
                if breaks
                else SAFE,
            )
        else:
            yield Change(
                TableChange.DEFAULT_CHANGED,
                where,
                f"server default {was['default']} -> {now['default']}",
                True,
                True,
                SAFE,
            )


def _changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    old_tables, new_tables = old.get("tables", {}), new.get("tables", {})
    for name in sorted(set(old_tables) | set(new_tables)):
        if name not in new_tables:
            yield Change(
                TableChange.TABLE_REMOVED,
                name,
                f"table {name!r} removed: old code still reads and writes it",
                False,
                True,
                "stop using the table in every service, release, then drop it",
            )
        elif name not in old_tables:
            yield Change(
                TableChange.TABLE_ADDED,
                name,
                f"table {name!r} added",
                True,
                False,
                "create it before new code uses it",
            )
        else:
            yield from _columns(name, old_tables[name], new_tables[name])
            yield from constraint_changes(name, old_tables[name], new_tables[name])
    yield from enum_changes(old, new)


def _findings(change: Change, mode: CompatibilityMode, against: int | None) -> Iterator[Finding]:
    for direction in mode.directions:
        ok = change.backward_ok if direction is Direction.BACKWARD else change.forward_ok
        yield Finding(
            change=change.kind,
            pointer=change.where,
            message=change.message,
            breaks="nobody" if ok else BREAKS[direction],
            direction=direction,
            safe_path=SAFE if ok else change.safe_path,
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
