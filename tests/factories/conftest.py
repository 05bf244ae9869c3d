"""Shared helpers for the factory tests: a seeded ``Factories`` and the graph invariants."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from edu_contracts.factories import Factories

INVARIANTS: dict[str, str] = {
    # an artefact that names a source document lives in that document's project
    **{
        f"{table} document in its project": f"""
            SELECT count(*) FROM {table} a JOIN documents d ON d.id = a.document_id
            WHERE d.project_id <> a.project_id"""
        for table in ("chats", "notes", "mind_maps", "flashcard_groups", "quizzes")
    },
    "segment project is its document's": """
        SELECT count(*) FROM document_segments s JOIN documents d ON d.id = s.document_id
        WHERE d.project_id <> s.project_id""",
    "practice record has its user's progress row": """
        SELECT count(*) FROM practice_records r LEFT JOIN flashcard_progress p
          ON p.user_id = r.user_id AND p.flashcard_id = r.flashcard_id
        WHERE r.flashcard_id IS NOT NULL AND p.id IS NULL""",
    "practice record user is its session's": """
        SELECT count(*) FROM practice_records r JOIN study_sessions s ON s.id = r.study_session_id
        WHERE s.user_id <> r.user_id""",
    "study session learner owns the project": """
        SELECT count(*) FROM study_sessions s JOIN projects p ON p.id = s.project_id
        WHERE p.user_id <> s.user_id""",
    "card cites a segment of its deck's document": """
        SELECT count(*) FROM flashcards f JOIN flashcard_groups g ON g.id = f.group_id
        JOIN document_segments s ON s.id = f.source_segment_id
        WHERE g.document_id IS DISTINCT FROM s.document_id""",
    "question cites a segment of its quiz's document": """
        SELECT count(*) FROM quiz_questions q JOIN quizzes z ON z.id = q.quiz_id
        JOIN document_segments s ON s.id = q.source_segment_id
        WHERE z.document_id IS DISTINCT FROM s.document_id""",
    "embeddings are unit-norm": """
        SELECT count(*) FROM document_segments
        WHERE embedding_vector IS NOT NULL AND abs(vector_norm(embedding_vector) - 1) > 1e-4""",
    "choice questions contain exactly their answers": """
        SELECT count(*) FROM quiz_questions
        WHERE kind IN ('single_choice', 'true_false') AND (SELECT count(*)
          FROM jsonb_array_elements(options) o WHERE (o->>'is_correct')::bool) <> 1""",
    "ready documents are fully embedded": """
        SELECT count(*) FROM document_segments s JOIN documents d ON d.id = s.document_id
        WHERE d.status = 'ready' AND s.embedding_vector IS NULL""",
}
"""Each query counts rows that break a rule of the coherent graph: all must be 0."""


def broken_invariants(connection: Any) -> dict[str, int]:
    """The invariants with a non-zero count (``connection`` is a Session or Connection)."""
    found = {
        name: int(connection.execute(sa.text(query)).scalar_one())
        for name, query in INVARIANTS.items()
    }
    return {name: count for name, count in found.items() if count}


@pytest.fixture
def factories(edu_session: Session) -> Factories:
    return Factories(edu_session, seed=0)
