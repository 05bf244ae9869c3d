"""``edu-contracts verify``: prove, end to end on real services, that the toolkit holds.

A newcomer's first command. It starts the embedded services, and each step
proves one promise against them; the report says what was proved and how
long it took. Steps are plain functions over a shared ``VerifyContext`` so
that later parts of the toolkit add their proof by appending to ``STEPS``.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from edu_contracts.config import EduConfig
from edu_contracts.errors import EduContractsError
from edu_contracts.services import new_run_id, running_services
from edu_contracts.services.janitor import DatabaseJanitor
from edu_contracts.workflows._context import StepResult, VerifyContext

__all__ = ["STEPS", "Step", "run_verify"]

Step = tuple[str, Callable[[VerifyContext], str]]


def _migrate(ctx: VerifyContext) -> str:
    from edu_contracts.db.migrate import compare, current, upgrade

    ctx.database_url = ctx.janitor.create("verify")
    upgrade(ctx.database_url)
    drift = compare(ctx.database_url)
    if drift:
        raise AssertionError(f"migrations and models disagree: {drift[:3]}")
    return f"migrated a fresh database to {current(ctx.database_url)}; models match it"


def _unit_vectors(rng: np.random.Generator, count: int, dim: int) -> np.ndarray[Any, Any]:
    vectors = rng.standard_normal((count, dim)).astype(np.float32)
    unit: np.ndarray[Any, Any] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


def _vector_search(ctx: VerifyContext) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from edu_contracts.db.base import EMBEDDING_DIM
    from edu_contracts.db.models import Document, DocumentSegment, Project, User
    from edu_contracts.db.models.document import HNSW_INDEX_NAME
    from edu_contracts.db.search import nearest_segments, nearest_segments_query
    from edu_contracts.schemas.enums import DocumentSourceKind

    rng = np.random.default_rng(42)
    vectors = _unit_vectors(rng, 200, EMBEDDING_DIM)
    engine = create_engine(ctx.database_url)
    try:
        with Session(engine) as session:
            user = User(email="verify@example.com")
            project = Project(user=user, name="verify")
            document = Document(
                project=project, title="verify", source_kind=DocumentSourceKind.TEXT
            )
            session.add_all([user, project, document])
            session.flush()
            # a bulk load into a 3072-d HNSW index is faster as a rebuild after it
            definition = session.execute(
                text("SELECT pg_get_indexdef(CAST(:name AS regclass))"), {"name": HNSW_INDEX_NAME}
            ).scalar_one()
            session.execute(text(f"DROP INDEX {HNSW_INDEX_NAME}"))
            session.add_all(
                DocumentSegment(
                    document=document,
                    project_id=project.id,
                    position=i,
                    content=f"segment {i}",
                    embedding_vector=vectors[i],
                    embedding_model="verify-random",
                )
                for i in range(len(vectors))
            )
            session.flush()
            session.execute(text(definition))
            session.commit()
            session.execute(text("ANALYZE document_segments"))
            target = 137
            query = vectors[target] + 0.01 * _unit_vectors(rng, 1, EMBEDDING_DIM)[0]
            # A plan the planner cannot dodge: with sequential scans and sorts
            # disabled, the only plan that orders by distance without a disabled
            # node is the HNSW index scan, and it is taken only if the query's
            # expression is the indexed one. (Left to itself, the planner rightly
            # prefers a scan and a sort on a table this small.) The search below
            # runs in the same transaction, so its answer comes through the index.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_sort = off"))
            plan_sql = nearest_segments_query(
                project_id=project.id, query_vector=query.tolist(), limit=5
            ).compile(engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(
                row[0] for row in session.execute(text(f"EXPLAIN (COSTS OFF) {plan_sql}"))
            )
            if HNSW_INDEX_NAME not in plan or "Sort" in plan:
                raise AssertionError(
                    f"the nearest-segment query cannot use the HNSW index:\n{plan}"
                )
            found = nearest_segments(session, project_id=project.id, query_vector=query, limit=5)
            if not found or found[0][0].position != target:
                raise AssertionError(f"nearest segment is not #{target}: {found[:1]}")
            total = session.scalar(text("SELECT count(*) FROM document_segments"))
            stored = session.scalar(
                text("SELECT vector_dims(embedding_vector) FROM document_segments LIMIT 1")
            )
    finally:
        engine.dispose()
    return (
        f"stored {len(vectors)} segments with {stored}-d embeddings ({total:,} in all); the "
        f"nearest to a perturbed copy of #{target} is #{target} (cosine distance "
        f"{found[0][1]:.1e}), answered by an HNSW index scan ({HNSW_INDEX_NAME}), the one plan "
        "left once sequential scans and sorts are disabled, so the query matches the index"
    )


def _queue_round_trip(ctx: VerifyContext) -> str:
    from edu_contracts.queue import TaskQueue, decode
    from edu_contracts.schemas.queue import MESSAGE_ADAPTER, TASK_TYPES

    ids = {name: str(uuid.uuid4()) for name in ("document", "project", "user")}
    samples = _sample_messages(ids)
    queue = TaskQueue.from_connection_string(
        ctx.services.azurite.connection_string, f"edu-{ctx.run_id}-verify"
    )
    with queue:
        queue.create()
        try:
            messages = [MESSAGE_ADAPTER.validate_python(samples[kind]) for kind in TASK_TYPES]
            queue.send_many(messages)
            queue.client.send_message("this is not base64 json")
            received = queue.drain()
            got = {task.message.type: task.message for task in received}
            for message in messages:
                if got.get(message.type) != message:
                    raise AssertionError(f"{message.type} did not come back equal")
            poisoned = queue.poisoned()
            if len(poisoned) != 1:
                raise AssertionError(f"expected 1 poisoned message, found {len(poisoned)}")
            seed = {"type": "document_processing", "data": {
                "document_id": ids["document"], "project_id": ids["project"],
                "user_id": ids["user"]}}  # fmt: skip
            import base64
            import json

            # the seed's promise is about the wire form: base64 of this JSON decodes
            decode(base64.b64encode(json.dumps(seed).encode()).decode())
        finally:
            queue.delete()
    return (
        f"{len(TASK_TYPES)} task kinds round-tripped through Azurite; a malformed message "
        f"went to poison ({poisoned[0].reason}); the seed example decodes"
    )


def _sample_messages(ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    generation = {"project_id": ids["project"], "user_id": ids["user"],
                  "document_ids": [ids["document"]]}  # fmt: skip
    return {
        "document_processing": {"type": "document_processing", "data": {
            "document_id": ids["document"], "project_id": ids["project"],
            "user_id": ids["user"]}},
        "document_deletion": {"type": "document_deletion", "data": {
            "document_id": ids["document"], "project_id": ids["project"],
            "user_id": ids["user"]}},
        "flashcard_generation": {"type": "flashcard_generation", "data": generation},
        "quiz_generation": {"type": "quiz_generation", "data": generation},
        "note_generation": {"type": "note_generation", "data": generation},
        "mind_map_generation": {"type": "mind_map_generation", "data": generation},
    }  # fmt: skip


def _contract_lock(ctx: VerifyContext) -> str:
    from edu_contracts.registry import PACKAGED_CONTRACTS, default_store, verify_lock

    problems = verify_lock(PACKAGED_CONTRACTS)
    if problems:
        listing = ", ".join(f"{p.path} ({p.problem})" for p in problems[:5])
        raise AssertionError(f"released contract files differ from the lock: {listing}")
    versions = [str(v) for v in default_store().versions()]
    return f"released contracts {', '.join(versions) or '(none)'} match their lock file"


def _contract_check(ctx: VerifyContext) -> str:
    from edu_contracts.registry import check, latest_version

    result = check()
    if not result.compatible:
        broken = [s.subject for s in result.subjects if not s.compatible]
        raise AssertionError(f"the code breaks release {result.baseline}: {', '.join(broken)}")
    return (
        f"current models and messages are compatible with release {latest_version()} "
        f"({len(result.subjects)} subjects, each under its configured mode)"
    )


def _seed_demo(ctx: VerifyContext) -> str:
    from edu_contracts.workflows._flow import seed_demo

    return seed_demo(ctx)


def _producer_consumer(ctx: VerifyContext) -> str:
    from edu_contracts.workflows._flow import producer_consumer

    return producer_consumer(ctx)


class _Skipped(Exception):
    """A step that cannot run in this installation; reported, not failed."""


STEPS: list[Step] = [
    ("contract lock", _contract_lock),
    ("contract check", _contract_check),
    ("migrations", _migrate),
    ("seed demo", _seed_demo),
    ("vector search", _vector_search),
    ("queue round trip", _queue_round_trip),
    ("producer -> consumer", _producer_consumer),
]


@contextlib.contextmanager
def _context(config: EduConfig) -> Iterator[VerifyContext]:

    run_id = new_run_id()
    with running_services(config) as services:
        services.prestart(postgres=True, azurite=True)  # both at once, waited for apart
        janitor = DatabaseJanitor(services.postgres, run_id)
        try:
            yield VerifyContext(services=services, janitor=janitor, run_id=run_id)
        finally:
            janitor.drop_all(on_error=lambda name, exc: None)


def run_verify(
    config: EduConfig | None = None,
    on_step: Callable[[StepResult], None] | None = None,
) -> list[StepResult]:
    """Run every step; a failing step is reported and the rest still run."""
    results: list[StepResult] = []
    started = time.perf_counter()
    with _context(config or EduConfig()) as ctx:
        results.append(
            StepResult(
                "services",
                True,
                f"Postgres at {ctx.services.postgres.host}:{ctx.services.postgres.port}, Azurite "
                f"at {ctx.services.azurite.queue_endpoint} ({ctx.services.backend})",
                time.perf_counter() - started,
            )
        )
        if on_step:
            on_step(results[-1])
        for name, step in STEPS:
            t0 = time.perf_counter()
            skipped = False
            try:
                detail, ok = step(ctx), True
            except _Skipped as exc:
                detail, ok, skipped = str(exc), True, True
            except (EduContractsError, AssertionError) as exc:
                detail, ok = str(exc), False
            results.append(StepResult(name, ok, detail, time.perf_counter() - t0, skipped))
            if on_step:
                on_step(results[-1])
    return results
