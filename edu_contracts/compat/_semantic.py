"""The SEMANTIC verdict: a proof, a verified counterexample, or an honest "unknown".

The structural walk (STRICT's) still names the changes, so a report reads
the same; the verdict comes from the prover. Proved: every finding is
compatible and a SEMANTIC_PROVEN finding says so. Not proved: we look for
an instance the writer's schema accepts and the reader's rejects, checked
with real validators; found, the verdict is breaking and carries it (the
structural findings STRICT calls breaking stay breaking, each with the
closest example). Neither: SEMANTIC_UNKNOWN, breaking, with the place the
proof stopped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from edu_contracts.compat._catalog import CATALOG, describe
from edu_contracts.compat._prove import Doc, Prover, finite
from edu_contracts.compat._validate import Dialect
from edu_contracts.compat.kinds import ChangeKind as K
from edu_contracts.findings.model import Counterexample, Finding
from edu_contracts.findings.modes import Direction

__all__ = ["Side", "judge"]

Side = tuple[Any, Dialect]


def _finding(
    kind: K,
    direction: Direction,
    against: int | None,
    example: Counterexample | None,
    **detail: Any,
) -> Finding:
    writer, reader = (
        ("old schema", "new schema")
        if direction is Direction.BACKWARD
        else ("new schema", "old schema")
    )
    compatible = kind is K.SEMANTIC_PROVEN
    return Finding(
        change=kind,
        pointer="#/",
        message=describe(kind, detail, writer, reader),
        breaks="nobody" if compatible else direction.breaks,
        direction=direction,
        safe_path=CATALOG[kind].safe_path,
        compatible=compatible,
        example=example,
        against=against,
    )


_PROBES: tuple[Any, ...] = (0, 1, -1, 0.5, "", "a", True, False, None, [], {})


def _seeds(prover: Prover, reader: Any) -> list[Any]:
    """Instances worth trying first: a root enum of the writer, the values the reader
    singles out (``const``/``enum`` anywhere, as in ``not: {const: 0}``), edge values."""
    conj = prover.flatten(frozenset({("#", frozenset())}))
    values = list((finite(conj) if conj else None) or [])
    stack = [reader]
    while stack and len(values) < 200:
        node = stack.pop()
        if isinstance(node, dict):
            if "const" in node:
                values.append(node["const"])
            if isinstance(node.get("enum"), list):
                values.extend(node["enum"][:20])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return [*values, *_PROBES]


def judge(
    findings: list[Finding],
    writer: Side,
    reader: Side,
    direction: Direction,
    against: int | None,
    *,
    search: bool = True,
) -> list[Finding]:
    prover = Prover(Doc(writer[0], writer[1], "writer"), Doc(reader[0], reader[1], "reader"))
    if prover.prove():
        proven = [
            f if f.compatible else replace(f, compatible=True, breaks="nobody") for f in findings
        ]
        return [*proven, _finding(K.SEMANTIC_PROVEN, direction, against, None)]
    from edu_contracts.compat.counterexamples import (
        _instance_path,
        attach_counterexamples,
        counterexamples,
    )

    focus = frozenset(n for f in findings if not f.compatible for n in _instance_path(f.pointer))

    found = (
        counterexamples(
            writer[0],
            reader[0],
            dialects=(writer[1], reader[1]),
            budget=160,
            seeds=_seeds(prover, reader[0]),
            focus=focus,
        )
        if search
        else []
    )
    if found:
        instance, error = found[0]
        example = Counterexample(instance=instance, error=error)
        kept = attach_counterexamples(
            findings, writer[0], reader[0], dialects=(writer[1], reader[1])
        )
        kept = [f if f.compatible or f.example else replace(f, example=example) for f in kept]
        return [_finding(K.SEMANTIC_COUNTEREXAMPLE, direction, against, example), *kept]
    why = prover.why or "no step of the proof applies"
    if not search:
        why += "; the counterexample search was skipped (examples=False)"
    return [_finding(K.SEMANTIC_UNKNOWN, direction, against, None, why=why), *findings]
