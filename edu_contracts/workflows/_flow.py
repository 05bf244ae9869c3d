"""The producer -> queue -> consumer proof of ``edu-contracts verify``.

It drives the two example services of this repository (``examples/``) the
way their own CI does: the producer's API, called in-process, stores rows
and sends tasks; every message it sent is recorded and checked against the
pinned contract (can-i-deploy on the recording); the consumer's handler
then processes them against the same Postgres and Azurite, and the result
is read back through the nearest-segment search.

The examples ship with the repository, not the wheel: installed from a
wheel, the step says so instead of pretending.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edu_contracts.workflows._context import VerifyContext

__all__ = ["DOCUMENT_TEXT", "EXAMPLES", "ExamplesMissing", "producer_consumer", "seed_demo"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_TOPICS = {
    "light": "The light reactions happen on the thylakoid membranes. Chlorophyll absorbs "
    "photons, water is split, oxygen is released, and the energy is stored as ATP and NADPH. ",
    "calvin": "The Calvin cycle runs in the stroma of the chloroplast. The enzyme rubisco fixes "
    "carbon dioxide, and ATP and NADPH from the light reactions reduce it to sugar. ",
    "respiration": "Cellular respiration happens in the mitochondria. Glycolysis, the citric "
    "acid cycle and oxidative phosphorylation release the energy stored in glucose. ",
    "osmosis": "Osmosis moves water across a semipermeable membrane from low to high solute "
    "concentration, which is why plant cells stay turgid and animal cells can burst. ",
}
# each topic repeated to about one segment's length, so the worker makes one per topic
DOCUMENT_TEXT = "\n\n".join(text * 4 for text in _TOPICS.values())


class ExamplesMissing(Exception):
    """Raised when the example services are not beside the package (wheel install)."""


def seed_demo(ctx: VerifyContext) -> str:
    from edu_contracts.seed.scenario import load_scenario
    from edu_contracts.seed.seeding import seed_database

    stats = seed_database(ctx.database_url, load_scenario("demo"), seed=42)
    segments = stats.rows.get("document_segments", 0)
    return (
        f"seeded the demo scenario (seed 42): {stats.total:,} rows in {len(stats.rows)} tables, "
        f"{segments:,} segments, in {stats.seconds:.1f} s"
    )


def _import_examples() -> tuple[Any, Any]:
    roots = [EXAMPLES / "edu-api", EXAMPLES / "edu-worker"]
    if not all((root / "pyproject.toml").exists() for root in roots):
        raise ExamplesMissing(str(EXAMPLES))
    for root in roots:
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    import edu_api.app
    import edu_worker.worker

    return edu_api, edu_worker


def producer_consumer(ctx: VerifyContext) -> str:
    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine, select
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import NullPool

    from edu_contracts.db.models import Document, User
    from edu_contracts.db.search import nearest_segments
    from edu_contracts.queue import TaskQueue
    from edu_contracts.registry import latest_version
    from edu_contracts.workflows.deploy import can_i_deploy
    from edu_contracts.workflows.recording import record_line

    edu_api, edu_worker = _import_examples()
    from edu_api.storage import LocalDocumentStore as ApiStore
    from edu_worker.embedder import HashEmbedder
    from edu_worker.sources import LocalDocumentStore as WorkerStore

    engine = create_engine(ctx.database_url)
    queue = TaskQueue.from_connection_string(
        ctx.services.azurite.connection_string, f"edu-{ctx.run_id}-flow"
    )
    with tempfile.TemporaryDirectory(prefix="edu-contracts-verify-") as store_dir, queue:
        queue.create()
        try:
            with Session(engine) as session:
                user = User(email=f"verify-{uuid.uuid4().hex[:8]}@example.com")
                session.add(user)
                session.commit()
                user_id = user.id
            # edu-api is async; the TestClient runs it on a loop of its own, so its
            # engine keeps no pool that would outlive that loop
            api_engine = create_async_engine(ctx.database_url, poolclass=NullPool)
            app = edu_api.app.create_app(
                async_sessionmaker(api_engine, expire_on_commit=False), queue,
                store=ApiStore(Path(store_dir)),
            )  # fmt: skip
            headers = {"X-User-Id": str(user_id)}
            with TestClient(app) as client:
                project = client.post("/projects", json={"name": "Biology"}, headers=headers)
                project.raise_for_status()
                project_id = project.json()["id"]
                upload = client.post(
                    f"/projects/{project_id}/documents",
                    files={"file": ("photosynthesis.txt", DOCUMENT_TEXT, "text/plain")},
                    headers=headers,
                )
                upload.raise_for_status()
                document_id = upload.json()["id"]

            sent = [p.message for p in queue.peek() if p.message is not None]
            recording = Path(store_dir) / "recorded.jsonl"
            recording.write_text(
                "".join(
                    record_line(m.model_dump(mode="json"), test="verify::producer") + "\n"
                    for m in sent
                )
            )
            pinned = latest_version() or "1.0.0"
            verdict = can_i_deploy(str(recording), pinned)
            if not verdict.ok:
                raise AssertionError(
                    f"recorded messages break {pinned}: {verdict.subjects[0].report.findings[0]}"
                )

            with Session(engine) as session:
                report = edu_worker.worker.run_worker_once(
                    queue, session, sources=WorkerStore(Path(store_dir))
                )
                done = [o for o in report.outcomes if o.status == "done"]
                if len(done) != len(sent):
                    raise AssertionError(f"consumer outcomes: {report.outcomes}")
                document = session.get(Document, uuid.UUID(document_id))
                assert document is not None
                if document.status != "ready" or not document.segments:
                    raise AssertionError(f"document is {document.status} with no segments")
                query = HashEmbedder().embed(["Where does the Calvin cycle fix carbon?"])[0]
                found = nearest_segments(
                    session, project_id=uuid.UUID(project_id), query_vector=query, limit=1
                )
                count = len(document.segments)
                best = found[0][0].content if found else ""
                session.execute(select(1))
        finally:
            queue.delete()
            engine.dispose()
    if "Calvin" not in best:
        raise AssertionError(f"nearest segment to a Calvin-cycle question is {best!r}")
    return (
        f"edu-api stored a document and sent {len(sent)} task(s); the recording passed "
        f"can-i-deploy against {pinned}; edu-worker split it into {count} embedded "
        f"segments and marked it ready; a question about the Calvin cycle finds its segment"
    )
