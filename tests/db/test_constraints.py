"""Every CHECK, UNIQUE and FOREIGN KEY rule rejects a row that breaks it.

Each case starts from a row that is valid (``valid_row``, itself tested to
insert cleanly) and changes one value, then asserts that Postgres names the
very constraint the models declare: a rule that is missing, misnamed, or
shadowed by another rule fails here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from edu_contracts.db.base import Base
from edu_contracts.db.enums import QuizQuestionKind, UsagePeriod
from tests.db._graph import Graph, build_graph, valid_row

Change = Callable[[Graph], dict[str, Any]]
NOW = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def _set(**values: Any) -> Change:
    return lambda g: values


def _missing() -> uuid.UUID:
    return uuid.uuid4()


# (constraint name, table, change applied to the valid row)
CASES: list[tuple[str, str, Change]] = [
    ("uq_users_email", "users", lambda g: {"email": g.user.email}),
    ("ck_users_email_lowercase", "users", _set(email="Ada@Example.com")),
    ("ck_users_email_has_at", "users", _set(email="no-at-sign")),
    ("ck_projects_name_not_blank", "projects", _set(name="   ")),
    ("fk_projects_user_id_users", "projects", _set(user_id=_missing())),
    (
        "uq_user_usage_user_id_period_period_start",
        "user_usage",
        lambda g: {"period_start": g.usage.period_start},
    ),
    (
        "ck_user_usage_month_starts_on_first",
        "user_usage",
        _set(period=UsagePeriod.MONTH, period_start=dt.date(2026, 2, 2)),
    ),
    ("ck_user_usage_counters_non_negative", "user_usage", _set(output_tokens=-1)),
    ("fk_user_usage_user_id_users", "user_usage", _set(user_id=_missing())),
    ("ck_documents_title_not_blank", "documents", _set(title="")),
    ("ck_documents_error_only_when_failed", "documents", _set(error_message="boom")),
    ("ck_documents_size_bytes_non_negative", "documents", _set(size_bytes=-1)),
    ("ck_documents_page_count_non_negative", "documents", _set(page_count=-1)),
    ("ck_documents_content_sha256_is_hex", "documents", _set(content_sha256="Z" * 64)),
    ("fk_documents_project_id_projects", "documents", _set(project_id=_missing())),
    (
        "uq_document_segments_document_id_position",
        "document_segments",
        lambda g: {"position": g.segment.position},
    ),
    ("ck_document_segments_position_non_negative", "document_segments", _set(position=-1)),
    ("ck_document_segments_token_count_non_negative", "document_segments", _set(token_count=-1)),
    ("ck_document_segments_content_not_empty", "document_segments", _set(content="")),
    (
        "ck_document_segments_embedding_model_with_vector",
        "document_segments",
        _set(embedding_model="text-embedding-3-large"),
    ),
    (
        # The right document under the wrong project: only the composite key sees it.
        "fk_document_segments_document_id_project_id_documents",
        "document_segments",
        lambda g: {"project_id": g.other_project.id},
    ),
    (
        # An unknown document breaks both keys; the composite one implies the
        # plain one, so either may be reported (see test body).
        "fk_document_segments_document_id_documents",
        "document_segments",
        _set(document_id=_missing()),
    ),
    ("ck_chats_title_not_blank", "chats", _set(title=" ")),
    ("fk_chats_project_id_projects", "chats", _set(project_id=_missing())),
    ("fk_chats_document_id_documents", "chats", _set(document_id=_missing())),
    ("ck_notes_title_not_blank", "notes", _set(title=" ")),
    ("fk_notes_project_id_projects", "notes", _set(project_id=_missing())),
    ("fk_notes_document_id_documents", "notes", _set(document_id=_missing())),
    ("ck_mind_maps_title_not_blank", "mind_maps", _set(title=" ")),
    ("fk_mind_maps_project_id_projects", "mind_maps", _set(project_id=_missing())),
    ("fk_mind_maps_document_id_documents", "mind_maps", _set(document_id=_missing())),
    ("ck_flashcard_groups_title_not_blank", "flashcard_groups", _set(title=" ")),
    ("fk_flashcard_groups_project_id_projects", "flashcard_groups", _set(project_id=_missing())),
    (
        "fk_flashcard_groups_document_id_documents",
        "flashcard_groups",
        _set(document_id=_missing()),
    ),
    ("ck_quizzes_title_not_blank", "quizzes", _set(title=" ")),
    ("ck_quizzes_time_limit_positive", "quizzes", _set(time_limit_seconds=0)),
    ("fk_quizzes_project_id_projects", "quizzes", _set(project_id=_missing())),
    ("fk_quizzes_document_id_documents", "quizzes", _set(document_id=_missing())),
    ("ck_flashcards_front_not_blank", "flashcards", _set(front="\t")),
    ("ck_flashcards_back_not_blank", "flashcards", _set(back="")),
    ("ck_flashcards_position_non_negative", "flashcards", _set(position=-1)),
    ("fk_flashcards_group_id_flashcard_groups", "flashcards", _set(group_id=_missing())),
    (
        "fk_flashcards_source_segment_id_document_segments",
        "flashcards",
        _set(source_segment_id=_missing()),
    ),
    (
        "uq_flashcard_progress_user_id_flashcard_id",
        "flashcard_progress",
        lambda g: {"flashcard_id": g.flashcard.id},
    ),
    ("ck_flashcard_progress_stability_non_negative", "flashcard_progress", _set(stability=-0.1)),
    ("ck_flashcard_progress_difficulty_range", "flashcard_progress", _set(difficulty=10.5)),
    ("ck_flashcard_progress_counters_non_negative", "flashcard_progress", _set(reps=-1)),
    ("ck_flashcard_progress_lapses_within_reps", "flashcard_progress", _set(reps=1, lapses=2)),
    ("fk_flashcard_progress_user_id_users", "flashcard_progress", _set(user_id=_missing())),
    (
        "fk_flashcard_progress_flashcard_id_flashcards",
        "flashcard_progress",
        _set(flashcard_id=_missing()),
    ),
    ("ck_quiz_questions_prompt_not_blank", "quiz_questions", _set(prompt=" ")),
    ("ck_quiz_questions_position_non_negative", "quiz_questions", _set(position=-1)),
    ("ck_quiz_questions_choice_has_options", "quiz_questions", _set(options=())),
    (
        "ck_quiz_questions_short_answer_has_expected_answer",
        "quiz_questions",
        _set(kind=QuizQuestionKind.SHORT_ANSWER, options=()),
    ),
    ("fk_quiz_questions_quiz_id_quizzes", "quiz_questions", _set(quiz_id=_missing())),
    (
        "fk_quiz_questions_source_segment_id_document_segments",
        "quiz_questions",
        _set(source_segment_id=_missing()),
    ),
    (
        "ck_study_sessions_ended_after_started",
        "study_sessions",
        _set(started_at=NOW, ended_at=NOW - dt.timedelta(seconds=1)),
    ),
    ("ck_study_sessions_counters_non_negative", "study_sessions", _set(items_correct=-1)),
    (
        "ck_study_sessions_correct_within_total",
        "study_sessions",
        _set(items_total=2, items_correct=3),
    ),
    ("fk_study_sessions_user_id_users", "study_sessions", _set(user_id=_missing())),
    ("fk_study_sessions_project_id_projects", "study_sessions", _set(project_id=_missing())),
    (
        "fk_study_sessions_flashcard_group_id_flashcard_groups",
        "study_sessions",
        _set(flashcard_group_id=_missing()),
    ),
    ("fk_study_sessions_quiz_id_quizzes", "study_sessions", _set(quiz_id=_missing())),
    ("ck_practice_records_exactly_one_target", "practice_records", _set(flashcard_id=None)),
    (
        "ck_practice_records_exactly_one_target",
        "practice_records",
        lambda g: {"quiz_question_id": g.question.id},
    ),
    ("ck_practice_records_rating_range", "practice_records", _set(rating=5)),
    (
        "ck_practice_records_rating_only_for_flashcards",
        "practice_records",
        lambda g: {"flashcard_id": None, "quiz_question_id": g.question.id, "rating": 3},
    ),
    ("ck_practice_records_score_range", "practice_records", _set(score=1.5)),
    ("ck_practice_records_response_ms_non_negative", "practice_records", _set(response_ms=-1)),
    ("fk_practice_records_user_id_users", "practice_records", _set(user_id=_missing())),
    (
        "fk_practice_records_study_session_id_study_sessions",
        "practice_records",
        _set(study_session_id=_missing()),
    ),
    (
        "fk_practice_records_flashcard_id_flashcards",
        "practice_records",
        _set(flashcard_id=_missing()),
    ),
    (
        "fk_practice_records_quiz_question_id_quiz_questions",
        "practice_records",
        lambda g: {"flashcard_id": None, "quiz_question_id": _missing()},
    ),
]

# Only the primary key could be violated first, so it has no case of its own:
# it exists as the target of the segments' composite foreign key.
UNTESTABLE = {"uq_documents_id_project_id"}


def _insert(session: Session, table: str, row: dict[str, Any]) -> None:
    session.execute(sa.insert(Base.metadata.tables[table]).values(row))


@pytest.fixture
def graph(edu_session: Session) -> Graph:
    return build_graph(edu_session)


@pytest.mark.parametrize("table", sorted(Base.metadata.tables))
def test_valid_row_is_accepted(edu_session: Session, graph: Graph, table: str) -> None:
    _insert(edu_session, table, valid_row(table, graph))


@pytest.mark.parametrize(
    ("constraint", "table", "change"), CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)]
)
def test_violation_is_rejected_by_its_constraint(
    edu_session: Session, graph: Graph, constraint: str, table: str, change: Change
) -> None:
    row = valid_row(table, graph) | change(graph)
    with pytest.raises(IntegrityError) as info:
        _insert(edu_session, table, row)
    reported = info.value.orig.diag.constraint_name  # type: ignore[union-attr]
    if constraint == "fk_document_segments_document_id_documents":
        assert reported in {constraint, "fk_document_segments_document_id_project_id_documents"}
    else:
        assert reported == constraint


def test_every_declared_rule_has_a_case() -> None:
    declared = {
        str(c.name)
        for table in Base.metadata.tables.values()
        for c in table.constraints
        if isinstance(c, sa.CheckConstraint | sa.UniqueConstraint | sa.ForeignKeyConstraint)
    }
    assert declared - UNTESTABLE == {name for name, _, _ in CASES}
