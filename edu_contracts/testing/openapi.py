"""Fuzz a producer's HTTP API with schemathesis, in process, on the test's database.

A service's own tests send the requests its authors thought of; schemathesis
sends the ones they did not (NUL bytes, huge numbers, missing fields). And a
FastAPI app's OpenAPI only proves that responses match *the app's* models:
:func:`response_matches_read_model` adds the contract side, so a body that
claims to be ``ProjectRead`` must also validate against edu-contracts'
``ProjectRead``, and an app whose response model drops or retypes a field is
caught even though its own OpenAPI agrees with it. ::

    def test_api_survives_fuzzing(edu_sessionmaker, edu_session, edu_factories, ...):
        user = edu_factories.user(projects=2, is_active=True)
        app = create_app(edu_sessionmaker, ...)     # its commits become savepoints
        run_openapi_checks(
            app,
            path_parameters=path_parameters_from_rows(edu_session),
            headers={"X-User-Id": str(user.id)},
        )

Build the app on the plugin's ``edu_sessionmaker``: its sessions join the
test's rolled-back transaction, so whatever the fuzzer creates disappears
with the test. Path parameters come from rows that exist, so requests reach
the handlers' own logic instead of stopping at a 404.
"""

from __future__ import annotations

import functools
import re
import sysconfig
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from edu_contracts.errors import EduContractsError, MissingDependencyError

if TYPE_CHECKING:
    import requests
    from pydantic import BaseModel
    from schemathesis import APIOperation, Case, CheckContext, CheckFunction, Response
    from schemathesis.generation import GenerationMode
    from sqlalchemy.orm import Session

    Operation = APIOperation[Any, Any, Any, Any]

__all__ = [
    "DEFAULT_CHECKS",
    "OpenApiCheckError",
    "OpenApiFailure",
    "OpenApiReport",
    "OperationStats",
    "PathParameters",
    "path_parameters_from_rows",
    "read_model_check",
    "response_matches_read_model",
    "run_openapi_checks",
]

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

_MESSAGE_LIMIT = 2_000
_CURL_LIMIT = 600


class OpenApiCheckError(EduContractsError, AssertionError):
    """Schemathesis found failures; an AssertionError so pytest shows a failed test.

    ``report`` keeps every operation's statuses and failures for tools that
    want more than the text.
    """

    def __init__(self, report: OpenApiReport) -> None:
        self.report = report
        super().__init__(
            report.render(),
            where=", ".join(sorted({f.operation for f in report.failures})),
            fix="run the curl command of a failure against the app, fix the handler or its "
            f"response model, and rerun with seed={report.seed} to confirm",
        )


@dataclass(frozen=True)
class OpenApiFailure:
    """One distinct way an operation failed a check, and how often it happened."""

    operation: str
    check: str
    title: str
    message: str
    status_code: int
    mode: str
    reproduce: str
    count: int = 1

    def render(self) -> str:
        message = _shorten(self.message.strip(), _MESSAGE_LIMIT)
        return "\n".join(
            [
                f"{self.operation} [{self.check}] {self.title} -> {self.status_code}"
                f" ({self.count}x, {self.mode} data)",
                *("    " + line for line in message.splitlines()),
                f"    reproduce: {self.reproduce}",
            ]
        )


@dataclass
class OperationStats:
    """How one operation answered: statuses and their counts, time, and modes it skipped."""

    operation: str
    statuses: Counter[int] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


@dataclass(frozen=True)
class OpenApiReport:
    """What :func:`run_openapi_checks` sent and found; ``ok`` when nothing failed."""

    seed: int
    max_examples: int
    elapsed: float
    operations: tuple[OperationStats, ...]
    failures: tuple[OpenApiFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    def operation(self, label: str) -> OperationStats:
        """The stats of ``label`` (``"POST /projects"``); the KeyError lists the labels."""
        for stats in self.operations:
            if stats.operation == label:
                return stats
        raise KeyError(f"{label!r} is not one of {[s.operation for s in self.operations]}")

    def render(self) -> str:
        lines = [
            f"schemathesis: {len(self.operations)} operation(s), "
            f"{sum(s.requests for s in self.operations)} requests, seed={self.seed}, "
            f"max_examples={self.max_examples}, {self.elapsed:.1f} s"
        ]
        for stats in self.operations:
            codes = " ".join(f"{code}x{n}" for code, n in sorted(stats.statuses.items()))
            lines.append(f"  {stats.operation:<48} {stats.elapsed:5.1f} s  {codes or '-'}")
            lines.extend(f"    skipped {reason}" for reason in stats.skipped)
        if self.failures:
            lines.append(f"{len(self.failures)} failure(s):")
            lines.extend(failure.render() for failure in self.failures)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


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


class _ReadModels:
    """Read models by schema name, and their JSON Schema validators, built on first use."""

    def __init__(self, models: Mapping[str, type[BaseModel]] | None) -> None:
        self._extra = dict(models or {})
        self._models: dict[str, type[BaseModel]] | None = None
        self._validators: dict[str, Any] = {}

    def known(self, name: str) -> bool:
        if self._models is None:
            from edu_contracts.schemas import read

            canonical = {n: getattr(read, n) for n in read.__all__ if n != "ReadModel"}
            self._models = {**canonical, **self._extra}
        return name in self._models

    def errors(self, name: str, instance: Any) -> list[str]:
        if name not in self._validators:
            from jsonschema import Draft202012Validator

            assert self._models is not None
            self._validators[name] = Draft202012Validator(
                self._models[name].model_json_schema(mode="serialization"),
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        found = self._validators[name].iter_errors(instance)
        return [
            f"{''.join(f'[{p}]' if isinstance(p, int) else f'.{p}' for p in e.absolute_path)}: "
            f"{e.message}"
            for e in sorted(found, key=lambda e: [str(p) for p in e.absolute_path])
        ]

    def check(self, ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        schema = _response_schema(case.operation, response.status_code)
        content_type = (response.headers.get("content-type") or [""])[0]
        if schema is None or "json" not in content_type:
            return None
        try:
            body = response.json()
        except ValueError:
            return None  # content_type_conformance reports a body that is not JSON
        problems: list[str] = []
        names: set[str] = set()
        parts = _named_parts(schema, body, case.operation.schema.raw_schema, "$", self.known)
        for name, instance, where in parts:
            names.add(name)
            problems.extend(f"{where}{problem}" for problem in self.errors(name, instance))
        if problems:
            more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise AssertionError(
                f"body breaks the canonical {', '.join(sorted(names))} "
                f"(edu_contracts.schemas.read)\n" + "\n".join(problems[:20]) + more
            )
        return None


def read_model_check(models: Mapping[str, type[BaseModel]]) -> CheckFunction:
    """:func:`response_matches_read_model` that also maps ``models`` (schema name -> model).

    For an app whose schema names differ from the canonical ones, e.g.
    ``read_model_check({"ProjectOut": ProjectRead})``.
    """
    known = _ReadModels(models)

    def response_matches_read_model(
        ctx: CheckContext, response: Response, case: Case[Any]
    ) -> bool | None:
        return known.check(ctx, response, case)

    response_matches_read_model.__doc__ = _CHECK_DOC
    return response_matches_read_model


_CHECK_DOC = """A schemathesis check: a JSON body whose documented schema names a canonical
read model (by ``$ref`` or ``title``; in arrays, ``anyOf`` and object
properties too) must validate against that model's JSON Schema. An app's
response model can drift from the contract and its OpenAPI with it; this is
the check that notices. Register it for schemathesis' own pytest or CLI runs
with ``schemathesis.check(response_matches_read_model)``."""

_canonical = _ReadModels(None)


def response_matches_read_model(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    return _canonical.check(ctx, response, case)


response_matches_read_model.__doc__ = _CHECK_DOC


def _named_parts(
    schema: Mapping[str, Any],
    value: Any,
    root: Mapping[str, Any],
    where: str,
    known: Callable[[str], bool],
) -> Iterator[tuple[str, Any, str]]:
    """Each (read model name, value, JSON path) the documented schema puts in ``value``.

    Walks the value, not the schema, so recursive schemas end where the data
    ends. A ``$ref``'s last segment names it (FastAPI's ``-Output`` suffix
    removed), an inline schema its ``title``.
    """
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1])
        if known(name):
            yield name, value, where
        elif ref.startswith("#/"):
            target = functools.reduce(lambda node, key: node.get(key, {}), ref[2:].split("/"), root)
            if isinstance(target, Mapping) and target is not schema:
                yield from _named_parts(target, value, root, where, known)
        return
    if isinstance(schema.get("title"), str) and known(schema["title"]):
        yield schema["title"], value, where
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from _named_parts(schema["items"], item, root, f"{where}[{index}]", known)
    elif isinstance(value, dict) and isinstance(schema.get("properties"), Mapping):
        for key, sub in schema["properties"].items():
            if key in value and isinstance(sub, Mapping):
                yield from _named_parts(sub, value[key], root, f"{where}.{key}", known)
    for option in schema.get("anyOf") or schema.get("oneOf") or ():
        if value is not None and isinstance(option, Mapping) and option.get("type") != "null":
            yield from _named_parts(option, value, root, where, known)


def _response_schema(operation: Operation, status_code: int) -> Mapping[str, Any] | None:
    """The JSON schema documented for ``status_code``: exact code, then ``2XX``, then default."""
    root = operation.schema.raw_schema

    def deref(node: Any) -> Any:
        while isinstance(node, Mapping) and str(node.get("$ref", "")).startswith("#/"):
            node = functools.reduce(lambda n, k: n.get(k, {}), node["$ref"][2:].split("/"), root)
        return node

    responses = deref(operation.definition.raw.get("responses") or {})
    for key in (str(status_code), f"{str(status_code)[0]}XX", "default"):
        if key in responses:
            for media_type, content in (deref(responses[key]).get("content") or {}).items():
                if "json" in media_type and isinstance(content.get("schema"), Mapping):
                    schema: Mapping[str, Any] = content["schema"]
                    return schema
            return None
    return None


# --- running --------------------------------------------------------------------------


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


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]} [... {len(text) - limit} more chars]"
