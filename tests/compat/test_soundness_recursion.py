"""Defect classes 2 and 5: results cached under a recursion assumption, and deep ``$ref`` graphs.

A pair met again while it is compared is assumed compatible; a result that
relied on that assumption must not be reused once the assumption fails
(Confluent keeps a vector for this memoization trap). Deep graphs that a
validator evaluates must get a verdict; a self-reference that never reaches
the data must get a clear exit-2 error naming the cycle.
"""

from __future__ import annotations

from typing import Any

import pytest
from _oracle import assert_counterexample

from edu_contracts.compat import RuleSet, compare
from edu_contracts.errors import ContractFileError


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _trap(new_root_kw: str, order: tuple[str, str], depth: int) -> tuple[Any, Any, Any]:
    """Old root B -> A -> B ...; in new, A.v changed and the root is a union of B and a
    look-alike C, tried first, whose comparison caches (B, B') under the (A, A') assumption."""
    chain = [f"L{i}" for i in range(depth)]

    def defs(v_type: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "A": {"type": "object", "properties": {"b": _ref("B"), "v": {"type": v_type}}},
            "B": {"type": "object", "properties": {"a": _ref(chain[0] if chain else "A")}},
        }
        for i, name in enumerate(chain):
            nxt = chain[i + 1] if i + 1 < len(chain) else "A"
            out[name] = {"type": "object", "properties": {"n": _ref(nxt)}}
        return out

    old = {"$defs": defs("string"), **_ref("B")}
    new_defs = defs("integer")
    new_defs["C"] = {"type": "object", "properties": {"a": _ref(chain[0] if chain else "A")}}
    new = {"$defs": new_defs, new_root_kw: [_ref(order[0]), _ref(order[1])]}
    inner: Any = {"v": "s"}
    for _ in chain:
        inner = {"n": inner}
    return old, new, {"a": inner}


TRAPS = [
    (kw, order, depth)
    for kw in ("anyOf", "oneOf")
    for order in (("C", "B"), ("B", "C"))
    for depth in (0, 1, 3)
]


@pytest.mark.parametrize("rules", list(RuleSet))
@pytest.mark.parametrize(("kw", "order", "depth"), TRAPS)
def test_results_under_a_failed_assumption_are_not_reused(
    kw: str, order: tuple[str, str], depth: int, rules: RuleSet
) -> None:
    old, new, instance = _trap(kw, order, depth)
    assert_counterexample(old, new, instance)
    report = compare(old, new, rules=rules)
    assert not report.compatible
    if rules is RuleSet.SEMANTIC:
        for f in report.breaking:
            if f.example is not None:
                assert_counterexample(old, new, f.example.instance)


def _mesh(n: int, changed: int | None = None) -> dict[str, Any]:
    """n definitions whose ``next`` is an anyOf over all n (a real recursive union)."""
    defs = {
        f"D{i}": {
            "type": "object",
            "properties": {
                "k": {"type": "integer" if i == changed else "string"},
                "next": {"anyOf": [_ref(f"D{j}") for j in range(n)]},
            },
        }
        for i in range(n)
    }
    return {"$defs": defs, **_ref("D0")}


@pytest.mark.parametrize("n", [9, 10, 12])
def test_recursive_unions_get_a_verdict_at_any_width(n: int) -> None:
    assert compare(_mesh(n), _mesh(n), examples=False).compatible
    assert not compare(_mesh(n), _mesh(n, changed=n // 2), examples=False).compatible


def test_recursive_union_under_semantic() -> None:
    assert compare(_mesh(10), _mesh(10), rules=RuleSet.SEMANTIC).compatible


def _nested(depth: int, leaf: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": leaf}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"x": schema}}
    return schema


@pytest.mark.parametrize("depth", [50, 300, 600])
def test_deep_nesting_is_judged_not_refused(depth: int) -> None:
    assert compare(_nested(depth, "string"), _nested(depth, "string"), examples=False).compatible
    report = compare(_nested(depth, "string"), _nested(depth, "integer"), examples=False)
    assert not report.compatible


def _chain(length: int) -> dict[str, Any]:
    defs = {f"R{i}": _ref(f"R{i + 1}") for i in range(length)}
    defs[f"R{length}"] = {"type": "string"}
    return {"$defs": defs, **_ref("R0")}


@pytest.mark.parametrize("length", [10, 300, 2000])
def test_long_reference_chains_resolve(length: int) -> None:
    assert compare(_chain(length), _chain(length), examples=False).compatible


UNGUARDED = [
    ("allOf self", {"N": {"allOf": [_ref("N"), {"type": "string"}]}}),
    ("anyOf self", {"N": {"anyOf": [_ref("N")]}}),
    ("ref beside keywords", {"N": {"$ref": "#/$defs/N", "type": "string"}}),
    ("two-step allOf", {"N": {"allOf": [_ref("M")]}, "M": {"oneOf": [_ref("N")]}}),
    ("through not", {"N": {"not": _ref("N")}}),
    ("through if/then", {"N": {"if": {"type": "string"}, "then": _ref("N")}}),
    ("bare ref loop", {"N": _ref("M"), "M": _ref("N")}),
]


@pytest.mark.parametrize(("label", "defs"), UNGUARDED, ids=[u[0] for u in UNGUARDED])
@pytest.mark.parametrize("side", ["old", "new"])
def test_an_unguarded_self_reference_is_refused_naming_the_cycle(
    label: str, defs: dict[str, Any], side: str
) -> None:
    bad = {"$defs": defs, **_ref("N")}
    pair = (bad, {"type": "string"}) if side == "old" else ({"type": "string"}, bad)
    for rules in RuleSet:
        with pytest.raises(ContractFileError) as err:
            compare(*pair, rules=rules)
        assert "#/$defs/N" in (err.value.where or "")
        assert "cycle" in err.value.message
        assert "Error" not in err.value.message  # says what, not a Python exception name


def test_a_cycle_through_properties_is_a_tree_not_an_error() -> None:
    tree = {
        "$defs": {
            "T": {"type": "object", "properties": {"kids": {"type": "array", "items": _ref("T")}}}
        },
        **_ref("T"),
    }
    assert compare(tree, tree).compatible
    assert compare(tree, tree, rules=RuleSet.SEMANTIC).compatible
