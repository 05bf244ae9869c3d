"""Shared shape of every benchmark: a table with the peer measured in the same run.

Each ``bench/bench_*.py`` defines ``run() -> list[BenchTable]``. ``bench/run.py``
runs them all and writes ``bench/RESULTS.md`` with the machine and versions,
so every ratio is against a peer measured on the same machine, same run.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import statistics
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

PLAIN_INI = "[pytest]\naddopts = -p no:cacheprovider\n"


@dataclass
class BenchTable:
    """One benchmark's result: a titled table plus notes (goal, method, caveats)."""

    title: str
    columns: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_markdown(self) -> str:
        out = [f"## {self.title}", ""]
        out.append("| " + " | ".join(self.columns) + " |")
        out.append("|" + "|".join(" --- " for _ in self.columns) + "|")
        for row in self.rows:
            out.append("| " + " | ".join(_fmt(cell) for cell in row) + " |")
        if self.notes:
            out.append("")
            out.extend(f"- {note}" for note in self.notes)
        return "\n".join(out) + "\n"


def _fmt(cell: object) -> str:
    if isinstance(cell, float):
        if cell >= 100:
            return f"{cell:,.0f}"
        if cell >= 1:
            return f"{cell:.2f}"
        return f"{cell:.4f}"
    return str(cell)


def timed(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in seconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def ratio(ours: float, peer: float) -> str:
    """``peer / ours`` for times (how many times faster we are), as text."""
    return f"{peer / ours:.1f}x" if ours > 0 else "n/a"


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {mem_gib:.0f} GiB, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def versions(*packages: str) -> str:
    found = []
    for name in packages:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


@contextlib.contextmanager
def scratch_project(kind: str, files: dict[str, str], *, ini: str = PLAIN_INI) -> Iterator[Path]:
    """A throwaway pytest project outside the repo holding ``files`` (dedented).

    World-readable: as root, Postgres runs as its own user and must reach it.
    """
    root = Path(tempfile.mkdtemp(prefix=f"edu-bench-{kind}-"))
    root.chmod(0o755)
    try:
        (root / "pytest.ini").write_text(ini)
        for name, text in files.items():
            (root / name).write_text(textwrap.dedent(text))
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
