"""run_openapi_checks: the example API survives it, and broken apps do not.

The broken apps are copies of the example made in a temporary folder, each
with one fault a reviewer could miss: a response model that drops a field
or changes its type (the app's own OpenAPI agrees, so only the read-model
check can notice) or one that cannot serialize its rows (a 500). Small
FastAPI apps without a database cover the check's reach into nested bodies,
determinism and the errors that tell the fix.

The example is an async app driven by schemathesis' in-process client on
an event loop of its own, so its sessions cannot share the test's
connection: the tests run under ``edu_isolation("database")``, a database
of their own cloned from the template and dropped afterwards.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from edu_contracts.db.models import Project
from edu_contracts.errors import EduContractsError, MissingDependencyError
from edu_contracts.factories import Factories
from edu_contracts.schemas.read import ProjectRead
from edu_contracts.services import AzuriteInfo
from edu_contracts.testing.openapi import (
    OpenApiCheckError,
    OpenApiReport,
    path_parameters_from_rows,
    read_model_check,
    run_openapi_checks,
)
from edu_contracts.testing.queues import EduQueue

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "edu-api"
SEARCH = "POST /projects/{project_id}/search"

AppFactory = Callable[[ModuleType], FastAPI]

pytestmark = pytest.mark.edu_isolation("database")


@pytest.fixture
def caller(edu_factories: Factories) -> Any:
    """An active user with a processed project, a pending one, and a stranger's project."""
    user = edu_factories.user(projects=0, is_active=True)
    ready = edu_factories.project(user=user, documents=0)
    edu_factories.document(project=ready, segments=2)
    edu_factories.document(project=ready, status="pending", text="Not processed yet.")
    edu_factories.project(user=user, documents=0)
    edu_factories.project(documents=1)
    return user


@pytest.fixture
def build_app(
    edu_async_sessionmaker: async_sessionmaker[AsyncSession],
    edu_azurite: AzuriteInfo,
    edu_queue: EduQueue,
    tmp_path: Path,
) -> Iterator[AppFactory]:
    """``build(package)``: the package's ``create_app`` on this test's database and queue."""
    from edu_contracts.queue import TaskQueue

    with TaskQueue.from_connection_string(edu_azurite.connection_string, edu_queue.name) as queue:

        def build(package: ModuleType) -> FastAPI:
            app_module = importlib.import_module(f"{package.__name__}.app")
            storage = importlib.import_module(f"{package.__name__}.storage")
            store = storage.LocalDocumentStore(tmp_path / "documents")
            app: FastAPI = app_module.create_app(edu_async_sessionmaker, queue, store=store)
            return app

        yield build


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    if not (EXAMPLE / "edu_api").is_dir():
        pytest.skip("examples/edu-api is not in this checkout")
    monkeypatch.syspath_prepend(str(EXAMPLE))
    return importlib.import_module("edu_api")


def _fuzz(app: FastAPI, session: Session, user: Any, **options: Any) -> OpenApiReport:
    return run_openapi_checks(
        app,
        path_parameters=path_parameters_from_rows(session),
        headers={"X-User-Id": str(user.id)},
        **options,
    )


# --- the example API ------------------------------------------------------------------


def test_example_api_has_no_failures(
    example: ModuleType, build_app: AppFactory, edu_session: Session, caller: Any
) -> None:
    app = build_app(example)
    labels = [f"{m.upper()} {p}" for p, item in app.openapi()["paths"].items() for m in item]
    report = _fuzz(app, edu_session, caller, operations=[x for x in labels if x != SEARCH])
    assert report.ok
    for stats in report.operations:
        # Seeded ids took requests past parsing, the caller and ownership checks.
        assert set(stats.statuses) - {400, 401, 404, 422}, report.render()
    assert set(report.operation("POST /projects/{project_id}/generate/quiz").statuses) >= {202}


def test_example_search_has_no_failures(
    example: ModuleType, build_app: AppFactory, edu_session: Session, caller: Any
) -> None:
    _fuzz(build_app(example), edu_session, caller, operations=[SEARCH], max_examples=4)


def test_fuzzed_writes_are_rolled_back(
    example: ModuleType,
    build_app: AppFactory,
    edu_session: Session,
    edu_engine: Engine,
    caller: Any,
) -> None:
    count = select(func.count()).select_from(Project)
    before = edu_session.scalar(count)
    report = _fuzz(build_app(example), edu_session, caller, operations=["POST /projects"])
    created = report.operation("POST /projects").statuses[201]
    assert created > 0
    assert edu_session.scalar(count) == before + created  # committed, in the test's database
    with edu_engine.connect() as outside:
        assert outside.scalar(count) == 0  # and never in the worker's shared one


# --- broken copies of the example -----------------------------------------------------

BROKEN_MODELS = {
    "drops_a_field": """
        class ProjectRead(BaseModel):  # updated_at dropped
            model_config = ConfigDict(from_attributes=True)
            id: uuid.UUID
            created_at: dt.datetime
            user_id: uuid.UUID
            name: str
            description: str | None
    """,
    "changes_a_type": """
        class ProjectRead(BaseModel):  # created_at as a Unix timestamp
            model_config = ConfigDict(from_attributes=True)
            id: uuid.UUID
            created_at: float
            updated_at: dt.datetime
            user_id: uuid.UUID
            name: str
            description: str | None

            @field_validator("created_at", mode="before")
            @classmethod
            def _timestamp(cls, value: dt.datetime) -> float:
                return value.timestamp()
    """,
    "cannot_serialize": """
        class ProjectRead(BaseModel):  # name as an int: every response fails validation
            model_config = ConfigDict(from_attributes=True)
            id: uuid.UUID
            name: int
    """,
}


def _broken_copy(root: Path, variant: str) -> ModuleType:
    """The example package copied as ``broken_<variant>``, its ``ProjectRead`` replaced.

    Only the import of the read models is rewritten, so the copy follows the
    example as it evolves; every other read model is still the canonical one.
    """
    name = f"broken_{variant}"
    shutil.copytree(EXAMPLE / "edu_api", root / name)
    for path in (root / name).glob("*.py"):
        text = path.read_text().replace("edu_api.", f"{name}.")
        text = text.replace("edu_contracts.schemas.read import", f"{name}._read import")
        path.write_text(text)
    assert "_read import" in (root / name / "app.py").read_text(), "the example moved its import"
    header = """
        import datetime as dt
        import uuid
        from pydantic import BaseModel, ConfigDict, field_validator
        from edu_contracts.schemas.read import *  # noqa: F403
    """
    body = textwrap.dedent(header) + textwrap.dedent(BROKEN_MODELS[variant])
    (root / name / "_read.py").write_text(body)
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(root))


@pytest.mark.parametrize(
    ("variant", "check", "says"),
    [
        ("drops_a_field", "response_matches_read_model", "'updated_at' is a required property"),
        ("changes_a_type", "response_matches_read_model", "$.created_at: "),
        ("cannot_serialize", "not_a_server_error", "Unhandled ResponseValidationError"),
    ],
)
def test_a_broken_response_model_is_caught(
    example: ModuleType,
    build_app: AppFactory,
    edu_session: Session,
    caller: Any,
    tmp_path: Path,
    variant: str,
    check: str,
    says: str,
) -> None:
    app = build_app(_broken_copy(tmp_path, variant))
    with pytest.raises(OpenApiCheckError) as caught:
        _fuzz(app, edu_session, caller, operations=["POST /projects"], max_examples=5)
    text = str(caught.value)
    assert f"POST /projects [{check}]" in text
    assert says in text
    assert "reproduce: curl -X POST" in text
    failures = caught.value.report.failures
    assert {f.check for f in failures} == {check}, text  # the app's own OpenAPI agrees
    assert all(f.operation == "POST /projects" and f.status_code in (201, 500) for f in failures)


# --- small apps, no database --------------------------------------------------------------


def _drifted_app() -> FastAPI:
    """An app whose ``ProjectRead`` lacks fields, returned bare, paged and optional."""

    class ProjectRead(BaseModel):  # same name as the canonical model, fewer fields
        id: uuid.UUID
        name: str

    class Page(BaseModel):
        items: list[ProjectRead]
        total: int

    app = FastAPI()
    row = ProjectRead(id=uuid.UUID(int=1), name="Physics")

    @app.get("/projects/{project_id}", response_model=ProjectRead)
    def one(project_id: uuid.UUID) -> ProjectRead:
        return row

    @app.get("/pages", response_model=Page)
    def page() -> Page:
        return Page(items=[row], total=1)

    @app.get("/maybe", response_model=ProjectRead | None)
    def maybe() -> ProjectRead | None:
        return row

    return app


@pytest.mark.parametrize(
    ("operation", "where"),
    [
        ("GET /projects/{project_id}", "$: 'user_id'"),
        ("GET /pages", "$.items[0]: 'user_id'"),
        ("GET /maybe", "$: 'user_id'"),
    ],
)
def test_read_model_check_reaches_nested_bodies(operation: str, where: str) -> None:
    with pytest.raises(OpenApiCheckError) as caught:
        run_openapi_checks(_drifted_app(), operations=[operation], max_examples=2, negative=False)
    (failure,) = caught.value.report.failures
    assert failure.check == "response_matches_read_model"
    assert where in failure.message
    assert failure.title.startswith("body breaks the canonical ProjectRead")


def test_read_model_check_maps_other_schema_names() -> None:
    app = FastAPI()

    class ProjectOut(BaseModel):
        id: uuid.UUID

    @app.get("/project", response_model=ProjectOut)
    def one() -> ProjectOut:
        return ProjectOut(id=uuid.UUID(int=1))

    run_openapi_checks(app, max_examples=1, negative=False)  # unknown name: not checked
    check = read_model_check({"ProjectOut": ProjectRead})
    with pytest.raises(OpenApiCheckError, match="canonical ProjectOut"):
        run_openapi_checks(app, max_examples=1, negative=False, checks=[check])


def _fragile_app(seen: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def item(item_id: str, n: int = 0) -> dict[str, int]:
        seen.append(item_id)
        if n > 1000:
            raise RuntimeError("n is too big")
        if n < -1000:
            raise HTTPException(500, "n is too small")
        return {"n": n}

    return app


def test_same_seed_same_requests_and_ids_come_from_the_given_values() -> None:
    runs: list[tuple[list[str], str]] = []
    for _ in range(2):
        seen: list[str] = []
        with pytest.raises(OpenApiCheckError) as caught:
            run_openapi_checks(
                _fragile_app(seen),
                path_parameters=lambda label: {"item_id": ["a", "b"], "unused": ["x"]},
                max_examples=40,
                seed=7,
            )
        runs.append((seen, "\n".join(f.render() for f in caught.value.report.failures)))
    assert runs[0] == runs[1]
    assert set(runs[0][0]) == {"a", "b"}
    failures = runs[0][1]
    assert "[not_a_server_error] Unhandled RuntimeError -> 500" in failures
    assert "raised at test_openapi.py:" in failures  # the app's own line, not the framework's


def test_unknown_operation_and_check_say_what_exists() -> None:
    app = _fragile_app([])
    with pytest.raises(EduContractsError, match=r"GET /items/\{item_id\}"):
        run_openapi_checks(app, operations=["GET /item"])
    with pytest.raises(EduContractsError, match="not_a_server_error"):
        run_openapi_checks(app, checks=["not_a_server_eror"])


def test_missing_schemathesis_tells_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "schemathesis", None)
    with pytest.raises(MissingDependencyError, match=r"pip install \"schemathesis>=4.3\"") as e:
        run_openapi_checks(FastAPI())
    assert isinstance(e.value, ImportError)


def test_importing_the_helper_stays_cheap() -> None:
    code = (
        "import sys, edu_contracts.testing.openapi\n"
        "heavy = {'schemathesis', 'fastapi', 'hypothesis', 'sqlalchemy', 'pydantic'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
