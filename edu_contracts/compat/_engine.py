"""Public comparisons: one pair of versions, or a new version against a history.

BACKWARD diffs old (writer) against new (reader); FORWARD is the same diff
with the roles swapped; FULL does both. The rule set decides which kinds
count as breaking, so the same walk serves STRICT and LENIENT; SEMANTIC
walks like STRICT to name the changes, then lets the prover (``_semantic``)
decide, with a verified counterexample for every breaking verdict.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from edu_contracts.compat import _diff
from edu_contracts.compat._catalog import CATALOG, describe
from edu_contracts.compat._context import Context, RawFinding, pointer_of
from edu_contracts.compat._load import Loader
from edu_contracts.compat._resolve import ResourceIndex
from edu_contracts.compat._stack import deep
from edu_contracts.compat._validate import Dialect, check_schema, dialect_of
from edu_contracts.errors import ConfigurationError, ContractFileError, EduContractsError
from edu_contracts.findings.model import Finding, Report
from edu_contracts.findings.modes import CompatibilityMode, Direction, RuleSet

__all__ = ["Schema", "Side", "compare", "compare_history"]

Schema = Mapping[str, Any] | bool
Side = tuple[Schema, Dialect, ResourceIndex]
"""A checked schema, its dialect, and its resource index (walked once, used by both passes)."""


def _diff_pair(old: Side, new: Side, rules: RuleSet) -> list[RawFinding]:
    """Findings for a reader of ``new`` given data written with ``old``."""
    # SEMANTIC walks like STRICT (the walk names the changes); the prover decides.
    walk_rules = RuleSet.STRICT if rules is RuleSet.SEMANTIC else rules
    ctx = Context.root(walk_rules, _diff.compare)
    writer = Loader(old[0], "writer", old[1], index=old[2])
    reader = Loader(new[0], "reader", new[1], index=new[2])
    ctx.compare(writer.root(), reader.root())
    return _dedupe(ctx.found)


def _dedupe(found: list[RawFinding]) -> list[RawFinding]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    kept = []
    for f in found:
        key = (f.kind.value, f.path)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept


def _word(raw: RawFinding, direction: Direction, rules: RuleSet, against: int | None) -> Finding:
    writer, reader = (
        ("old schema", "new schema")
        if direction is Direction.BACKWARD
        else ("new schema", "old schema")
    )
    compatible = raw.kind.compatible_under(rules)
    return Finding(
        change=raw.kind,
        pointer=pointer_of(raw.path),
        message=describe(raw.kind, raw.detail, writer, reader),
        breaks="nobody" if compatible else direction.breaks,
        direction=direction,
        safe_path=CATALOG[raw.kind].safe_path,
        compatible=compatible,
        against=against,
    )


def _check(
    old: Side,
    new: Side,
    mode: CompatibilityMode,
    rules: RuleSet,
    against: int | None,
    examples: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    for direction in mode.directions:
        w_side, r_side = (old, new) if direction is Direction.BACKWARD else (new, old)
        (writer, w_dialect, _), (reader, r_dialect, _) = w_side, r_side
        raw = _diff_pair(w_side, r_side, rules)
        worded = [_word(r, direction, rules, against) for r in raw]
        if rules is RuleSet.SEMANTIC:
            from edu_contracts.compat._semantic import judge

            worded = judge(
                worded,
                (writer, w_dialect),
                (reader, r_dialect),
                direction,
                against,
                search=examples,
            )
        elif examples and not all(f.compatible for f in worded):
            from edu_contracts.compat.counterexamples import attach_counterexamples

            worded = attach_counterexamples(
                worded, writer, reader, hints=(old[0], new[0]), dialects=(w_dialect, r_dialect)
            )
        findings.extend(worded)
    return findings


def _valid(schema: Schema, name: str, dialect: str | None) -> Side:
    """Refuse what is not a JSON Schema of its dialect before judging it: a
    malformed keyword (``properties: []``) would otherwise be read as "no
    constraint" and let a breaking change through."""
    if not isinstance(schema, dict | bool):
        raise ContractFileError(
            f"the {name} schema is a {type(schema).__name__}, not a JSON Schema",
            where=f"{name} schema #",
            fix="pass the parsed schema document (an object or a boolean), e.g. json.load(file)",
        )
    chosen = dialect_of(schema, dialect, name)
    check_schema(schema, chosen, name)
    try:
        loader = Loader(schema, name, chosen)
        loader.check_references()
    except ContractFileError as exc:
        raise ContractFileError(
            exc.message, where=f"{name} schema {exc.where}", fix=exc.fix
        ) from None
    return schema, chosen, loader.index


def _dialect_text(old: Dialect, new: Dialect) -> str:
    return str(old) if old == new else f"old {old}, new {new}"


def compare(
    old: Schema,
    new: Schema,
    mode: CompatibilityMode = CompatibilityMode.BACKWARD,
    rules: RuleSet = RuleSet.STRICT,
    *,
    examples: bool = True,
    labels: tuple[str, str] = ("old", "new"),
    dialect: str | None = None,
) -> Report:
    """Judge a new schema version against the previous one.

    Transitive modes need the whole history; given here, they compare with
    ``old`` alone, which is the whole history when there is one earlier
    version. ``examples=False`` skips the search for counterexamples of
    breaking findings, for callers that need only the verdict fast.
    ``labels`` name the two schemas in errors (file names, in the CLI).
    """
    with _contract_errors(labels):
        return deep(_compare, old, new, mode, rules, examples, dialect, labels)


@contextlib.contextmanager
def _contract_errors(labels: Sequence[str]) -> Iterator[None]:
    """Translate what the walk itself raises into the error tree, here at the boundary.

    A schema the engine cannot walk is bad input (exit 2 in the CLI), never
    a crash to show; errors of our own pass through untouched.
    """
    try:
        yield
    except EduContractsError:
        raise
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ContractFileError(
            "cannot compare these schemas (a defect of edu-contracts; please report it)",
            where=" / ".join(labels),
            fix="compare with --rules strict meanwhile, and report both files",
        ) from exc


def _compare(
    old: Schema,
    new: Schema,
    mode: CompatibilityMode,
    rules: RuleSet,
    examples: bool,
    dialect: str | None,
    labels: tuple[str, str],
) -> Report:
    old_side, new_side = _valid(old, labels[0], dialect), _valid(new, labels[1], dialect)
    findings = _check(old_side, new_side, mode, rules, None, examples)
    return Report(tuple(findings), mode, rules, _dialect_text(old_side[1], new_side[1]))


def compare_history(
    history: Sequence[Schema],
    new: Schema,
    mode: CompatibilityMode = CompatibilityMode.FULL_TRANSITIVE,
    rules: RuleSet = RuleSet.STRICT,
    *,
    examples: bool = True,
    dialect: str | None = None,
) -> Report:
    """Judge a new version against earlier ones, oldest first.

    Non-transitive modes look at the latest earlier version only, like the
    registry; transitive modes at all of them, and each finding records the
    index of the version it concerns in ``against``.
    """
    if isinstance(history, Mapping) or not isinstance(history, Sequence):
        raise ConfigurationError(
            "compare_history takes a sequence of earlier schema versions, oldest first",
            where="history",
            fix="pass [v1, v2, ...]; to compare two versions use compare(old, new)",
        )
    if not history:
        return Report((), mode, rules)
    return deep(_compare_history, history, new, mode, rules, examples, dialect)


def _compare_history(
    history: Sequence[Schema],
    new: Schema,
    mode: CompatibilityMode,
    rules: RuleSet,
    examples: bool,
    dialect: str | None,
) -> Report:
    new_side = _valid(new, "new", dialect)
    checked = [_valid(h, f"earlier (#{i})", dialect) for i, h in enumerate(history)]
    indexes = range(len(checked)) if mode.transitive else [len(checked) - 1]
    findings: list[Finding] = []
    for index in indexes:
        findings.extend(_check(checked[index], new_side, mode, rules, index, examples))
    return Report(tuple(findings), mode, rules, _dialect_text(checked[-1][1], new_side[1]))
