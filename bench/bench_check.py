"""How long `edu-contracts check` and `lock --verify` take, cold and warm.

Goal: `check` belongs in every CI run and pre-commit hook, so the whole of it
(lock verification, pydantic schema generation, the table snapshot, every
message kind in FULL_TRANSITIVE, golden messages replayed through the
decoder) should cost about as much as starting Python, not minutes.

The Confluent conformance timings and the peer comparison with jsoncompat
are in the compat engine's benchmark; this one times the two commands only.
There is no peer for them: no other tool checks messages and tables of one
release in one pass, so the cold command is shown next to a bare
interpreter start and the import of the package, the floor any CLI pays.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import BenchTable, timed  # noqa: E402


def _cli(*argv: str) -> None:
    code = "import sys\nfrom edu_contracts.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr}")


def _python(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def run() -> list[BenchTable]:
    from edu_contracts.registry import PACKAGED_CONTRACTS, check, default_store, verify_lock

    store = default_store()
    result = check(store)
    assert result.compatible, "check fails on this tree; benchmark a passing tree"
    files = sum(1 for p in PACKAGED_CONTRACTS.rglob("*") if p.is_file())
    rows: list[tuple[object, ...]] = [
        ("python -c pass (floor)", timed(lambda: _python("pass"), repeat=5)),
        ("python -c 'import edu_contracts.registry'", timed(
            lambda: _python("import edu_contracts.registry, edu_contracts.db.models"), repeat=5
        )),
        ("edu-contracts check (cold process)", timed(lambda: _cli("check"), repeat=5)),
        ("edu-contracts lock --verify (cold process)", timed(lambda: _cli("lock"), repeat=5)),
        ("check() in process (warm)", timed(lambda: check(store), repeat=20)),
        ("verify_lock() in process (warm)", timed(lambda: verify_lock(store.root), repeat=50)),
    ]  # fmt: skip
    table = BenchTable(
        title="edu-contracts check and lock --verify",
        columns=("what", "median seconds"),
        rows=[(name, seconds) for name, seconds in rows],
        notes=[
            f"{len(result.subjects)} subjects against {len(store.versions())} release(s), "
            f"{files} released files hashed; median of 5 (cold) or 20-50 (warm) runs",
            "cold = a new interpreter per run, as CI and hooks call it; the difference to "
            "the import row is the check itself",
            "no peer: the Confluent-vector comparison with jsoncompat lives in the compat "
            "engine's benchmark",
        ],
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.to_markdown())
