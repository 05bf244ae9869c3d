"""Table snapshots and the expand/contract rules, on the real models' snapshot."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from edu_contracts.findings.modes import CompatibilityMode, Direction
from edu_contracts.tables.rules import TableChange, compare_table_history, compare_tables
from edu_contracts.tables.snapshot import normalize_sql, snapshot_metadata

TABLES = {
    "users", "projects", "documents", "document_segments", "chats", "flashcard_groups",
    "flashcards", "flashcard_progress", "quizzes", "quiz_questions", "notes", "mind_maps",
    "study_sessions", "practice_records", "user_usage",
}  # fmt: skip


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return snapshot_metadata()


@pytest.fixture
def new(base: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(base)


def _only(report: Any) -> Any:
    assert len(report.findings) == 1, [f.message for f in report.findings]
    return report.findings[0]


# --- snapshot -------------------------------------------------------------------------


def test_snapshot_has_every_table_and_is_stable_json(base: dict[str, Any]) -> None:
    assert set(base["tables"]) == TABLES
    text = json.dumps(base, sort_keys=False)
    assert json.loads(text) == snapshot_metadata()
    assert list(base["tables"]) == sorted(base["tables"])


def test_snapshot_records_the_vector_its_index_and_keys(base: dict[str, Any]) -> None:
    segments = base["tables"]["document_segments"]
    vector = segments["columns"]["embedding_vector"]
    assert vector == {"type": "VECTOR(3072)", "nullable": True, "default": None, "dimension": 3072}
    hnsw = segments["indexes"]["ix_document_segments_embedding_hnsw"]
    assert hnsw["using"] == "hnsw"
    assert hnsw["ops"] == ["halfvec_cosine_ops"]
    assert "halfvec(3072)" in hnsw["keys"][0]
    composite = segments["foreign_keys"]["fk_document_segments_document_id_project_id_documents"]
    assert composite["ondelete"] == "CASCADE"
    assert composite["onupdate"] == "CASCADE"
    assert composite["referred_columns"] == ["id", "project_id"]
    assert base["tables"]["users"]["unique_constraints"] == {
        "uq_users_email": {"columns": ["email"]}
    }
    assert base["enums"]["document_status"] == ["pending", "processing", "ready", "failed"]


def test_normalize_sql_ignores_what_postgres_adds() -> None:
    assert normalize_sql("((status = 'failed'::document_status) OR (error_message IS NULL))") == (
        normalize_sql("status = 'failed' OR error_message IS NULL")
    )
    assert normalize_sql("difficulty >= 0::double precision") == normalize_sql("difficulty >= 0")
    assert normalize_sql('"position" >= 0') == normalize_sql("position >= 0")
    assert normalize_sql("(embedding_vector::halfvec(3072))", strip_casts=False) != normalize_sql(
        "embedding_vector", strip_casts=False
    )


# --- rules ----------------------------------------------------------------------------


def test_identical_snapshots_have_no_findings(base: dict[str, Any], new: dict[str, Any]) -> None:
    report = compare_tables(base, new)
    assert report.compatible
    assert report.findings == ()


@pytest.mark.parametrize(
    ("column", "compatible"),
    [
        ({"type": "TEXT", "nullable": True, "default": None}, True),
        ({"type": "INTEGER", "nullable": False, "default": "0"}, True),
        ({"type": "TEXT", "nullable": False, "default": None}, False),
    ],
    ids=["nullable", "with-default", "not-null-without-default"],
)
def test_adding_a_column(
    base: dict[str, Any], new: dict[str, Any], column: dict[str, Any], compatible: bool
) -> None:
    new["tables"]["users"]["columns"]["nickname"] = column
    finding = _only(compare_tables(base, new))
    assert finding.change is TableChange.COLUMN_ADDED
    assert finding.pointer == "users.nickname"
    assert finding.compatible is compatible
    if not compatible:
        assert "old code" in finding.breaks
        assert "nullable" in finding.safe_path


def test_dropping_a_column_breaks_old_code(base: dict[str, Any], new: dict[str, Any]) -> None:
    del new["tables"]["notes"]["columns"]["title"]
    finding = _only(compare_tables(base, new))
    assert (finding.change, finding.pointer, finding.compatible) == (
        TableChange.COLUMN_REMOVED, "notes.title", False,
    )  # fmt: skip
    assert finding.direction is Direction.BACKWARD


def test_a_rename_is_named_as_one(base: dict[str, Any], new: dict[str, Any]) -> None:
    columns = new["tables"]["users"]["columns"]
    columns["name"] = columns.pop("display_name")
    finding = _only(compare_tables(base, new))
    assert finding.change is TableChange.COLUMN_RENAMED
    assert "'display_name'" in finding.message
    assert "'name'" in finding.message
    assert not finding.compatible


@pytest.mark.parametrize(
    ("table", "column", "new_type", "kind", "compatible"),
    [
        ("users", "email", "VARCHAR(100)", TableChange.TYPE_NARROWED, False),
        ("users", "email", "TEXT", TableChange.TYPE_WIDENED, True),
        ("documents", "page_count", "BIGINT", TableChange.TYPE_WIDENED, True),
        ("documents", "size_bytes", "INTEGER", TableChange.TYPE_NARROWED, False),
        ("documents", "page_count", "TEXT", TableChange.TYPE_CHANGED, False),
    ],
)
def test_type_changes(
    base: dict[str, Any],
    new: dict[str, Any],
    table: str,
    column: str,
    new_type: str,
    kind: TableChange,
    compatible: bool,
) -> None:
    new["tables"][table]["columns"][column]["type"] = new_type
    finding = _only(compare_tables(base, new))
    assert (finding.change, finding.pointer, finding.compatible) == (
        kind, f"{table}.{column}", compatible,
    )  # fmt: skip


def test_changing_the_vector_dimension_breaks(base: dict[str, Any], new: dict[str, Any]) -> None:
    column = new["tables"]["document_segments"]["columns"]["embedding_vector"]
    column.update(type="VECTOR(1536)", dimension=1536)
    finding = _only(compare_tables(base, new))
    assert finding.change is TableChange.VECTOR_DIMENSION_CHANGED
    assert finding.pointer == "document_segments.embedding_vector"
    assert "3072 -> 1536" in finding.message
    assert not finding.compatible


def test_not_null_without_default_breaks_with_default_does_not(
    base: dict[str, Any], new: dict[str, Any]
) -> None:
    new["tables"]["users"]["columns"]["display_name"]["nullable"] = False
    assert not _only(compare_tables(base, new)).compatible
    new["tables"]["users"]["columns"]["display_name"]["default"] = "''"
    report = compare_tables(base, new)
    assert report.compatible
    assert {f.change for f in report.findings} == {
        TableChange.NOT_NULL_ADDED,
        TableChange.DEFAULT_ADDED,
    }


def test_new_unique_and_check_constraints_break(base: dict[str, Any], new: dict[str, Any]) -> None:
    notes = new["tables"]["notes"]
    notes["unique_constraints"]["uq_notes_title"] = {"columns": ["title"]}
    notes["check_constraints"]["ck_notes_short"] = {"sqltext": "length(title) < 10"}
    report = compare_tables(base, new)
    kinds = {f.change: f for f in report.findings}
    assert set(kinds) == {TableChange.UNIQUE_ADDED, TableChange.CHECK_ADDED}
    assert not any(f.compatible for f in report.findings)
    assert kinds[TableChange.UNIQUE_ADDED].pointer == "notes (uq_notes_title)"


def test_dropping_a_check_is_safe_and_changing_one_is_not(
    base: dict[str, Any], new: dict[str, Any]
) -> None:
    checks = new["tables"]["practice_records"]["check_constraints"]
    del checks["ck_practice_records_rating_range"]
    assert compare_tables(base, new).compatible
    checks["ck_practice_records_score_range"]["sqltext"] = "score >= 0 AND score <= 100"
    finding = _only(compare_tables(base, new).with_findings(compare_tables(base, new).breaking))
    assert finding.change is TableChange.CHECK_CHANGED


def test_on_delete_change_breaks(base: dict[str, Any], new: dict[str, Any]) -> None:
    fks = new["tables"]["chats"]["foreign_keys"]
    name = next(n for n, fk in fks.items() if fk["ondelete"] == "SET NULL")
    fks[name]["ondelete"] = "CASCADE"
    finding = _only(compare_tables(base, new))
    assert finding.change is TableChange.FOREIGN_KEY_CHANGED
    assert "SET NULL -> CASCADE" in finding.message


def test_enum_values(base: dict[str, Any], new: dict[str, Any]) -> None:
    new["enums"]["document_status"] = ["pending", "processing", "ready", "failed", "archived"]
    assert _only(compare_tables(base, new)).compatible
    new["enums"]["document_status"] = ["pending", "ready", "failed"]
    finding = _only(compare_tables(base, new))
    assert finding.change is TableChange.ENUM_VALUE_REMOVED
    assert not finding.compatible


def test_tables_added_and_removed(base: dict[str, Any], new: dict[str, Any]) -> None:
    new["tables"]["tags"] = copy.deepcopy(base["tables"]["notes"])
    assert compare_tables(base, new).compatible
    del new["tables"]["tags"], new["tables"]["mind_maps"]
    finding = _only(compare_tables(base, new))
    assert (finding.change, finding.compatible) == (TableChange.TABLE_REMOVED, False)


def test_forward_and_full_judge_new_code_on_the_old_schema(
    base: dict[str, Any], new: dict[str, Any]
) -> None:
    new["tables"]["users"]["columns"]["bio"] = {"type": "TEXT", "nullable": True, "default": None}
    assert compare_tables(base, new, CompatibilityMode.BACKWARD).compatible
    forward = compare_tables(base, new, CompatibilityMode.FORWARD)
    assert _only(forward).direction is Direction.FORWARD
    assert not forward.compatible
    full = compare_tables(base, new, CompatibilityMode.FULL)
    assert {f.direction for f in full.findings} == {Direction.BACKWARD, Direction.FORWARD}
    assert compare_tables(base, new, CompatibilityMode.NONE).compatible


def test_history_is_transitive_only_in_transitive_modes(
    base: dict[str, Any], new: dict[str, Any]
) -> None:
    middle = copy.deepcopy(base)
    middle["tables"]["users"]["columns"]["bio"] = {
        "type": "TEXT",
        "nullable": True,
        "default": None,
    }
    current = copy.deepcopy(middle)
    del current["tables"]["users"]["columns"]["display_name"]
    latest_only = compare_table_history([base, middle], current, CompatibilityMode.BACKWARD)
    assert {f.against for f in latest_only.findings} == {1}
    every = compare_table_history([base, middle], current, CompatibilityMode.BACKWARD_TRANSITIVE)
    assert {f.against for f in every.findings} == {0, 1}
    assert compare_table_history([], current).findings == ()


def test_report_serialises_like_the_json_engine(base: dict[str, Any], new: dict[str, Any]) -> None:
    del new["tables"]["notes"]["columns"]["title"]
    data = compare_tables(base, new).to_dict()
    assert data["compatible"] is False
    assert data["findings"][0]["change"] == "COLUMN_REMOVED"
    assert data["findings"][0]["pointer"] == "notes.title"
    json.dumps(data)
