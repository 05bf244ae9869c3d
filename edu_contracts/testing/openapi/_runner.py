"""Running schemathesis in process against an ASGI app, operation by operation."""

from __future__ import annotations

import functools
import re
import sysconfig
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from edu_contracts.errors import EduContractsError, MissingDependencyError

if TYPE_CHECKING:
    import requests
    from schemathesis import APIOperation, Case, CheckFunction
    from schemathesis.generation import GenerationMode
    from sqlalchemy.orm import Session

    Operation = APIOperation[Any, Any, Any, Any]
from edu_contracts.errors import OpenApiCheckError
from edu_contracts.testing.openapi._read_models import response_matches_read_model
from edu_contracts.testing.openapi._report import (
    _CURL_LIMIT,
    OpenApiFailure,
    OpenApiReport,
    OperationStats,
    _shorten,
)

__all__ = ["DEFAULT_CHECKS", "PathParameters", "path_parameters_from_rows", "run_openapi_checks"]

PathParameters = Mapping[str, Sequence[Any]] | Callable[[str], Mapping[str, Sequence[Any]]]
"""Values to draw each path parameter from: one mapping for every operation,
or a function of the operation's label (``"GET /projects/{project_id}"``)."""

DEFAULT_CHECKS: tuple[str, ...] = (
    "not_a_server_error",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "response_matches_read_model",
)
"""Checks that find breakage. ``status_code_conformance`` is left out because
FastAPI never documents its own 400 (malformed JSON) nor an ``HTTPException``'s
status, so it fails every FastAPI app; add it to audit the documentation.
Checks that send requests of their own (``use_after_free``...) need
schemathesis' stateful engine."""


def run_openapi_checks(
    app: Any,
    *,
    path_parameters: PathParameters | None = None,
    headers: Mapping[str, str] | None = None,
    max_examples: int = 15,
    seed: int = 0,
    checks: Sequence[str | CheckFunction] = DEFAULT_CHECKS,
    operations: Collection[str] | None = None,
    negative: bool = True,
    schema_path: str = "/openapi.json",
) -> OpenApiReport:
    """Fuzz every operation of the ASGI ``app``, check each response, raise on failures.

    Each operation gets ``max_examples`` requests that fit its schema and,
    with ``negative``, as many that break it. ``headers`` go unchanged with
    every request (the caller's identity); path parameters are drawn from
    ``path_parameters`` so requests reach rows that exist (add an unknown id
    to reach the 404 branch too). Failures are collected, not shrunk, so one
    run shows every distinct problem with a curl command that reproduces it.
    The same ``seed`` sends the same requests (given the same code loaded:
    hypothesis also draws constants from imported modules), and an
    operation's requests depend on its own label only, so a new route
    changes no other's.

    ``operations`` limits the run to some labels (``"POST /projects"``);
    ``checks`` takes names of schemathesis checks or check functions (such
    as :func:`read_model_check` for an app with its own schema names).
    Raises :class:`OpenApiCheckError`, which carries the report.
    """
    schemathesis = _require_schemathesis()
    from schemathesis.generation import GenerationMode
    from schemathesis.python import asgi

    started = time.perf_counter()
    functions = _resolve_checks(checks)
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    recorder = _Recorder()
    all_stats: list[OperationStats] = []
    try:
        schema = schemathesis.openapi.from_asgi(schema_path, app, config=schemathesis.Config())
        with asgi.get_client(app) as client:
            for operation in _operations(schema, operations):
                stats = OperationStats(operation.label)
                all_stats.append(stats)
                values = _values_for(path_parameters, operation)
                exercise = functools.partial(
                    _exercise, client=client, checks=functions, stats=stats, recorder=recorder
                )
                operation_started = time.perf_counter()
                for mode in modes:
                    _explore(operation, mode, values, headers, max_examples, seed, exercise, stats)
                stats.elapsed = time.perf_counter() - operation_started
    finally:
        # The transport keeps every app it started alive until exit; stopping
        # here releases this app, and the test connection it holds, now.
        asgi.shutdown_lifespans()
    report = OpenApiReport(
        seed=seed,
        max_examples=max_examples,
        elapsed=time.perf_counter() - started,
        operations=tuple(all_stats),
        failures=recorder.failures(),
    )
    if not report.ok:
        raise OpenApiCheckError(report)
    return report


def path_parameters_from_rows(session: Session, *, limit: int = 10) -> dict[str, list[str]]:
    """Ids of rows the session sees, named by convention: ``Project`` -> ``project_id``.

    Seed with the factories first. Each canonical table with rows gives its
    first ``limit`` ids in id order, so the same seed gives the same lists.
    Add the names an app spells differently (``{**found, "segment_id": ...}``).
    """
    import sqlalchemy as sa

    from edu_contracts.db import models

    found: dict[str, list[str]] = {}
    for name in models.__all__:
        model = getattr(models, name)
        ids = session.scalars(sa.select(model.id).order_by(model.id).limit(limit)).all()
        if ids:
            found[re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() + "_id"] = [str(i) for i in ids]
    return found


# --- the read-model check -----------------------------------------------------------


class _Recorder:
    """Distinct failures, each counted: one per operation, check and title, or per
    place in the code for an exception, so the same bug hit with different
    values is reported once."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str, str, str], OpenApiFailure] = {}
        self._counts: Counter[tuple[str, str, str, str]] = Counter()

    def add(self, failure: OpenApiFailure, origin: str = "") -> None:
        key = (failure.operation, failure.check, failure.title, origin)
        self._counts[key] += 1
        self._found.setdefault(key, failure)

    def failures(self) -> tuple[OpenApiFailure, ...]:
        return tuple(replace(f, count=self._counts[k]) for k, f in self._found.items())


def _exercise(
    case: Case[Any],
    *,
    client: requests.Session,
    checks: Sequence[CheckFunction],
    stats: OperationStats,
    recorder: _Recorder,
) -> None:
    from schemathesis.errors import FailureGroup

    label = case.operation.label
    mode = case.meta.generation.mode.value if case.meta is not None else "generated"
    try:
        response = case.call(session=client)
    except Exception as exc:
        # The app raised instead of answering (Starlette re-raises after its 500).
        stats.statuses[500] += 1
        origin = _origin(exc)
        text = _shorten("\n".join(str(exc).strip().splitlines()[:4]), 600)
        title = f"Unhandled {type(exc).__name__}"
        failure = OpenApiFailure(
            label, "not_a_server_error", title, f"{text}\n{origin}", 500, mode, _curl(case)
        )
        recorder.add(failure, origin)
        return
    stats.statuses[response.status_code] += 1
    for check in checks:
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            for found in group.exceptions:
                title, message = found.title, found.message
                if title == f"Custom check failed: `{check.__name__}`":
                    # An AssertionError's first line is a better title than the check's name.
                    title, _, message = message.strip().partition("\n")
                failure = OpenApiFailure(
                    label, check.__name__, title, message, response.status_code, mode, _curl(case)
                )
                recorder.add(failure)


def _explore(
    operation: Operation,
    mode: GenerationMode,
    values: Mapping[str, Sequence[Any]],
    headers: Mapping[str, str] | None,
    max_examples: int,
    seed: int,
    exercise: Callable[[Case[Any]], None],
    stats: OperationStats,
) -> None:
    """Hypothesis over one operation in one mode, without shrinking or a database.

    Failures are recorded, never raised, so hypothesis neither shrinks (slow)
    nor stops at the first problem; ``database=None`` keeps runs identical
    and writes no ``.hypothesis`` folder into the service repo.
    """
    import hypothesis
    from hypothesis import strategies as st

    names = sorted(values)
    strategies: dict[tuple[Any, ...], Any] = {}

    def for_ids(chosen: tuple[Any, ...]) -> Any:
        # Building an operation's strategy takes milliseconds: once per id combination.
        if chosen not in strategies:
            fixed = dict(zip(names, chosen, strict=True))
            strategies[chosen] = operation.as_strategy(
                mode, path_parameters=fixed, headers=dict(headers or {})
            )
        return strategies[chosen]

    ids = st.tuples(*(st.sampled_from(values[n]) for n in names))

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )
    @hypothesis.seed(seed * 1_000_003 + zlib.crc32(f"{operation.label} {mode.value}".encode()))
    @hypothesis.given(ids.flatmap(for_ids))
    def explore(case: Case[Any]) -> None:
        exercise(case)

    try:
        explore()
    except hypothesis.errors.Unsatisfiable:
        # Every parameter is fixed, or nothing in the schema can be broken.
        stats.skipped.append(f"{mode.value} data: nothing left to vary")


def _operations(schema: Any, wanted: Collection[str] | None) -> Iterator[Operation]:
    labels: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # raises InvalidSchema, naming the broken operation
        labels.append(operation.label)
        if wanted is None or operation.label in wanted:
            yield operation
    unknown = sorted(set(wanted or ()) - set(labels))
    if unknown:
        raise EduContractsError(
            f"no operation {', '.join(unknown)} in the app's OpenAPI",
            fix=f"use labels as schemathesis writes them: {', '.join(labels)}",
        )


def _values_for(given: PathParameters | None, operation: Operation) -> dict[str, list[Any]]:
    mapping = (given(operation.label) if callable(given) else given) or {}
    declared = {p.name for p in operation.path_parameters}
    values: dict[str, list[Any]] = {}
    for name in sorted(declared & set(mapping)):
        # Ids as text: the schema says "string, format uuid", not a Python UUID.
        values[name] = [v if isinstance(v, str | int | float) else str(v) for v in mapping[name]]
        if not values[name]:
            raise EduContractsError(
                f"no values for path parameter {name!r}",
                where=operation.label,
                fix="seed rows first (edu_factories), or leave the name out to have it generated",
            )
    return values


def _resolve_checks(checks: Sequence[str | CheckFunction]) -> list[CheckFunction]:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    registered = {f.__name__: f for f in CHECKS.get_all() if not isinstance(f, type)}
    registered["response_matches_read_model"] = response_matches_read_model
    resolved: list[CheckFunction] = []
    for check in checks:
        if isinstance(check, str) and check not in registered:
            raise EduContractsError(
                f"unknown check {check!r}", fix=f"use one of {', '.join(sorted(registered))}"
            )
        resolved.append(registered[check] if isinstance(check, str) else check)
    return resolved


def _require_schemathesis() -> Any:
    try:
        import schemathesis
    except ImportError as exc:
        raise MissingDependencyError(
            "fuzzing an OpenAPI app needs schemathesis, which is not installed",
            where="edu_contracts.testing.openapi",
            fix='pip install "schemathesis>=4.3" (add it to the service\'s test dependencies)',
        ) from exc
    return schemathesis


def _curl(case: Case[Any]) -> str:
    try:
        return _shorten(str(case.as_curl_command()), _CURL_LIMIT)
    except Exception as exc:  # a malformed case cannot always be printed
        return f"(no curl command: {exc})"


def _origin(exc: BaseException) -> str:
    """Where the app raised, innermost first: frames of the standard library, installed
    packages and this module are skipped, since the bug is rarely there."""
    skipped = (
        *(sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")),
        __file__,
    )
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not f.filename.startswith(skipped)] or frames
    places = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in own[::-1][:3]]
    return f"raised at {', via '.join(places) or 'an unknown place'}"
