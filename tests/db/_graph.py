"""A small, complete object graph: one of everything, wired together.

The database tests need valid parents to point children at, and "valid
row" baselines to break one rule at a time. Built by hand rather than with
the factories package so the database layer is tested on its own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from edu_contracts.db.enums import (
    DocumentSourceKind,
    QuizQuestionKind,
    StudySessionKind,
    UsagePeriod,
)
from edu_contracts.db.models import (
    Chat,
    Document,
    DocumentSegment,
    Flashcard,
    FlashcardGroup,
    FlashcardProgress,
    MindMap,
    Note,
    PracticeRecord,
    Project,
    Quiz,
    QuizQuestion,
    StudySession,
    User,
    UserUsage,
)
from edu_contracts.schemas.jsonb import QuizOption

TWO_OPTIONS = (QuizOption(key="a", text="yes", is_correct=True), QuizOption(key="b", text="no"))


@dataclass
class Graph:
    user: User
    project: Project
    other_project: Project
    document: Document
    segment: DocumentSegment
    chat: Chat
    note: Note
    mind_map: MindMap
    group: FlashcardGroup
    flashcard: Flashcard
    spare_flashcard: Flashcard
    progress: FlashcardProgress
    quiz: Quiz
    question: QuizQuestion
    study_session: StudySession
    record: PracticeRecord
    usage: UserUsage


def build_graph(session: Session) -> Graph:
    """Add one of every model, flushed (not committed) so ids and defaults exist."""
    user = User(email=f"learner-{uuid.uuid4().hex[:8]}@example.com", display_name="Ada")
    project = Project(user=user, name="Biology")
    other_project = Project(user=user, name="History")
    document = Document(project=project, title="Cells.pdf", source_kind=DocumentSourceKind.FILE)
    segment = DocumentSegment(document=document, position=0, content="Cells divide.")
    group = FlashcardGroup(project=project, document=document, title="Cells")
    flashcard = Flashcard(group=group, source_segment=segment, front="Q?", back="A.")
    spare = Flashcard(group=group, position=1, front="Q2?", back="A2.")
    quiz = Quiz(project=project, document=document, title="Cells quiz")
    question = QuizQuestion(
        quiz=quiz,
        source_segment=segment,
        kind=QuizQuestionKind.SINGLE_CHOICE,
        prompt="Do cells divide?",
        options=TWO_OPTIONS,
    )
    study_session = StudySession(
        user=user, project=project, kind=StudySessionKind.FLASHCARDS, flashcard_group=group
    )
    graph = Graph(
        user=user,
        project=project,
        other_project=other_project,
        document=document,
        segment=segment,
        chat=Chat(project=project, document=document, title="About cells"),
        note=Note(project=project, document=document, title="Summary", content="# Cells"),
        mind_map=MindMap(project=project, document=document, title="Cell map"),
        group=group,
        flashcard=flashcard,
        spare_flashcard=spare,
        progress=FlashcardProgress(user=user, flashcard=flashcard),
        quiz=quiz,
        question=question,
        study_session=study_session,
        record=PracticeRecord(
            user=user, study_session=study_session, flashcard=flashcard, rating=3
        ),
        usage=UserUsage(user=user, period=UsagePeriod.DAY, period_start=dt.date(2026, 1, 1)),
    )
    session.add_all(vars(graph).values())
    session.flush()
    return graph


def valid_row(table: str, g: Graph) -> dict[str, Any]:
    """Values for one more valid row of ``table``; tests override one value to break a rule."""
    titled = {"project_id": g.project.id, "title": "Another"}
    rows: dict[str, dict[str, Any]] = {
        "users": {"email": f"other-{uuid.uuid4().hex[:8]}@example.com"},
        "projects": {"user_id": g.user.id, "name": "Chemistry"},
        "user_usage": {
            "user_id": g.user.id,
            "period": UsagePeriod.DAY,
            "period_start": dt.date(2026, 1, 2),
        },
        "documents": {
            "project_id": g.project.id,
            "title": "More.pdf",
            "source_kind": DocumentSourceKind.FILE,
        },
        "document_segments": {
            "document_id": g.document.id,
            "project_id": g.project.id,
            "position": 1,
            "content": "More text.",
        },
        "chats": titled,
        "notes": titled,
        "mind_maps": titled,
        "quizzes": titled,
        "flashcard_groups": titled,
        "flashcards": {"group_id": g.group.id, "front": "F", "back": "B"},
        "flashcard_progress": {"user_id": g.user.id, "flashcard_id": g.spare_flashcard.id},
        "quiz_questions": {
            "quiz_id": g.quiz.id,
            "kind": QuizQuestionKind.SINGLE_CHOICE,
            "prompt": "Another?",
            "options": TWO_OPTIONS,
        },
        "study_sessions": {
            "user_id": g.user.id,
            "project_id": g.project.id,
            "kind": StudySessionKind.QUIZ,
        },
        "practice_records": {"user_id": g.user.id, "flashcard_id": g.flashcard.id},
    }
    return dict(rows[table])
