"""``rehearse``: apply the new revisions to seeded data while old code keeps working.

Steps, each timed: build a database (of our own) at the previous release's
head and check it matches that release's ``tables.json``; seed the
scenario; start old-code traffic and the lock sampler; apply each revision
on its own (so each gets a wall time and its own longest wait); let old code
run a moment on the new schema; stop; downgrade back to the release head.

A revision runs with no transaction opened around it, so its
``autocommit_block()`` (CONCURRENTLY) works exactly as in a deploy.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from edu_contracts.errors import MigrationSafetyError
from edu_contracts.migrations.database import owned_database
from edu_contracts.migrations.operations import revision_range, script_directory
from edu_contracts.migrations.releases import ReleasePoint, previous_release
from edu_contracts.migrations.runner import apply_on
from edu_contracts.migrations.traffic import LockSampler, LockWait, OldCode, Traffic, TrafficStats

__all__ = ["RehearsalCheck", "RehearsalResult", "RevisionRun", "rehearse"]


class RehearsalCheck(enum.Enum):
    LOCK_WAIT_OVER_BUDGET = "lock-wait-over-budget"
    OLD_CODE_BROKE = "old-code-broke"
    REVISION_FAILED = "revision-failed"
    DOWNGRADE_FAILED = "downgrade-failed"
    MEASUREMENT_FAILED = "measurement-failed"


@dataclass(frozen=True)
class RevisionRun:
    revision: str
    seconds: float
    wait: LockWait | None
    error: str | None = None


@dataclass
class RehearsalResult:
    release: str
    base: str
    scenario: str
    budget: float
    seed_rows: int = 0
    seed_seconds: float = 0.0
    runs: list[RevisionRun] = field(default_factory=list)
    after: LockWait | None = None
    traffic: TrafficStats = field(default_factory=TrafficStats)
    downgrade_seconds: float = 0.0
    downgrade_error: str | None = None
    sampler_error: str | None = None

    @property
    def longest_wait(self) -> LockWait | None:
        waits = [r.wait for r in self.runs if r.wait] + ([self.after] if self.after else [])
        return max(waits, key=lambda w: w.seconds, default=None)

    def failures(self) -> list[tuple[RehearsalCheck, str, str]]:
        """(check, where, what) for everything that makes the rehearsal fail."""
        found = []
        for run in self.runs:
            if run.error:
                found.append((RehearsalCheck.REVISION_FAILED, run.revision, run.error))
            if run.wait and run.wait.seconds > self.budget:
                found.append(
                    (
                        RehearsalCheck.LOCK_WAIT_OVER_BUDGET,
                        run.revision,
                        f"old-code statement waited {run.wait.seconds:.2f} s on a lock "
                        f"({run.wait.relation or 'a relation'}; budget {self.budget:g} s): "
                        f"{run.wait.query}",
                    )
                )
        for key, (count, first) in sorted(self.traffic.errors.items()):
            found.append((RehearsalCheck.OLD_CODE_BROKE, key, f"{count} x {first}"))
        if self.sampler_error:
            found.append((RehearsalCheck.MEASUREMENT_FAILED, "lock sampler", self.sampler_error))
        if self.downgrade_error:
            found.append((RehearsalCheck.DOWNGRADE_FAILED, self.base, self.downgrade_error))
        return found

    @property
    def passed(self) -> bool:
        return not self.failures()


def rehearse(
    server_url: str,
    scenario: Any,
    *,
    lower: str | None = None,
    upper: str = "heads",
    extra_versions: Sequence[Path | str] = (),
    release: ReleasePoint | None = None,
    budget: float = 1.0,
    seed: int = 0,
    settle: float = 0.5,
    on_phase: Callable[[str], None] | None = None,
    on_seed_rows: Callable[[int], None] | None = None,
) -> RehearsalResult:
    """Rehearse the revisions after ``lower`` (default: the release head) on ``server_url``.

    ``scenario`` is a loaded seed ``Scenario``. Only a database this call
    creates on that server is written to, and it is dropped afterwards.
    ``on_phase`` hears each step's name, ``on_seed_rows`` the rows seeded so
    far (progress bars).
    """
    from edu_contracts.seed.seeding import seed_database

    phase = on_phase or (lambda _text: None)
    point = release or previous_release()
    base = lower or point.revision
    revisions = [s.revision for s in revision_range(script_directory(extra_versions), base, upper)]
    result = RehearsalResult(point.version, base, scenario.name, budget)
    with owned_database(server_url) as url:
        phase(f"building the database at release {point.version} (revision {base})")
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            with engine.connect() as connection:
                apply_on(connection, "upgrade", base, extra_versions)
            if base == point.revision:
                _check_release_schema(url, point, base)
            phase(f"seeding {scenario.name}")
            rows = on_seed_rows or (lambda _n: None)
            stats = seed_database(
                url, scenario, seed=seed, revision=base, on_batch=lambda done: rows(done.total)
            )
            result.seed_rows, result.seed_seconds = stats.total, stats.seconds
            _apply_under_traffic(
                engine, url, point, revisions, extra_versions, result, settle, seed, phase
            )
            phase(f"downgrading to {base}")
            started = time.perf_counter()
            try:
                with engine.connect() as connection:
                    apply_on(connection, "downgrade", base, extra_versions)
            except Exception as exc:  # a failed downgrade is a finding, not a crash
                result.downgrade_error = _first_line(exc)
            result.downgrade_seconds = time.perf_counter() - started
        finally:
            engine.dispose()
    return result


def _apply_under_traffic(
    engine: sa.Engine,
    url: str,
    point: ReleasePoint,
    revisions: list[str],
    extra_versions: Sequence[Path | str],
    result: RehearsalResult,
    settle: float,
    seed: int,
    phase: Callable[[str], None],
) -> None:
    libpq_url = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    traffic = Traffic(libpq_url, OldCode.from_snapshot(point.tables()), seed=seed)
    sampler = LockSampler(libpq_url).start()
    traffic.start()
    try:
        _warm_up(traffic)
        with engine.connect() as connection:
            sampler.migration_pid = int(
                connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            )
            connection.commit()
            for revision in revisions:
                phase(f"applying {revision} under traffic")
                sampler.set_phase(revision)
                started = time.perf_counter()
                error = None
                try:
                    apply_on(connection, "upgrade", revision, extra_versions)
                except Exception as exc:  # reported, then the rehearsal stops
                    error = _first_line(exc)
                    connection.rollback()
                seconds = time.perf_counter() - started
                sampler.set_phase("after")
                result.runs.append(RevisionRun(revision, seconds, None, error))
                if error:
                    break
        phase("old code on the new schema")
        time.sleep(settle)
    finally:
        result.traffic = traffic.stop()
        waits = sampler.stop()
        result.sampler_error = sampler.error
    result.runs[:] = [
        RevisionRun(r.revision, r.seconds, waits.get(r.revision), r.error) for r in result.runs
    ]
    result.after = waits.get("after")


def _warm_up(traffic: Traffic, timeout: float = 30.0) -> None:
    """Wait until old code has written and read once on the old schema: a
    rehearsal without working traffic would pass without proving anything."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ops = traffic.stats.operations
        if traffic.stats.errors:
            first = next(iter(traffic.stats.errors.items()))
            raise MigrationSafetyError(
                f"old-code traffic fails before any revision is applied: {first[0]} {first[1][1]}",
                where="rehearsal traffic on the release schema",
                fix="the database at the release head must serve the release's own statements; "
                "check release_heads.toml and the scenario",
            )
        if ops["write"] and ops["read"]:
            return
        time.sleep(0.02)
    raise MigrationSafetyError(
        f"old-code traffic did not complete a write and a read within {timeout:g} s",
        where="rehearsal traffic on the release schema",
        fix="the server is overloaded or the seeded data too small; retry on a quieter server",
    )


def _check_release_schema(url: str, point: ReleasePoint, base: str) -> None:
    """The database at the release head must be the schema the release recorded."""
    from edu_contracts.findings import CompatibilityMode
    from edu_contracts.tables.rules import compare_tables
    from edu_contracts.tables.snapshot import snapshot_database

    report = compare_tables(point.tables(), snapshot_database(url), CompatibilityMode.BACKWARD)
    if report.findings:
        first = report.findings[0]
        raise MigrationSafetyError(
            f"the schema at revision {base} is not release {point.version}'s: "
            f"{first.pointer} {first.message}",
            where="edu_contracts/migrations/release_heads.toml",
            fix=f"record the revision release {point.version} was cut at",
        )


def _first_line(exc: BaseException) -> str:
    detail = getattr(exc, "orig", None) or exc
    text = str(detail).strip()
    return text.splitlines()[0] if text else type(exc).__name__
