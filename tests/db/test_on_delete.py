"""ON DELETE / ON UPDATE behaviour, exercised with plain SQL deletes.

Core statements (not ``session.delete``) so that the database, not the
ORM's own cascade, is what is tested: other services delete rows too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from edu_contracts.db.base import Base
from tests.db._graph import Graph, build_graph

Pick = Callable[[Graph], object]


def _exists(session: Session, table: str, row_id: uuid.UUID) -> bool:
    t = Base.metadata.tables[table]
    return session.execute(sa.select(t.c.id).where(t.c.id == row_id)).first() is not None


def _value(session: Session, table: str, row_id: uuid.UUID, column: str) -> object:
    t = Base.metadata.tables[table]
    return session.execute(sa.select(t.c[column]).where(t.c.id == row_id)).scalar_one()


def _delete(session: Session, obj: object) -> None:
    table = obj.__table__  # type: ignore[attr-defined]
    session.execute(sa.delete(table).where(table.c.id == obj.id))  # type: ignore[attr-defined]


@pytest.fixture
def graph(edu_session: Session) -> Graph:
    return build_graph(edu_session)


def test_deleting_a_user_removes_everything_they_own(edu_session: Session, graph: Graph) -> None:
    owned = {k: (v.__tablename__, v.id) for k, v in vars(graph).items()}
    _delete(edu_session, graph.user)
    survivors = [k for k, (table, row_id) in owned.items() if _exists(edu_session, table, row_id)]
    assert survivors == []


# (what is deleted, the row that follows, the column set to NULL or None if the row goes)
CASCADES: list[tuple[str, str, str | None]] = [
    ("project", "document", None),
    ("project", "segment", None),
    ("project", "chat", None),
    ("project", "study_session", None),
    ("document", "segment", None),
    ("document", "chat", "document_id"),
    ("document", "note", "document_id"),
    ("document", "mind_map", "document_id"),
    ("document", "group", "document_id"),
    ("document", "quiz", "document_id"),
    ("segment", "flashcard", "source_segment_id"),
    ("segment", "question", "source_segment_id"),
    ("group", "flashcard", None),
    ("group", "study_session", "flashcard_group_id"),
    ("quiz", "question", None),
    ("flashcard", "progress", None),
    ("flashcard", "record", None),
    ("study_session", "record", "study_session_id"),
]


@pytest.mark.parametrize(
    ("parent", "child", "nulled"), CASCADES, ids=[f"{p}->{c}" for p, c, _ in CASCADES]
)
def test_on_delete(
    edu_session: Session, graph: Graph, parent: str, child: str, nulled: str | None
) -> None:
    child_obj = getattr(graph, child)
    table, row_id = child_obj.__tablename__, child_obj.id
    _delete(edu_session, getattr(graph, parent))
    if nulled is None:
        assert not _exists(edu_session, table, row_id)
    else:
        assert _exists(edu_session, table, row_id)
        assert _value(edu_session, table, row_id, nulled) is None


def test_quiz_question_record_cascades(edu_session: Session, graph: Graph) -> None:
    records = Base.metadata.tables["practice_records"]
    record_id = uuid.uuid4()
    edu_session.execute(
        sa.insert(records).values(
            id=record_id, user_id=graph.user.id, quiz_question_id=graph.question.id, score=1.0
        )
    )
    _delete(edu_session, graph.question)
    assert not _exists(edu_session, "practice_records", record_id)


def test_moving_a_document_moves_its_segments(edu_session: Session, graph: Graph) -> None:
    documents = Base.metadata.tables["documents"]
    edu_session.execute(
        sa.update(documents)
        .where(documents.c.id == graph.document.id)
        .values(project_id=graph.other_project.id)
    )
    moved = _value(edu_session, "document_segments", graph.segment.id, "project_id")
    assert moved == graph.other_project.id
