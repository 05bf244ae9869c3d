"""The 263 Confluent compatibility vectors: our engine against jsoncompat, same run.

Both tools judge every case as BACKWARD (a reader with the new schema reads
data written with the old one; jsoncompat's "deserializer" role). The table
shows how many of Confluent's verdicts each reproduces, how many it cannot
judge (errors), and the time for the whole set.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from _harness import BenchTable, ratio, timed, versions

VECTORS = (
    Path(__file__).resolve().parents[2] / "shared" / "conformance" / "confluent-json-schema-diff"
)
FILES = (
    "diff-schema-examples.json",
    "diff-schema-examples-2020-12.json",
    "diff-combined-schema-examples.json",
    "diff-combined-schema-examples-2020-12.json",
)


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for name in FILES:
        for case in json.loads((VECTORS / name).read_text(encoding="utf-8")):
            # unversioned files are draft-07, Confluent's default
            case["dialect"] = None if "2020-12" in name else "draft-07"
            cases.append(case)
    return cases


def _ours(cases: list[dict[str, Any]], examples: bool, rules: str = "STRICT") -> tuple[int, int]:
    from edu_contracts.compat import RuleSet, compare

    agree = 0
    for case in cases:
        report = compare(
            case["original_schema"],
            case["update_schema"],
            rules=RuleSet(rules),
            examples=examples,
            dialect=case["dialect"],
        )
        agree += report.compatible == case["compatible"]
    return agree, 0


def _wide(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    props = {f"p{i}": {"type": "string"} for i in range(n)}
    old = {"type": "object", "properties": props}
    return old, {"type": "object", "properties": {**props, "p5": {"type": "integer"}}}


def _cold_cli(tmp: Path) -> float:
    """Wall time of a fresh ``edu-contracts compat A B`` on a trivial pair."""
    import subprocess
    import sys

    a = tmp / "a.json"
    a.write_text('{"type": "object"}', encoding="utf-8")
    code = "import sys; from edu_contracts.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = [sys.executable, "-c", code, "compat", str(a), str(a)]
    return timed(lambda: subprocess.run(argv, capture_output=True, check=False), repeat=5)


def _jsoncompat(cases: list[dict[str, Any]]) -> tuple[int, int]:
    import jsoncompat

    agree = errors = 0
    for case in cases:
        try:
            verdict = jsoncompat.check_compat(
                json.dumps(case["original_schema"]),
                json.dumps(case["update_schema"]),
                "deserializer",
            )
        except Exception:
            errors += 1
            continue
        agree += bool(verdict) == case["compatible"]
    return agree, errors


def run() -> list[BenchTable]:
    table = BenchTable(
        "JSON Schema compatibility: 263 Confluent vectors (BACKWARD)",
        ["engine", "agrees with Confluent", "errors", "time for all cases", "vs jsoncompat"],
    )
    if not VECTORS.is_dir():
        table.notes.append(f"skipped: vectors not found at {VECTORS} (they live in ../shared)")
        return [table]
    cases = _cases()
    started = time.perf_counter()
    rows: list[tuple[str, tuple[int, int], float]] = []
    for label, fn in (
        ("edu-contracts strict, verdict only", lambda: _ours(cases, examples=False)),
        ("edu-contracts strict, with counterexamples", lambda: _ours(cases, examples=True)),
        ("edu-contracts semantic, with counterexamples", lambda: _ours(cases, True, "SEMANTIC")),
    ):
        result = fn()
        rows.append((label, result, timed(fn, repeat=3)))
    try:
        peer = _jsoncompat(cases)
        peer_time = timed(lambda: _jsoncompat(cases), repeat=3)
    except ImportError:
        peer, peer_time = (0, 0), 0.0
        table.notes.append("jsoncompat is not installed: pip install 'edu-contracts[bench]'")
    for label, (agree, errors), seconds in rows:
        vs = ratio(seconds, peer_time) if peer_time else "n/a"
        table.rows.append((label, f"{agree}/{len(cases)}", errors, f"{seconds * 1000:.0f} ms", vs))
    if peer_time:
        table.rows.append(
            (
                "jsoncompat (deserializer role)",
                f"{peer[0]}/{len(cases)}",
                peer[1],
                f"{peer_time * 1000:.0f} ms",
                "1.0x",
            )
        )
    import tempfile

    from edu_contracts.compat import compare

    old, new = _wide(120_000)
    wide = timed(lambda: compare(old, new), repeat=1)
    with tempfile.TemporaryDirectory() as tmp:
        cold = _cold_cli(Path(tmp))
    table.notes += [
        f"120,000-property schema, one property retyped, strict with counterexamples: "
        f"{wide:.2f} s; cold `edu-contracts compat A B` on a trivial pair: {cold * 1000:.0f} ms "
        "wall (median of 5)",
        "semantic differs from Confluent on 13 vectors by design (DEVIATIONS.md)",
        f"{versions('jsoncompat')}; jsoncompat 0.5 needs Python >= 3.12 and is not installable "
        "here, so the newest wheel for this interpreter is measured",
        "ratio > 1x: edu-contracts is faster; medians of 3 runs; "
        f"benchmark took {time.perf_counter() - started:.1f} s",
    ]
    return [table]
