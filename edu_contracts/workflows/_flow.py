"""The producer -> queue -> consumer proof of ``edu-contracts verify``.

It runs with nothing but the toolkit installed (a service repo's
``edu-contracts[testing]``), so both sides are built from the toolkit's own
parts, the ones a service is built on: the producer stores a document with
the canonical models, validates its task against the pinned contract, sends
it with ``TaskQueue`` and records it; the recording must pass can-i-deploy;
the consumer drains the queue, splits the document, embeds every segment
(a deterministic feature-hashing embedder: no model, no network), stores
them with their vectors and marks the document ready; the result is read
back through the nearest-segment search.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edu_contracts.workflows._context import VerifyContext

__all__ = ["DOCUMENT_TEXT", "embed", "producer_consumer", "seed_demo"]

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


def seed_demo(ctx: VerifyContext) -> str:
    from edu_contracts.seed.scenario import load_scenario
    from edu_contracts.seed.seeding import seed_database

    stats = seed_database(ctx.database_url, load_scenario("demo"), seed=42)
    segments = stats.rows.get("document_segments", 0)
    return (
        f"seeded the demo scenario (seed 42): {stats.total:,} rows in {len(stats.rows)} tables, "
        f"{segments:,} segments, in {stats.seconds:.1f} s"
    )


_WORD = re.compile(r"[^\W_]+")


def embed(text: str, dim: int) -> Any:
    """A unit vector of ``dim`` float32: hashed words and character trigrams.

    Texts that share words share buckets, so their cosine distance is small;
    deterministic, so a run proves the same thing every time.
    """
    import numpy as np

    vector = np.zeros(dim, dtype=np.float32)
    for word in (w.lower() for w in _WORD.findall(text)):
        padded = f"#{word}#"
        features = [("w:" + word, 1.0)] + [
            ("c:" + padded[i : i + 3], 0.25) for i in range(len(padded) - 2)
        ]
        for feature, weight in features:
            digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest())
            vector[digest % dim] += weight if digest >> 63 else -weight
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        raise AssertionError(f"nothing to embed in {text[:40]!r}")
    return vector / norm


def _produce(engine: Any, queue: Any, store: Path, pinned: str) -> Any:
    """What edu-api does on an upload: rows, a stored file, a contract-checked task."""
    from sqlalchemy.orm import Session

    from edu_contracts.db.models import Document, Project, User
    from edu_contracts.registry.validate import validate_message
    from edu_contracts.schemas.enums import DocumentSourceKind, DocumentStatus
    from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

    with Session(engine, expire_on_commit=False) as session:
        user = User(email=f"verify-{uuid.uuid4().hex[:8]}@example.com")
        project = Project(user=user, name="Biology")
        path = store / "photosynthesis.txt"
        path.write_text(DOCUMENT_TEXT)
        document = Document(
            project=project,
            title="photosynthesis.txt",
            source_kind=DocumentSourceKind.FILE,
            source_uri=path.as_uri(),
            mime_type="text/plain",
            size_bytes=len(DOCUMENT_TEXT.encode()),
            status=DocumentStatus.PENDING,
        )
        session.add_all([user, project, document])
        session.commit()
    message = DocumentProcessingMessage(
        data=DocumentProcessingData(document_id=document.id, project_id=project.id, user_id=user.id)
    )
    body = message.model_dump(mode="json")
    violations = validate_message(body, pinned)
    if violations:
        raise AssertionError(f"the producer's message breaks {pinned}: {violations[0]}")
    queue.send(message)
    return document


def _consume(engine: Any, queue: Any) -> list[Any]:
    """What edu-worker does: drain, fetch, split, embed, store, mark ready."""
    from pathlib import Path as _Path
    from urllib.parse import urlparse

    from sqlalchemy.orm import Session

    from edu_contracts.db.base import EMBEDDING_DIM
    from edu_contracts.db.models import Document, DocumentSegment
    from edu_contracts.schemas.enums import DocumentStatus

    done = []
    for task in queue.drain():
        if task.message.type != "document_processing":
            raise AssertionError(f"unexpected task {task.message.type}")
        with Session(engine) as session:
            document = session.get(Document, task.message.data.document_id)
            if document is None or document.source_uri is None:
                raise AssertionError(f"task names a missing document: {task.message.data}")
            text = _Path(urlparse(document.source_uri).path).read_text()
            chunks = [c.strip() for c in text.split("\n\n") if c.strip()]
            session.add_all(
                DocumentSegment(
                    document=document,
                    project_id=document.project_id,
                    position=i,
                    content=chunk,
                    token_count=len(chunk.split()),
                    embedding_vector=embed(chunk, EMBEDDING_DIM),
                    embedding_model="edu-verify-hash-v1",
                )
                for i, chunk in enumerate(chunks)
            )
            document.status = DocumentStatus.READY
            session.commit()
        done.append(task)
    return done


def producer_consumer(ctx: VerifyContext) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from edu_contracts.db.base import EMBEDDING_DIM
    from edu_contracts.db.models import Document
    from edu_contracts.db.search import nearest_segments
    from edu_contracts.queue import TaskQueue
    from edu_contracts.registry import latest_version
    from edu_contracts.workflows.deploy import can_i_deploy
    from edu_contracts.workflows.recording import record_line

    pinned = latest_version() or "1.0.0"
    engine = create_engine(ctx.database_url)
    queue = TaskQueue.from_connection_string(
        ctx.services.azurite.connection_string, f"edu-{ctx.run_id}-flow"
    )
    with tempfile.TemporaryDirectory(prefix="edu-contracts-verify-") as scratch, queue:
        store = Path(scratch)
        queue.create()
        try:
            document = _produce(engine, queue, store, pinned)
            sent = [p.message for p in queue.peek() if p.message is not None]
            recording = store / "recorded.jsonl"
            recording.write_text(
                "".join(
                    record_line(m.model_dump(mode="json"), test="verify::producer") + "\n"
                    for m in sent
                )
            )
            verdict = can_i_deploy(str(recording), pinned)
            if not verdict.ok:
                subject, finding = verdict.breaking()[0]
                raise AssertionError(f"recorded messages break {pinned}: {subject} {finding}")
            done = _consume(engine, queue)
            if len(done) != len(sent) or not sent:
                raise AssertionError(f"sent {len(sent)} task(s), the consumer did {len(done)}")
            with Session(engine) as session:
                stored = session.get(Document, document.id)
                if stored is None or stored.status != "ready" or not stored.segments:
                    raise AssertionError(f"the document is not ready with segments: {stored}")
                count = len(stored.segments)
                question = embed("Where does the Calvin cycle fix carbon?", EMBEDDING_DIM)
                found = nearest_segments(
                    session, project_id=stored.project_id, query_vector=question, limit=1
                )
                best = found[0][0].content if found else ""
        finally:
            queue.delete()
            engine.dispose()
    if "Calvin" not in best:
        raise AssertionError(f"nearest segment to a Calvin-cycle question is {best!r}")
    return (
        f"the producer stored a document and sent {len(sent)} contract-checked task(s); the "
        f"recording passed can-i-deploy against {pinned}; the consumer split it into {count} "
        "embedded segments and marked it ready; a question about the Calvin cycle finds its "
        "segment"
    )
