"""Static rules of the model layer that no database is needed to check."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

import edu_contracts.db.models as models
from edu_contracts.db.base import EMBEDDING_DIM, Base
from edu_contracts.schemas.jsonb import MindMapGraph, SegmentMetadata

SEED_TABLES = {
    "users": "User",
    "projects": "Project",
    "documents": "Document",
    "document_segments": "DocumentSegment",
    "chats": "Chat",
    "flashcard_groups": "FlashcardGroup",
    "flashcards": "Flashcard",
    "flashcard_progress": "FlashcardProgress",
    "quizzes": "Quiz",
    "quiz_questions": "QuizQuestion",
    "notes": "Note",
    "mind_maps": "MindMap",
    "study_sessions": "StudySession",
    "practice_records": "PracticeRecord",
    "user_usage": "UserUsage",
}


def test_exactly_the_seed_tables_and_class_names() -> None:
    mapped = {m.local_table.name: m.class_.__name__ for m in Base.registry.mappers}
    assert mapped == SEED_TABLES
    assert set(Base.metadata.tables) == set(SEED_TABLES)


def test_models_package_exports_exactly_the_15_classes_sorted() -> None:
    assert models.__all__ == sorted(SEED_TABLES.values())
    for name in models.__all__:
        assert getattr(models, name).__tablename__ in SEED_TABLES


def test_every_foreign_key_spells_out_on_delete() -> None:
    missing = [
        f"{fk.parent.table.name}.{fk.parent.name}"
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.ondelete not in {"CASCADE", "SET NULL"}
    ]
    assert missing == []


def test_set_null_only_on_nullable_columns() -> None:
    # SET NULL on a NOT NULL column would turn a parent delete into an error.
    wrong = [
        f"{fk.parent.table.name}.{fk.parent.name}"
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.ondelete == "SET NULL" and not fk.parent.nullable
    ]
    assert wrong == []


def test_every_constraint_is_named_by_the_convention() -> None:
    prefixes = {
        sa.CheckConstraint: "ck_",
        sa.UniqueConstraint: "uq_",
        sa.ForeignKeyConstraint: "fk_",
        sa.PrimaryKeyConstraint: "pk_",
    }
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            name = str(constraint.name)
            assert name.startswith(prefixes[type(constraint)] + table.name), name
            assert len(name) <= 63, name  # Postgres would silently truncate
        for index in table.indexes:
            assert str(index.name).startswith(f"ix_{table.name}_"), index.name


def test_segment_embedding_is_a_nullable_3072_vector() -> None:
    column = Base.metadata.tables["document_segments"].c.embedding_vector
    assert column.nullable
    assert column.type.dim == EMBEDDING_DIM == 3072
    fk_targets = {
        fk.target_fullname
        for fk in Base.metadata.tables["document_segments"].c.document_id.foreign_keys
    }
    assert "documents.id" in fk_targets


def test_every_timestamp_is_timezone_aware() -> None:
    naive = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, sa.DateTime) and not column.type.timezone
    ]
    assert naive == []


def test_schemas_never_import_the_database_layer() -> None:
    # Data flows one way; checked in a fresh interpreter so this test
    # process's own imports of edu_contracts.db cannot hide a violation.
    code = (
        "import sys, edu_contracts.schemas.read, edu_contracts.schemas.jsonb, "
        "edu_contracts.schemas.enums; "
        "bad = sorted(m for m in sys.modules if m.startswith(('edu_contracts.db', 'sqlalchemy'))); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_create_all_emits_the_hnsw_expression_index() -> None:
    index = next(
        ix
        for ix in Base.metadata.tables["document_segments"].indexes
        if ix.name == "ix_document_segments_embedding_hnsw"
    )
    ddl = str(CreateIndex(index).compile(dialect=postgresql.dialect()))
    assert ddl.endswith(
        "ON document_segments USING hnsw ((embedding_vector::halfvec(3072)) halfvec_cosine_ops)"
    )


def test_jsonb_columns_say_what_they_hold() -> None:
    tables = Base.metadata.tables
    assert tables["chats"].c.messages.type.python_type is tuple
    assert tables["mind_maps"].c.graph.type.python_type is MindMapGraph
    assert tables["document_segments"].c.segment_metadata.type.python_type is SegmentMetadata
