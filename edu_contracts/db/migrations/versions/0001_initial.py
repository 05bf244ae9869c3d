"""Initial canonical schema: the 15 tables, their enums, and the HNSW index.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Hand-written from an autogenerate draft. A revision is frozen history, so it
spells out enum values, JSONB columns and constraint names literally instead
of importing them from the models (which keep evolving); ``compare()`` in
the tests proves that the two still agree at head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENUMS: dict[str, tuple[str, ...]] = {
    "document_status": ("pending", "processing", "ready", "failed"),
    "document_source_kind": ("file", "url", "text"),
    "quiz_question_kind": ("single_choice", "multiple_choice", "true_false", "short_answer"),
    "flashcard_state": ("new", "learning", "review", "relearning"),
    "study_session_kind": ("flashcards", "quiz", "mixed"),
    "usage_period": ("day", "month"),
}

_TZ = sa.TIMESTAMP(timezone=True)
_ZERO = sa.text("0")


def _enum(name: str) -> postgresql.ENUM:
    # create_type=False: the types are created once, up front, not per table.
    return postgresql.ENUM(*_ENUMS[name], name=name, create_type=False)


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _created() -> sa.Column[Any]:
    return sa.Column("created_at", _TZ, server_default=sa.text("now()"), nullable=False)


def _updated() -> sa.Column[Any]:
    return sa.Column("updated_at", _TZ, server_default=sa.text("now()"), nullable=False)


def _ref(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Uuid(), nullable=nullable)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _ck(table: str, name: str, sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def _not_blank(table: str, column: str) -> sa.CheckConstraint:
    return _ck(table, f"{column}_not_blank", rf"{column} ~ '\S'")


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def _generated_from_document(table: str, *columns: sa.Column[Any]) -> None:
    """Chats, decks, quizzes, notes and mind maps share one shape: owned by a
    project, optionally sourced from a document that may disappear."""
    op.create_table(
        table,
        _id(),
        _ref("project_id"),
        _ref("document_id", nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        *columns,
        _created(),
        _updated(),
        _not_blank(table, "title"),
        _fk(table, "document_id", "documents", "SET NULL"),
        _fk(table, "project_id", "projects", "CASCADE"),
        _pk(table),
    )
    _index(table, "document_id")
    _index(table, "project_id")


def upgrade() -> None:
    # The vector type must exist before document_segments; IF NOT EXISTS
    # because a managed Postgres or the test server may have created it.
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    bind = op.get_bind()
    for name, values in _ENUMS.items():
        postgresql.ENUM(*values, name=name).create(bind, checkfirst=False)

    op.create_table(
        "users",
        _id(),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _created(),
        _updated(),
        _ck("users", "email_has_at", "position('@' in email) > 1"),
        _ck("users", "email_lowercase", "email = lower(email)"),
        _pk("users"),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )

    op.create_table(
        "projects",
        _id(),
        _ref("user_id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        _created(),
        _updated(),
        _not_blank("projects", "name"),
        _fk("projects", "user_id", "users", "CASCADE"),
        _pk("projects"),
    )
    _index("projects", "user_id")

    counters = (
        "documents_uploaded",
        "pages_processed",
        "segments_embedded",
        "chat_messages",
        "input_tokens",
        "output_tokens",
        "items_generated",
    )
    big = {"input_tokens", "output_tokens"}
    op.create_table(
        "user_usage",
        _id(),
        _ref("user_id"),
        sa.Column("period", _enum("usage_period"), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        *(
            sa.Column(
                c,
                sa.BigInteger() if c in big else sa.Integer(),
                server_default=_ZERO,
                nullable=False,
            )
            for c in counters
        ),
        _created(),
        _updated(),
        _ck(
            "user_usage",
            "month_starts_on_first",
            "period <> 'month' OR extract(day FROM period_start) = 1",
        ),
        _ck("user_usage", "counters_non_negative", " AND ".join(f"{c} >= 0" for c in counters)),
        _fk("user_usage", "user_id", "users", "CASCADE"),
        _pk("user_usage"),
        sa.UniqueConstraint(
            "user_id",
            "period",
            "period_start",
            name=op.f("uq_user_usage_user_id_period_period_start"),
        ),
    )

    op.create_table(
        "documents",
        _id(),
        _ref("project_id"),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("source_kind", _enum("document_source_kind"), nullable=False),
        sa.Column("source_uri", sa.Text(), nullable=True),
        sa.Column("mime_type", sa.String(255), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=True),
        sa.Column("status", _enum("document_status"), server_default="pending", nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("processed_at", _TZ, nullable=True),
        _created(),
        _updated(),
        _ck("documents", "content_sha256_is_hex", "content_sha256 ~ '^[0-9a-f]{64}$'"),
        _ck("documents", "error_only_when_failed", "status = 'failed' OR error_message IS NULL"),
        _not_blank("documents", "title"),
        _ck("documents", "page_count_non_negative", "page_count >= 0"),
        _ck("documents", "size_bytes_non_negative", "size_bytes >= 0"),
        _fk("documents", "project_id", "projects", "CASCADE"),
        _pk("documents"),
        sa.UniqueConstraint("id", "project_id", name=op.f("uq_documents_id_project_id")),
    )
    _index("documents", "project_id")
    _index("documents", "status")

    op.create_table(
        "document_segments",
        _id(),
        _ref("document_id"),
        _ref("project_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=True),
        sa.Column(
            "segment_metadata",
            postgresql.JSONB(),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("embedding_vector", Vector(3072), nullable=True),
        sa.Column("embedding_model", sa.String(100), nullable=True),
        _created(),
        _updated(),
        _ck(
            "document_segments",
            "embedding_model_with_vector",
            "(embedding_vector IS NULL) = (embedding_model IS NULL)",
        ),
        _ck("document_segments", "content_not_empty", "length(content) > 0"),
        _ck("document_segments", "position_non_negative", "position >= 0"),
        _ck("document_segments", "token_count_non_negative", "token_count >= 0"),
        sa.ForeignKeyConstraint(
            ["document_id", "project_id"],
            ["documents.id", "documents.project_id"],
            name=op.f("fk_document_segments_document_id_project_id_documents"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        _fk("document_segments", "document_id", "documents", "CASCADE"),
        _pk("document_segments"),
        sa.UniqueConstraint(
            "document_id", "position", name=op.f("uq_document_segments_document_id_position")
        ),
    )
    _index("document_segments", "project_id")
    # pgvector cannot index vector(3072); index its halfvec cast instead. The
    # search in edu_contracts.db.search orders by this same expression.
    op.create_index(
        "ix_document_segments_embedding_hnsw",
        "document_segments",
        [sa.literal_column("(embedding_vector::halfvec(3072))")],
        postgresql_using="hnsw",
        postgresql_ops={"(embedding_vector::halfvec(3072))": "halfvec_cosine_ops"},
    )

    _generated_from_document(
        "chats",
        sa.Column(
            "messages", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
    )
    _generated_from_document("flashcard_groups", sa.Column("description", sa.Text(), nullable=True))
    _generated_from_document(
        "mind_maps",
        sa.Column(
            "graph",
            postgresql.JSONB(),
            server_default=sa.text("""'{"nodes": [], "edges": []}'::jsonb"""),
            nullable=False,
        ),
    )
    _generated_from_document(
        "notes",
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("is_generated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    _generated_from_document(
        "quizzes",
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("time_limit_seconds", sa.Integer(), nullable=True),
    )
    op.create_check_constraint(
        op.f("ck_quizzes_time_limit_positive"), "quizzes", "time_limit_seconds > 0"
    )

    op.create_table(
        "flashcards",
        _id(),
        _ref("group_id"),
        _ref("source_segment_id", nullable=True),
        sa.Column("position", sa.Integer(), server_default=_ZERO, nullable=False),
        sa.Column("front", sa.Text(), nullable=False),
        sa.Column("back", sa.Text(), nullable=False),
        _created(),
        _updated(),
        _not_blank("flashcards", "back"),
        _not_blank("flashcards", "front"),
        _ck("flashcards", "position_non_negative", "position >= 0"),
        _fk("flashcards", "group_id", "flashcard_groups", "CASCADE"),
        _fk("flashcards", "source_segment_id", "document_segments", "SET NULL"),
        _pk("flashcards"),
    )
    _index("flashcards", "group_id")
    _index("flashcards", "source_segment_id")

    op.create_table(
        "quiz_questions",
        _id(),
        _ref("quiz_id"),
        _ref("source_segment_id", nullable=True),
        sa.Column("position", sa.Integer(), server_default=_ZERO, nullable=False),
        sa.Column("kind", _enum("quiz_question_kind"), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column(
            "options", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("expected_answer", sa.Text(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        _created(),
        _updated(),
        _ck(
            "quiz_questions",
            "short_answer_has_expected_answer",
            "kind <> 'short_answer' OR expected_answer IS NOT NULL",
        ),
        _ck(
            "quiz_questions",
            "choice_has_options",
            "kind = 'short_answer' OR jsonb_array_length(options) >= 2",
        ),
        _not_blank("quiz_questions", "prompt"),
        _ck("quiz_questions", "position_non_negative", "position >= 0"),
        _fk("quiz_questions", "quiz_id", "quizzes", "CASCADE"),
        _fk("quiz_questions", "source_segment_id", "document_segments", "SET NULL"),
        _pk("quiz_questions"),
    )
    _index("quiz_questions", "quiz_id")
    _index("quiz_questions", "source_segment_id")

    op.create_table(
        "study_sessions",
        _id(),
        _ref("user_id"),
        _ref("project_id"),
        sa.Column("kind", _enum("study_session_kind"), nullable=False),
        _ref("flashcard_group_id", nullable=True),
        _ref("quiz_id", nullable=True),
        sa.Column("started_at", _TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("ended_at", _TZ, nullable=True),
        sa.Column("items_total", sa.Integer(), server_default=_ZERO, nullable=False),
        sa.Column("items_correct", sa.Integer(), server_default=_ZERO, nullable=False),
        _created(),
        _updated(),
        _ck(
            "study_sessions",
            "ended_after_started",
            "ended_at IS NULL OR ended_at >= started_at",
        ),
        _ck("study_sessions", "correct_within_total", "items_correct <= items_total"),
        _ck(
            "study_sessions",
            "counters_non_negative",
            "items_total >= 0 AND items_correct >= 0",
        ),
        _fk("study_sessions", "flashcard_group_id", "flashcard_groups", "SET NULL"),
        _fk("study_sessions", "project_id", "projects", "CASCADE"),
        _fk("study_sessions", "quiz_id", "quizzes", "SET NULL"),
        _fk("study_sessions", "user_id", "users", "CASCADE"),
        _pk("study_sessions"),
    )
    for column in ("flashcard_group_id", "project_id", "quiz_id", "user_id"):
        _index("study_sessions", column)

    op.create_table(
        "flashcard_progress",
        _id(),
        _ref("user_id"),
        _ref("flashcard_id"),
        sa.Column("state", _enum("flashcard_state"), server_default="new", nullable=False),
        sa.Column("stability", sa.Double(), server_default=_ZERO, nullable=False),
        sa.Column("difficulty", sa.Double(), server_default=_ZERO, nullable=False),
        sa.Column("reps", sa.Integer(), server_default=_ZERO, nullable=False),
        sa.Column("lapses", sa.Integer(), server_default=_ZERO, nullable=False),
        sa.Column("due_at", _TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("last_reviewed_at", _TZ, nullable=True),
        _created(),
        _updated(),
        _ck("flashcard_progress", "difficulty_range", "difficulty >= 0 AND difficulty <= 10"),
        _ck("flashcard_progress", "lapses_within_reps", "lapses <= reps"),
        _ck("flashcard_progress", "counters_non_negative", "reps >= 0 AND lapses >= 0"),
        _ck("flashcard_progress", "stability_non_negative", "stability >= 0"),
        _fk("flashcard_progress", "flashcard_id", "flashcards", "CASCADE"),
        _fk("flashcard_progress", "user_id", "users", "CASCADE"),
        _pk("flashcard_progress"),
        sa.UniqueConstraint(
            "user_id", "flashcard_id", name=op.f("uq_flashcard_progress_user_id_flashcard_id")
        ),
    )
    _index("flashcard_progress", "flashcard_id")
    _index("flashcard_progress", "user_id", "due_at")

    op.create_table(
        "practice_records",
        _id(),
        _ref("user_id"),
        _ref("study_session_id", nullable=True),
        _ref("flashcard_id", nullable=True),
        _ref("quiz_question_id", nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("is_correct", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("response_ms", sa.Integer(), nullable=True),
        sa.Column("answered_at", _TZ, server_default=sa.text("now()"), nullable=False),
        _created(),
        _ck(
            "practice_records",
            "exactly_one_target",
            "num_nonnulls(flashcard_id, quiz_question_id) = 1",
        ),
        _ck("practice_records", "rating_range", "rating >= 1 AND rating <= 4"),
        _ck(
            "practice_records",
            "rating_only_for_flashcards",
            "rating IS NULL OR flashcard_id IS NOT NULL",
        ),
        _ck("practice_records", "response_ms_non_negative", "response_ms >= 0"),
        _ck("practice_records", "score_range", "score >= 0 AND score <= 1"),
        _fk("practice_records", "flashcard_id", "flashcards", "CASCADE"),
        _fk("practice_records", "quiz_question_id", "quiz_questions", "CASCADE"),
        _fk("practice_records", "study_session_id", "study_sessions", "SET NULL"),
        _fk("practice_records", "user_id", "users", "CASCADE"),
        _pk("practice_records"),
    )
    for column in ("flashcard_id", "quiz_question_id", "study_session_id"):
        _index("practice_records", column)
    _index("practice_records", "user_id", "answered_at")


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes and
    # constraints with it. The vector extension stays: other schemas in the
    # database may use it, and CREATE EXTENSION IF NOT EXISTS makes the next
    # upgrade indifferent to it.
    for table in (
        "practice_records",
        "flashcard_progress",
        "study_sessions",
        "quiz_questions",
        "flashcards",
        "quizzes",
        "notes",
        "mind_maps",
        "flashcard_groups",
        "chats",
        "document_segments",
        "documents",
        "user_usage",
        "projects",
        "users",
    ):
        op.drop_table(table)
    bind = op.get_bind()
    for name in reversed(_ENUMS):
        postgresql.ENUM(name=name).drop(bind, checkfirst=False)
