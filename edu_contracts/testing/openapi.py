"""Fuzz a producer's HTTP API with schemathesis, in process, on the test's database.

A service's own tests send the requests its authors thought of; schemathesis
sends the ones they did not (NUL bytes, huge numbers, missing fields). And a
FastAPI app's OpenAPI only proves that responses match *the app's* models:
:func:`response_matches_read_model` adds the contract side, so a body that
claims to be ``ProjectRead`` must also validate against edu-contracts'
``ProjectRead`` and an app that drops or retypes a field is caught even when
its own OpenAPI agrees with it. ::

    def test_api_survives_fuzzing(edu_sessionmaker, edu_session, edu_factories, ...):
        user = edu_factories.user(projects=2)
        app = create_app(edu_sessionmaker, ...)     # the app commits into a savepoint
        run_openapi_checks(
            app,
            path_parameters=path_parameters_from_rows(edu_session),
            headers={"X-User-Id": str(user.id)},
        )

Build the app on the plugin's ``edu_sessionmaker``: its sessions join the
test's rolled-back transaction, so whatever the fuzzer creates disappears
with the test. Path parameters come from rows that exist, so requests reach
real handlers instead of stopping at a 404.
"""

from __future__ import annotations

import re
import sysconfig
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from edu_contracts.errors import EduContractsError, MissingDependencyError

if TYPE_CHECKING:
    import requests
    from pydantic import BaseModel
    from schemathesis import APIOperation, Case, CheckContext, CheckFunction, Response
    from sqlalchemy.orm import Session

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
"""What a response must satisfy. Checks that send extra requests of their own
(``use_after_free``, ``unsupported_method``...) are left out: they need
schemathesis' stateful engine and double the run time."""

_MAX_DISTINCT_PER_CHECK = 3
_MESSAGE_LIMIT = 2_000
_CURL_LIMIT = 600


class OpenApiCheckError(EduContractsError, AssertionError):
    """Schemathesis found failures; an AssertionError so pytest shows a failed test.

    ``report`` holds every operation's counts and failures, for tools that
    want more than the rendered text.
    """

    def __init__(self, report: OpenApiReport) -> None:
        self.report = report
        labels = sorted({f.operation for f in report.failures})
        super().__init__(
            report.render(),
            where=", ".join(labels),
            fix=(
                "reproduce each failure with its curl command (the host is the in-process app), "
                f"fix the handler or its response model, and rerun with seed={report.seed}"
            ),
        )


@dataclass(frozen=True)
class OpenApiFailure:
    """One distinct way an operation failed a check, with how often it happened."""

    operation: str
    check: str
    title: str
    message: str
    status_code: int | None
    mode: str
    reproduce: str
    count: int = 1

    def render(self) -> str:
        message = _shorten(self.message.strip(), _MESSAGE_LIMIT)
        status = f" -> {self.status_code}" if self.status_code is not None else ""
        lines = [
            f"{self.operation} [{self.check}] {self.title}{status}"
            f" ({self.count}x, {self.mode} data)",
            *("    " + line for line in message.splitlines()),
            f"    reproduce: {self.reproduce}",
        ]
        return "\n".join(lines)


@dataclass
class OperationStats:
    """How one operation answered: which statuses, how many times, and what was skipped."""

    operation: str
    statuses: Counter[int] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def reached(self, low: int, high: int | None = None) -> bool:
        """Whether any answer's status lies in ``[low, high]`` (``high`` defaults to ``low``)."""
        top = low if high is None else high
        return any(low <= code <= top for code in self.statuses)


@dataclass(frozen=True)
class OpenApiReport:
    """The outcome of :func:`run_openapi_checks`; ``ok`` when nothing failed."""

    seed: int
    max_examples: int
    elapsed: float
    operations: tuple[OperationStats, ...]
    failures: tuple[OpenApiFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    def operation(self, label: str) -> OperationStats:
        """The stats of ``label`` (``"POST /projects"``); KeyError names the labels there are."""
        for stats in self.operations:
            if stats.operation == label:
                return stats
        raise KeyError(f"{label!r} is not one of {[s.operation for s in self.operations]}")

    def render(self) -> str:
        requests = sum(s.requests for s in self.operations)
        head = (
            f"schemathesis: {len(self.operations)} operation(s), {requests} requests, "
            f"seed={self.seed}, max_examples={self.max_examples}, {self.elapsed:.1f} s"
        )
        lines = [head]
        for stats in self.operations:
            codes = " ".join(f"{code}x{n}" for code, n in sorted(stats.statuses.items()))
            lines.append(
                f"  {stats.operation:<48} {stats.elapsed:5.1f} s  {codes or 'no requests'}"
            )
            lines.extend(f"    skipped: {reason}" for reason in stats.skipped)
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
    read_models: Mapping[str, type[BaseModel]] | None = None,
    schema_path: str = "/openapi.json",
    raise_on_failure: bool = True,
) -> OpenApiReport:
    """Fuzz every operation of the ASGI ``app`` and check each response.

    Each operation gets ``max_examples`` generated requests that fit its
    schema and, with ``negative``, as many that break it. ``headers`` are
    sent unchanged with every request (the caller's identity), and path
    parameters are drawn from ``path_parameters`` so requests reach rows that
    exist; add an id that does not exist to the list to reach the 404 branch
    too. Failures are collected, not shrunk: one run shows every distinct
    problem, each with a curl command that reproduces it. The same ``seed``
    sends the same requests; an operation's seed depends only on its label,
    so adding an operation leaves the others' requests unchanged.

    ``operations`` limits the run to those labels (``"POST /projects"``).
    ``read_models`` adds or replaces schema-name-to-model mappings for
    :func:`response_matches_read_model` (the canonical read models are the
    default). Raises :class:`OpenApiCheckError` on failures unless
    ``raise_on_failure`` is false.
    """
    schemathesis = _require_schemathesis()
    from schemathesis.generation import GenerationMode
    from schemathesis.python import asgi

    started = time.perf_counter()
    schema = schemathesis.openapi.from_asgi(schema_path, app, config=schemathesis.Config())
    functions = _resolve_checks(checks, read_models)
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    recorder = _Recorder()
    all_stats: list[OperationStats] = []
    try:
        with asgi.get_client(app) as client:
            for operation in _operations(schema, operations):
                stats = OperationStats(operation.label)
                all_stats.append(stats)
                values = _values_for(path_parameters, operation)
                operation_started = time.perf_counter()
                for mode in modes:

                    def exercise(
                        case: Case[Any], mode_name: str = mode.value, stats: OperationStats = stats
                    ) -> None:
                        _exercise(case, client, functions, stats, recorder, mode_name)

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
    if raise_on_failure and not report.ok:
        raise OpenApiCheckError(report)
    return report


def path_parameters_from_rows(session: Session, *, limit: int = 10) -> dict[str, list[str]]:
    """Ids of rows the session can see, named by convention: ``Project`` -> ``project_id``.

    Seed with the factories first; every canonical table that has rows gives
    its first ``limit`` ids (ordered, so the same seed gives the same list).
    Merge in other names an app uses (``{**found, "segment_id": ...}``).
    """
    import sqlalchemy as sa

    from edu_contracts.db import models

    found: dict[str, list[str]] = {}
    for name in models.__all__:
        model = getattr(models, name)
        ids = session.scalars(sa.select(model.id).order_by(model.id).limit(limit)).all()
        if ids:
            found[_snake(name) + "_id"] = [str(i) for i in ids]
    return found


# --- the read-model check -----------------------------------------------------------


class _ReadModels:
    """Validators for read models by schema name, built on first use (pydantic is heavy)."""

    def __init__(self, models: Mapping[str, type[BaseModel]] | None) -> None:
        self._extra = dict(models or {})
        self._models: dict[str, type[BaseModel]] | None = None
        self._validators: dict[str, Any] = {}

    def model(self, name: str) -> type[BaseModel] | None:
        if self._models is None:
            from edu_contracts.schemas import read

            canonical = {n: getattr(read, n) for n in read.__all__ if n != "ReadModel"}
            self._models = {**canonical, **self._extra}
        return self._models.get(name)

    def errors(self, name: str, instance: Any) -> list[str]:
        validator = self._validators.get(name)
        if validator is None:
            from jsonschema import Draft202012Validator

            model = self.model(name)
            assert model is not None
            validator = Draft202012Validator(
                model.model_json_schema(mode="serialization"),
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            self._validators[name] = validator
        return [
            f"{_json_path(error.absolute_path)}: {error.message}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        ]

    def check(self, ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        schema = _response_schema(case.operation, response.status_code)
        if schema is None or not _is_json(response):
            return None
        try:
            body = response.json()
        except ValueError:
            return None  # content_type_conformance reports a body that is not JSON
        root = case.operation.schema.raw_schema
        problems: list[str] = []
        names: set[str] = set()
        for name, instance, where in _named_parts(schema, body, root, "$"):
            if self.model(name) is None:
                continue
            names.add(name)
            problems.extend(f"{where}{problem}" for problem in self.errors(name, instance))
        if problems:
            shown = "\n".join(problems[:20])
            more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise AssertionError(
                f"body breaks the canonical {', '.join(sorted(names))} "
                f"(edu_contracts.schemas.read)\n{shown}{more}"
            )
        return None


def read_model_check(models: Mapping[str, type[BaseModel]] | None = None) -> CheckFunction:
    """A :func:`response_matches_read_model` that also knows ``models`` (schema name -> model).

    Use it when an app names its response schemas differently from the
    canonical read models, e.g. ``{"ProjectOut": ProjectRead}``.
    """
    models_ = _ReadModels(models)

    def response_matches_read_model(
        ctx: CheckContext, response: Response, case: Case[Any]
    ) -> bool | None:
        return models_.check(ctx, response, case)

    response_matches_read_model.__doc__ = _CHECK_DOC
    return response_matches_read_model


_CHECK_DOC = """A schemathesis check: a JSON body whose documented schema is a canonical read
model (by ``$ref`` name or ``title``, also as array items or in ``anyOf``) must
validate against that model's JSON Schema, not only against the app's own
OpenAPI. An app's response model can drift from the contract while its
OpenAPI drifts with it; this is the check that notices.

Register it for schemathesis' own pytest or CLI runs with
``schemathesis.check(response_matches_read_model)``."""

_default_models = _ReadModels(None)


def response_matches_read_model(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    return _default_models.check(ctx, response, case)


response_matches_read_model.__doc__ = _CHECK_DOC


# --- running --------------------------------------------------------------------------


class _Recorder:
    """Distinct failures by (operation, check, title, headline), each with a count,
    capped per check so one noisy check cannot bury the others."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str, str], OpenApiFailure] = {}
        self._counts: Counter[tuple[str, str, str, str]] = Counter()

    def add(self, failure: OpenApiFailure, *, same_as: str | None = None) -> None:
        """Count ``failure``; ``same_as`` overrides what makes two failures one
        (by default the first line of the message)."""
        headline = same_as or failure.message.strip().split("\n", 1)[0][:200]
        key = (failure.operation, failure.check, failure.title, headline)
        self._counts[key] += 1
        if key in self._seen:
            return
        same_check = [k for k in self._seen if k[:2] == key[:2]]
        if len(same_check) >= _MAX_DISTINCT_PER_CHECK:
            self._counts[same_check[-1]] += 1
            self._counts[key] -= 1
            return
        self._seen[key] = failure

    def failures(self) -> tuple[OpenApiFailure, ...]:
        return tuple(
            OpenApiFailure(**{**f.__dict__, "count": self._counts[k]})
            for k, f in self._seen.items()
        )


def _exercise(
    case: Case[Any],
    client: requests.Session,
    checks: Sequence[CheckFunction],
    stats: OperationStats,
    recorder: _Recorder,
    mode: str,
) -> None:
    from schemathesis.errors import FailureGroup

    label = case.operation.label
    try:
        response = case.call(session=client)
    except Exception as exc:
        # The app raised instead of answering: a server error with no response.
        # One place in the code is one bug, whatever values reached it.
        stats.statuses[500] += 1
        origin = _origin(exc)
        recorder.add(
            OpenApiFailure(
                operation=label,
                check="not_a_server_error",
                title=f"Unhandled {type(exc).__name__}",
                message=f"{_shorten(str(exc).split(chr(10))[0], 500)}\n{origin}",
                status_code=500,
                mode=mode,
                reproduce=_curl(case),
            ),
            same_as=origin,
        )
        return
    stats.statuses[response.status_code] += 1
    for check in checks:
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            for failure in group.exceptions:
                recorder.add(
                    OpenApiFailure(
                        operation=label,
                        check=check.__name__,
                        title=failure.title,
                        message=failure.message,
                        status_code=response.status_code,
                        mode=mode,
                        reproduce=_curl(case),
                    )
                )


def _explore(
    operation: APIOperation[Any, Any, Any, Any],
    mode: Any,
    values: Mapping[str, Sequence[Any]],
    headers: Mapping[str, str] | None,
    max_examples: int,
    seed: int,
    exercise: Callable[[Case[Any]], None],
    stats: OperationStats,
) -> None:
    """Run hypothesis over one operation in one mode, without shrinking or a database.

    Failures are recorded, never raised, so hypothesis neither shrinks (slow)
    nor stops at the first problem; ``database=None`` keeps runs identical
    and writes no ``.hypothesis`` folder into the service repo.
    """
    import hypothesis
    from hypothesis import strategies as st
    from schemathesis.errors import SchemathesisError

    fixed_headers = dict(headers or {})
    names = sorted(values)
    cache: dict[tuple[Any, ...], Any] = {}

    def for_parameters(chosen: tuple[Any, ...]) -> Any:
        # One strategy per combination of ids: building one costs milliseconds.
        if chosen not in cache:
            cache[chosen] = operation.as_strategy(
                mode, path_parameters=dict(zip(names, chosen, strict=True)), headers=fixed_headers
            )
        return cache[chosen]

    strategy = st.tuples(*(st.sampled_from(list(values[n])) for n in names)).flatmap(for_parameters)
    operation_seed = seed * 1_000_003 + zlib.crc32(f"{operation.label} {mode.value}".encode())

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )
    @hypothesis.seed(operation_seed)
    @hypothesis.given(strategy)
    def explore(case: Case[Any]) -> None:
        exercise(case)

    try:
        explore()
    except (hypothesis.errors.Unsatisfiable, SchemathesisError) as exc:
        stats.skipped.append(f"{mode.value} data: {type(exc).__name__}: {exc}".splitlines()[0])


def _operations(
    schema: Any, wanted: Collection[str] | None
) -> Iterator[APIOperation[Any, Any, Any, Any]]:
    from schemathesis.errors import InvalidSchema

    labels: list[str] = []
    for result in schema.get_all_operations():
        try:
            operation = result.ok()
        except InvalidSchema as exc:
            raise EduContractsError(
                f"the app's OpenAPI has an invalid operation: {exc}",
                fix="fix the route's declaration; schemathesis cannot generate requests for it",
            ) from exc
        labels.append(operation.label)
        if wanted is None or operation.label in wanted:
            yield operation
    unknown = sorted(set(wanted or ()) - set(labels))
    if unknown:
        raise EduContractsError(
            f"no operation {', '.join(unknown)} in the app's OpenAPI",
            fix=f"use labels as schemathesis writes them: {', '.join(labels)}",
        )


def _values_for(
    given: PathParameters | None, operation: APIOperation[Any, Any, Any, Any]
) -> dict[str, list[Any]]:
    if given is None:
        return {}
    mapping = given(operation.label) if callable(given) else given
    declared = {p.name for p in operation.path_parameters}
    values: dict[str, list[Any]] = {}
    for name, options in mapping.items():
        if name not in declared:
            continue
        listed = [v if isinstance(v, str | int | float) else str(v) for v in options]
        if not listed:
            raise EduContractsError(
                f"no values for path parameter {name!r}",
                where=operation.label,
                fix="seed rows first (edu_factories) or leave the name out to let it be generated",
            )
        values[name] = listed
    return values


def _resolve_checks(
    checks: Sequence[str | CheckFunction], read_models: Mapping[str, type[BaseModel]] | None
) -> list[CheckFunction]:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    registered = {f.__name__: f for f in CHECKS.get_all() if not isinstance(f, type)}
    resolved: list[CheckFunction] = []
    for check in checks:
        if not isinstance(check, str):
            resolved.append(check)
        elif check == "response_matches_read_model":
            resolved.append(
                read_model_check(read_models) if read_models else response_matches_read_model
            )
        elif check in registered:
            resolved.append(registered[check])
        else:
            raise EduContractsError(
                f"unknown check {check!r}",
                fix=f"use one of {', '.join(sorted([*registered, 'response_matches_read_model']))}",
            )
    return resolved


def _require_schemathesis() -> Any:
    try:
        import schemathesis
    except ImportError as exc:
        raise MissingDependencyError(
            "fuzzing an OpenAPI app needs schemathesis, which is not installed",
            where="edu_contracts.testing.openapi",
            fix='pip install "schemathesis>=4.3" (in the service\'s test dependencies)',
        ) from exc
    return schemathesis


# --- schema helpers ------------------------------------------------------------------


def _response_schema(
    operation: APIOperation[Any, Any, Any, Any], status_code: int
) -> dict[str, Any] | None:
    """The JSON schema documented for ``status_code``: exact code, then ``2XX``, then default."""
    root = operation.schema.raw_schema
    responses = _deref(operation.definition.raw.get("responses") or {}, root)
    for key in (str(status_code), f"{str(status_code)[0]}XX", "default"):
        if key in responses:
            response = _deref(responses[key], root)
            for media_type, content in (response.get("content") or {}).items():
                if "json" in media_type and "schema" in content:
                    schema: dict[str, Any] = content["schema"]
                    return schema
            return None
    return None


def _named_parts(
    schema: Mapping[str, Any], value: Any, root: Mapping[str, Any], where: str
) -> Iterator[tuple[str, Any, str]]:
    """Every (schema name, value, JSON path) pair the documented schema names.

    A ``$ref`` gives its last segment (FastAPI's ``-Output`` suffix removed),
    an inline schema its ``title``; arrays and ``anyOf``/``oneOf`` are followed.
    """
    ref = schema.get("$ref")
    if isinstance(ref, str):
        yield re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1]), value, where
        return
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from _named_parts(schema["items"], item, root, f"{where}[{index}]")
        return
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list) and value is not None:
        for alternative in alternatives:
            if isinstance(alternative, Mapping) and alternative.get("type") != "null":
                yield from _named_parts(alternative, value, root, where)
        return
    if isinstance(schema.get("title"), str) and isinstance(value, dict):
        yield schema["title"], value, where


def _deref(node: Any, root: Mapping[str, Any]) -> Any:
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node = target
    return node


def _is_json(response: Response) -> bool:
    content_type = (response.headers.get("content-type") or [""])[0]
    return "json" in content_type.lower()


def _json_path(path: Iterator[Any] | Sequence[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _curl(case: Case[Any]) -> str:
    try:
        return _shorten(str(case.as_curl_command()), _CURL_LIMIT)
    except Exception as exc:  # a malformed case cannot always be printed
        return f"(no curl command: {exc})"


def _origin(exc: BaseException) -> str:
    """The last frames outside installed packages: the app's own code, where to look."""
    frames = traceback.extract_tb(exc.__traceback__)
    installed = {
        sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")
    }
    own = [f for f in frames if not f.filename.startswith(tuple(installed))] or frames
    path = " -> ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in own[-3:])
    return f"raised in {path or 'an unknown place'}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]} [... {len(text) - limit} more chars]"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
