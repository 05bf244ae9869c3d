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
        cases.extend(json.loads((VECTORS / name).read_text(encoding="utf-8")))
    return cases


def _ours(cases: list[dict[str, Any]], examples: bool) -> tuple[int, int]:
    from edu_contracts.compat import compare

    agree = 0
    for case in cases:
        report = compare(case["original_schema"], case["update_schema"], examples=examples)
        agree += report.compatible == case["compatible"]
    return agree, 0


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
        ("edu-contracts, verdict only", lambda: _ours(cases, examples=False)),
        ("edu-contracts, with counterexamples", lambda: _ours(cases, examples=True)),
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
    table.notes += [
        f"{versions('jsoncompat')}; jsoncompat 0.5 needs Python >= 3.12 and is not installable "
        "here, so the newest wheel for this interpreter is measured",
        "ratio > 1x: edu-contracts is faster; medians of 3 runs; "
        f"benchmark took {time.perf_counter() - started:.1f} s",
    ]
    return [table]
