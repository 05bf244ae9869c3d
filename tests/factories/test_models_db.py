"""Factory output inserts without constraint errors and keeps the graph coherent, on
real Postgres+pgvector (the plugin's rolled-back ``edu_session``)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from edu_contracts.db.models import (
    Document,
    FlashcardProgress,
    PracticeRecord,
    User,
    UserUsage,
)
from edu_contracts.db.models.document import HNSW_INDEX_NAME
from edu_contracts.db.search import nearest_segments_query
from edu_contracts.errors import FactoryError
from edu_contracts.factories import Factories, ProjectFactory
from tests.factories.conftest import broken_invariants

METHODS = (
    "user",
    "project",
    "document",
    "segment",
    "chat",
    "note",
    "mind_map",
    "user_usage",
    "flashcard_group",
    "flashcard",
    "flashcard_progress",
    "quiz",
    "quiz_question",
    "study_session",
    "practice_record",
)


def _many_seeds(session: Session, seeds_per_model: int) -> None:
    # Inside the test's rolled-back transaction, so the index comes back afterwards;
    # maintaining HNSW row by row would make this test about pgvector, not factories.
    session.execute(sa.text(f"DROP INDEX {HNSW_INDEX_NAME}"))
    for index, method in enumerate(METHODS):
        for seed in range(index * 100_000, index * 100_000 + seeds_per_model):
            getattr(Factories(session, seed=seed, flush=False), method)()
            if seed % 100 == 99:
                session.flush()
        session.flush()
    assert broken_invariants(session) == {}


def test_every_model_inserts_for_many_seeds(edu_session: Session) -> None:
    started = time.perf_counter()
    _many_seeds(edu_session, 40)
    assert time.perf_counter() - started < 60


@pytest.mark.slow
def test_every_model_inserts_for_a_thousand_seeds(edu_session: Session) -> None:
    _many_seeds(edu_session, 1000)


def test_factories_flush_and_never_commit(edu_session: Session) -> None:
    commits: list[object] = []
    event.listen(edu_session, "before_commit", commits.append)
    user = Factories(edu_session, seed=1).user()
    assert edu_session.get(User, user.id) is user
    found = edu_session.execute(sa.select(User.email).where(User.id == user.id)).scalar_one()
    assert found == user.email
    assert commits == []


def test_journey_one_project_without_documents(factories: Factories) -> None:
    project = factories.project(documents=0)
    assert project.documents == []
    assert project.user_id == project.user.id


def test_journey_two_pending_document_and_its_task(factories: Factories) -> None:
    doc = factories.document(status="pending", text="Photosynthesis turns light into sugar.")
    assert doc.status == "pending"
    assert doc.segments == []
    assert doc.processed_at is None
    task = factories.task("document_processing", document=doc)
    assert task.data.document_id == doc.id
    assert task.data.project_id == doc.project_id
    assert task.data.user_id == doc.project.user_id


def test_overrides_at_any_level(factories: Factories, edu_session: Session) -> None:
    alice = factories.user(email="alice@example.org")
    project = factories.bind(ProjectFactory).create_sync(
        user=alice, documents__count=3, documents__status="failed"
    )
    assert project.user is alice
    assert [d.status for d in project.documents] == ["failed"] * 3
    assert all(d.error_message for d in project.documents)
    doc = factories.document(project__user=alice, project__name="Physics", segments=5)
    assert doc.project.name == "Physics"
    assert doc.project.user is alice
    assert [s.position for s in doc.segments] == [0, 1, 2, 3, 4]
    assert broken_invariants(edu_session) == {}


def test_text_is_chunked_into_the_segments(factories: Factories) -> None:
    text = " ".join(f"word{i}" for i in range(30))
    doc = factories.document(text=text, segments=3)
    assert " ".join(s.content for s in doc.segments) == text
    assert all(s.embedding_vector is not None for s in doc.segments)


def test_chat_takes_its_documents_project(factories: Factories) -> None:
    doc = factories.document()
    chat = factories.chat(document=doc)
    assert chat.project is doc.project
    cited = {c.segment_id for m in chat.messages for c in m.citations}
    assert cited <= {s.id for s in doc.segments}
    with pytest.raises(FactoryError, match="disagrees"):
        factories.chat(document=doc, project=factories.project())


def test_one_progress_row_per_user_and_card(factories: Factories, edu_session: Session) -> None:
    card = factories.flashcard()
    first = factories.practice_record(flashcard=card)
    second = factories.practice_record(flashcard=card)
    assert first.user is second.user
    rows = edu_session.scalars(
        sa.select(FlashcardProgress).where(FlashcardProgress.flashcard_id == card.id)
    ).all()
    assert [r.user_id for r in rows] == [first.user_id]
    with pytest.raises(FactoryError, match="already has a progress row"):
        factories.flashcard_progress(flashcard=card, user=first.user)
    # a fresh context over the same session still finds the stored row
    again = Factories(edu_session, seed=99)
    assert again.progress_for(first.user, card).id == rows[0].id


def test_practice_record_exactly_one_target(factories: Factories) -> None:
    with pytest.raises(FactoryError, match="exactly one"):
        factories.practice_record(
            flashcard=factories.flashcard(), quiz_question=factories.quiz_question()
        )
    record = factories.practice_record(quiz_question=factories.quiz_question())
    assert record.flashcard_id is None
    assert record.rating is None
    assert record.score is not None


def test_session_records_share_the_sessions_learner(
    factories: Factories, edu_session: Session
) -> None:
    group = factories.flashcard_group(flashcards=3)
    session = factories.study_session(flashcard_group=group, practice_records=5)
    records = edu_session.scalars(
        sa.select(PracticeRecord).where(PracticeRecord.study_session_id == session.id)
    ).all()
    assert len(records) == 5
    assert {r.user_id for r in records} == {session.user_id}
    assert {r.flashcard.group_id for r in records if r.flashcard} == {group.id}
    assert broken_invariants(edu_session) == {}


def test_usage_rows_never_collide(factories: Factories, edu_session: Session) -> None:
    user = factories.user()
    for _ in range(40):
        factories.user_usage(user=user, period="day")
    for _ in range(3):
        factories.user_usage(user=user, period="month")
    assert edu_session.scalar(sa.select(sa.func.count()).where(UserUsage.user_id == user.id)) == 43
    taken = edu_session.scalars(sa.select(UserUsage).where(UserUsage.user_id == user.id)).first()
    assert taken is not None
    with pytest.raises(FactoryError, match="already has"):
        factories.user_usage(user=user, period=taken.period, period_start=taken.period_start)


def test_nearest_neighbours_are_the_documents_own_segments_through_hnsw(
    factories: Factories, edu_session: Session
) -> None:
    project = factories.project()
    docs: list[Document] = [factories.document(project=project, segments=8) for _ in range(5)]
    # Force the planner onto the index on this small table, then prove it was used.
    edu_session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    edu_session.execute(sa.text("SET LOCAL enable_sort = off"))
    for doc in docs:
        query = nearest_segments_query(
            project_id=project.id, query_vector=factories.query_vector(doc).tolist(), limit=8
        )
        rows = edu_session.execute(query).all()
        assert {row[0].document_id for row in rows} == {doc.id}
        assert [row[1] for row in rows] == sorted(row[1] for row in rows)
    sql = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    plan = edu_session.execute(sa.text(f"EXPLAIN {sql}")).scalars().all()
    assert any(HNSW_INDEX_NAME in line for line in plan if "Scan" in line), plan
