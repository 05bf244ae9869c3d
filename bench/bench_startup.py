"""The inner loop as a service repo's developer meets it: one test, one command.

Everything runs from a non-editable install of the wheel built from this
tree (``pip install 'edu-contracts[testing]'`` into a venv kept in the
per-user cache, keyed by the wheel's hash), in a scratch project outside the
repository. Each row is the median of alternating runs (every variant once
per round, so drift in the machine's load hits all of them alike), in this
one process tree. "net" rows subtract the trivial test's run with the plugin
active: what is left is what the fixtures cost.

Peers, in the same rounds: bare pytest with faker's and our plugin disabled
(the floor), and pytest with faker's plugin as faker installs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from _harness import BenchTable, scratch_project  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_STARTUP_ROUNDS", "5"))

_TRIVIAL = "def test_trivial():\n    assert True\n"
_DB = """
from sqlalchemy import text

def test_db(edu_session):
    assert edu_session.execute(text("select count(*) from users")).scalar() == 0
"""
_DB_QUEUE = """
import uuid
from sqlalchemy import text
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

def test_db_queue(edu_session, edu_queue):
    assert edu_session.execute(text("select count(*) from users")).scalar() == 0
    edu_queue.send(DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4())))
"""
# what edu_session's test imports anyway: SQLAlchemy's ORM, psycopg and its dialect
_IMPORTS = """
import psycopg
import sqlalchemy.dialects.postgresql.psycopg
import sqlalchemy.orm

def test_imports():
    assert sqlalchemy.orm.Session is not None and psycopg.connect is not None
"""
# when the last test ended, so the parent can tell how long the exit took
_CONFTEST = """
import os, time

def pytest_runtest_logfinish(nodeid, location):
    out = os.environ.get("BENCH_LAST_TEST")
    if out:
        with open(out, "w") as fh:
            fh.write(repr(time.time()))
"""


def _build_venv() -> Path:
    """A venv with the wheel of this tree installed non-editable, kept by wheel hash."""
    dist = Path(tempfile.mkdtemp(prefix="edu-bench-dist-"))
    try:
        subprocess.run(
            [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        (wheel,) = dist.glob("*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()[:12]
        # outside the per-user cache: as root, Postgres runs as its own user and
        # must reach the venv's binaries (root's home is private)
        venv = Path(tempfile.gettempdir()) / "edu-bench-venvs" / f"venv-{digest}"
        venv.parent.mkdir(exist_ok=True)
        venv.parent.chmod(0o755)
        if not (venv / "ok").exists():
            shutil.rmtree(venv, ignore_errors=True)
            for old in venv.parent.glob("venv-*") if venv.parent.exists() else []:
                shutil.rmtree(old, ignore_errors=True)  # older trees' venvs
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", f"{wheel}[testing]"],
                check=True,
                capture_output=True,
            )
            (venv / "ok").write_text(wheel.name)
        return venv
    finally:
        shutil.rmtree(dist, ignore_errors=True)


def _run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, seconds from the last test's end to the process's exit)."""
    marker = cwd / "last-test"
    marker.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_LAST_TEST": str(marker)}
    env.pop("VIRTUAL_ENV", None)
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    ended = time.time()
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    exit_delay = ended - float(marker.read_text()) if marker.exists() else float("nan")
    return wall, exit_delay


def _alternate(
    variants: dict[str, Callable[[], tuple[float, float]]], rounds: int
) -> dict[str, tuple[float, float]]:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for fn in variants.values():
        fn()  # warm: .pyc files, the cached cluster, the page cache
    for _ in range(rounds):
        for name, fn in variants.items():
            samples[name].append(fn())
    return {
        name: (
            statistics.median(s[0] for s in runs),
            statistics.median(s[1] for s in runs),
        )
        for name, runs in samples.items()
    }


def _pytest_rows(venv: Path) -> BenchTable:
    python = str(venv / "bin" / "python")
    files = {"conftest.py": _CONFTEST, "test_trivial.py": _TRIVIAL, "test_db.py": _DB}
    files["test_db_queue.py"] = _DB_QUEUE
    files["test_imports.py"] = _IMPORTS

    def pytest(*args: str) -> Callable[[], tuple[float, float]]:
        return lambda: _run([python, "-m", "pytest", "-q", *args], root)

    with scratch_project("startup", files) as root:
        variants = {
            "floor": pytest("-p", "no:faker", "-p", "no:edu_contracts", "test_trivial.py"),
            "faker": pytest("-p", "no:edu_contracts", "test_trivial.py"),
            "edu": pytest("test_trivial.py"),
            "edu first": pytest("-p", "edu_contracts", "test_trivial.py"),
            "db": pytest("test_db.py"),
            "db+queue": pytest("test_db_queue.py"),
        }
        got = _alternate(variants, ROUNDS)
        reuse: dict[str, tuple[float, float]] = {}
        try:
            reuse = _alternate(
                {
                    "edu": pytest("test_trivial.py"),
                    "imports": pytest("test_imports.py"),
                    "db reuse": pytest("--edu-reuse", "test_db.py"),
                    "db+queue reuse": pytest("--edu-reuse", "test_db_queue.py"),
                },
                ROUNDS,
            )
        finally:
            from edu_contracts.testing import reuse as kept

            kept.stop_reused(kept.state_path(root))  # this project's only, never others'
    floor, base = got["floor"][0], got["edu"][0]
    reuse_base = reuse["edu"][0]
    rows: list[list[object]] = [
        ["bare pytest, one trivial test, faker's plugin disabled (floor)", floor, "", "floor"],
        [
            "the same with edu-contracts[testing] installed, our plugin disabled "
            "(faker's plugin loads)",
            got["faker"][0],
            f"+{(got['faker'][0] - floor) * 1000:.0f} ms",
            "",
        ],
        [
            "... our plugin active (it replaces faker's; entry-point order puts faker's first)",
            base,
            f"+{(base - floor) * 1000:.0f} ms",
            "≤ floor + 50 ms",
        ],
        [
            "... our plugin active and loaded first (`-p edu_contracts` in addopts)",
            got["edu first"][0],
            f"+{(got['edu first'][0] - floor) * 1000:.0f} ms",
            "≤ floor + 50 ms",
        ],
        [
            "one test using edu_session (DB only: Azurite is never started), net",
            got["db"][0] - base,
            f"wall {got['db'][0]:.2f} s",
            "≤ 0.8 s net",
        ],
        [
            "one test using edu_session and edu_queue, net",
            got["db+queue"][0] - base,
            f"wall {got['db+queue'][0]:.2f} s",
            "≤ 1.5 s net",
        ],
        [
            "edu_session with --edu-reuse (services kept), net",
            reuse["db reuse"][0] - reuse_base,
            f"wall {reuse['db reuse'][0]:.2f} s",
            "≤ 0.3 s net",
        ],
        [
            "... of which importing SQLAlchemy's ORM and psycopg, which any test on a "
            "SQLAlchemy session pays (no fixture), net",
            reuse["imports"][0] - reuse_base,
            f"edu-contracts' own share: "
            f"{(reuse['db reuse'][0] - reuse['imports'][0]) * 1000:.0f} ms",
            "",
        ],
        [
            "edu_session and edu_queue with --edu-reuse, net",
            reuse["db+queue reuse"][0] - reuse_base,
            f"wall {reuse['db+queue reuse'][0]:.2f} s",
            "≤ 0.3 s net",
        ],
        [
            "exit: last test's end to process exit (DB only; services stopped)",
            got["db"][1],
            f"trivial test: {got['edu'][1]:.2f} s",
            "not seconds",
        ],
        [
            "exit: last test's end to process exit (DB + queue; services stopped)",
            got["db+queue"][1],
            "",
            "not seconds",
        ],
    ]
    return BenchTable(
        title="Start-up and exit of one test, from a non-editable install outside the repo",
        columns=["run", "seconds (median)", "vs", "goal"],
        rows=rows,
        notes=[
            f"Medians of {ROUNDS} alternating rounds (one run of every variant per round), "
            "one process tree; net = minus the trivial test with the plugin active, measured "
            "in the same rounds. Warm cache: Azurite installed, the migrated cluster cached.",
            "faker's entry point comes before ours in this venv's distribution order, so its "
            "module is imported before our plugin can block it; we then unregister it and "
            "drop its autouse fixture (no Faker is built). `-p edu_contracts` loads ours "
            "first, and faker is then not imported at all.",
            "exit = time from the last test's logfinish hook to the parent seeing the "
            "process end (session teardown, services stopped in parallel, interpreter exit).",
        ],
    )


def _cli_rows(venv: Path) -> BenchTable:
    exe = str(venv / "bin" / "edu-contracts")
    python = str(venv / "bin" / "python")
    with scratch_project("startup", {}) as root:
        site = subprocess.run(  # from the empty folder: the installed copy, not this tree
            [
                python,
                "-c",
                "import edu_contracts, os; print(os.path.dirname(edu_contracts.__file__))",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
        ).stdout.strip()
        schema = str(Path(site) / "contracts" / "1.0.0" / "messages" / "document_processing.json")

        def cli(*args: str) -> Callable[[], tuple[float, float]]:
            return lambda: _run([exe, *args], root)

        got = _alternate(
            {
                "python": lambda: _run([python, "-c", "pass"], root),
                "check": cli("check"),
                "compat": cli("compat", schema, schema),
                "lock": cli("lock", "--verify"),
                "help": cli("--help"),
            },
            ROUNDS,
        )
        imports = {
            name: json.loads(
                subprocess.run(
                    [
                        python,
                        "-c",
                        "import sys, json, contextlib, io\n"
                        "from edu_contracts.cli import main\n"
                        "with contextlib.redirect_stdout(io.StringIO()):\n"
                        "    main(sys.argv[1:])\n"
                        "print(json.dumps('sqlalchemy' in sys.modules))",
                        *args,
                    ],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.splitlines()[-1]
            )
            for name, args in (("check", ["check"]), ("lock", ["lock", "--verify"]))
        }
    rows: list[list[object]] = [
        ["python -c pass (the floor of any command)", got["python"][0], ""],
        [
            f"edu-contracts check (imports SQLAlchemy: {imports['check']})",
            got["check"][0],
            "≤ 0.5 s",
        ],
        ["edu-contracts compat A B", got["compat"][0], "≤ 0.25 s"],
        [
            f"edu-contracts lock --verify (imports SQLAlchemy: {imports['lock']})",
            got["lock"][0],
            "≤ 0.2 s",
        ],
        ["edu-contracts --help", got["help"][0], "≤ 0.1 s"],
    ]
    return BenchTable(
        title="CLI commands, cold process, from the same install",
        columns=["command", "seconds (median)", "goal"],
        rows=rows,
        notes=[
            f"Medians of {ROUNDS} alternating rounds, run from an empty folder outside the "
            "repo; check reads the code's contract from the cache keyed by its sources "
            "(filled by the warm-up run).",
        ],
    )


def run() -> list[BenchTable]:
    venv = _build_venv()
    return [_pytest_rows(venv), _cli_rows(venv)]


if __name__ == "__main__":
    for table in run():
        print(table.to_markdown())
