"""Public comparisons: one pair of versions, or a new version against a history.

BACKWARD diffs old (writer) against new (reader); FORWARD is the same diff
with the roles swapped; FULL does both. The rule set only decides which
kinds count as breaking, so the same walk serves STRICT and LENIENT.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from edu_contracts.compat import _diff
from edu_contracts.compat._catalog import CATALOG, describe
from edu_contracts.compat._context import Context, RawFinding, pointer_of
from edu_contracts.compat._load import Loader
from edu_contracts.errors import ConfigurationError, ContractFileError, EduContractsError
from edu_contracts.findings.model import Finding, Report
from edu_contracts.findings.modes import CompatibilityMode, Direction, RuleSet

__all__ = ["Schema", "compare", "compare_history"]

Schema = Mapping[str, Any] | bool


def _diff_pair(old: Schema, new: Schema, rules: RuleSet) -> list[RawFinding]:
    """Findings for a reader of ``new`` given data written with ``old``."""
    ctx = Context.root(rules, _diff.compare)
    ctx.compare(Loader(old, "writer").root(), Loader(new, "reader").root())
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
    old: Schema,
    new: Schema,
    mode: CompatibilityMode,
    rules: RuleSet,
    against: int | None,
    examples: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    for direction in mode.directions:
        writer, reader = (old, new) if direction is Direction.BACKWARD else (new, old)
        worded = [_word(r, direction, rules, against) for r in _diff_pair(writer, reader, rules)]
        if examples and not all(f.compatible for f in worded):
            from edu_contracts.compat.counterexamples import attach_counterexamples

            worded = attach_counterexamples(worded, writer, reader, hints=(old, new))
        findings.extend(worded)
    return findings


@functools.cache
def _meta_validator(cls: Any) -> Any:
    """One validator of a draft's meta-schema, built once (building is the slow part)."""
    return cls(cls.META_SCHEMA)


def _meta_validators(declared: Any) -> list[Any]:
    from jsonschema import Draft4Validator, Draft7Validator, Draft202012Validator
    from jsonschema.validators import validator_for

    if declared is not None:
        return [_meta_validator(validator_for(declared))]
    # draft-07's meta-schema is the cheapest to check (2020-12's $dynamicRef
    # makes it ~3x slower) and accepts most documents of the other drafts.
    return [_meta_validator(c) for c in (Draft7Validator, Draft202012Validator, Draft4Validator)]


def _valid(schema: Schema, name: str) -> Schema:
    """Refuse what is not a JSON Schema before judging it: a malformed keyword
    (``properties: []``) would otherwise be read as "no constraint" and let a
    breaking change through."""
    from jsonschema.exceptions import SchemaError, best_match

    declared = isinstance(schema, dict) and "$schema" in schema
    errors: list[SchemaError] = []
    # Without $schema a document may be any draft (the Confluent vectors mix
    # them): it is refused only when no common draft accepts it.
    for meta in _meta_validators(schema if declared else None):
        error = best_match(meta.iter_errors(schema))
        if error is None:
            try:
                Loader(schema, name).check_references()
            except ContractFileError as exc:
                raise ContractFileError(
                    exc.message, where=f"{name} schema {exc.where}", fix=exc.fix
                ) from None
            return schema
        errors.append(SchemaError.create_from(error))
    if errors:
        first = errors[0]
        pointer = "#/" + "/".join(str(p) for p in first.absolute_path)
        raise ContractFileError(
            f"the {name} schema is not a valid JSON Schema: {first.message}",
            where=f"{name} schema {pointer}",
            fix="fix the keyword there (the JSON Schema meta-schema says what it must be)",
        ) from None
    return schema


def compare(
    old: Schema,
    new: Schema,
    mode: CompatibilityMode = CompatibilityMode.BACKWARD,
    rules: RuleSet = RuleSet.STRICT,
    *,
    examples: bool = True,
    labels: tuple[str, str] = ("old", "new"),
) -> Report:
    """Judge a new schema version against the previous one.

    Transitive modes need the whole history; given here, they compare with
    ``old`` alone, which is the whole history when there is one earlier
    version. ``examples=False`` skips the search for counterexamples of
    breaking findings, for callers that need only the verdict fast.
    ``labels`` name the two schemas in errors (file names, in the CLI).
    """
    with _contract_errors(labels):
        old, new = _valid(old, labels[0]), _valid(new, labels[1])
        return Report(tuple(_check(old, new, mode, rules, None, examples)), mode, rules)


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
            f"cannot compare these schemas: {exc}",
            where=" / ".join(labels),
            fix="check that both files are JSON Schema (2020-12 or draft-07) documents",
        ) from exc


def compare_history(
    history: Sequence[Schema],
    new: Schema,
    mode: CompatibilityMode = CompatibilityMode.FULL_TRANSITIVE,
    rules: RuleSet = RuleSet.STRICT,
    *,
    examples: bool = True,
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
    new = _valid(new, "new")
    history = [_valid(h, f"earlier (#{i})") for i, h in enumerate(history)]
    indexes = range(len(history)) if mode.transitive else [len(history) - 1]
    findings: list[Finding] = []
    for index in indexes:
        findings.extend(_check(history[index], new, mode, rules, index, examples))
    return Report(tuple(findings), mode, rules)
