"""JSONB columns hold validated pydantic values, in and out of the database."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TypeVar

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from edu_contracts.db.models import Chat, DocumentSegment, MindMap, QuizQuestion
from edu_contracts.db.types import PydanticJSONB
from edu_contracts.schemas.enums import ChatRole
from edu_contracts.schemas.jsonb import (
    ChatMessage,
    ChatMessages,
    Citation,
    MindMapEdge,
    MindMapGraph,
    MindMapNode,
    QuizOption,
    SegmentMetadata,
)
from edu_contracts.schemas.read import (
    ChatRead,
    DocumentRead,
    MindMapRead,
    PracticeRecordRead,
    QuizQuestionRead,
    UserRead,
)
from tests.db._graph import Graph, build_graph

T = TypeVar("T")
NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def graph(edu_session: Session) -> Graph:
    return build_graph(edu_session)


def _reload(session: Session, obj: T) -> T:
    session.flush()
    session.expire_all()
    fresh = session.get(type(obj), obj.id)  # type: ignore[attr-defined]
    assert fresh is not None
    return fresh


def test_chat_transcript_with_citations_round_trips(edu_session: Session, graph: Graph) -> None:
    citation = Citation(
        segment_id=graph.segment.id, document_id=graph.document.id, page=3, distance=0.12
    )
    messages = (
        ChatMessage(role=ChatRole.USER, content="Why do cells divide?", created_at=NOW),
        ChatMessage(
            role=ChatRole.ASSISTANT, content="To grow.", created_at=NOW, citations=(citation,)
        ),
    )
    graph.chat.messages = (*graph.chat.messages, *messages)
    chat = _reload(edu_session, graph.chat)
    assert chat.messages == messages
    assert ChatRead.model_validate(chat).messages == messages


def test_quiz_options_and_mind_map_round_trip(edu_session: Session, graph: Graph) -> None:
    graph.mind_map.graph = MindMapGraph(
        nodes=(
            MindMapNode(id="cell", label="Cell"),
            MindMapNode(id="dna", label="DNA", parent_id="cell"),
        ),
        edges=(MindMapEdge(source="dna", target="cell", label="inside"),),
    )
    mind_map = _reload(edu_session, graph.mind_map)
    assert MindMapRead.model_validate(mind_map).graph.nodes[1].parent_id == "cell"
    question = edu_session.get(QuizQuestion, graph.question.id)
    assert question is not None
    assert QuizQuestionRead.model_validate(question).options[0].is_correct


def test_segment_metadata_defaults_and_round_trips(edu_session: Session, graph: Graph) -> None:
    assert _reload(edu_session, graph.segment).segment_metadata == SegmentMetadata()
    metadata = SegmentMetadata(
        page=2, page_end=3, heading_path=("Cells", "Mitosis"), char_start=10, char_end=90
    )
    graph.segment.segment_metadata = metadata
    assert _reload(edu_session, graph.segment).segment_metadata == metadata


def test_server_defaults_load_as_valid_values(edu_session: Session, graph: Graph) -> None:
    # Rows inserted by raw SQL (other services, seeds) get the server defaults,
    # which must themselves be valid values of the column's model.
    chat_id, map_id = uuid.uuid4(), uuid.uuid4()
    for table, row_id in (("chats", chat_id), ("mind_maps", map_id)):
        edu_session.execute(
            sa.text(f"INSERT INTO {table} (id, project_id, title) VALUES (:id, :p, 't')"),
            {"id": row_id, "p": graph.project.id},
        )
    assert edu_session.get(Chat, chat_id).messages == ()  # type: ignore[union-attr]
    assert edu_session.get(MindMap, map_id).graph == MindMapGraph()  # type: ignore[union-attr]


def test_invalid_value_is_refused_before_it_reaches_the_database(
    edu_session: Session, graph: Graph
) -> None:
    graph.question.options = ({"key": "a", "text": "only wrong answers"},)  # type: ignore[assignment]
    with pytest.raises(StatementError) as info:
        edu_session.flush()
    assert isinstance(info.value.orig, ValidationError)


def test_invalid_stored_json_fails_loudly_on_load(edu_session: Session, graph: Graph) -> None:
    edu_session.execute(
        sa.text("UPDATE document_segments SET segment_metadata = '{\"page\": 0}' WHERE id = :id"),
        {"id": graph.segment.id},
    )
    edu_session.expire_all()
    with pytest.raises(ValidationError):
        edu_session.get(DocumentSegment, graph.segment.id)


def test_read_models_load_from_orm_rows(edu_session: Session, graph: Graph) -> None:
    user = _reload(edu_session, graph.user)
    read = UserRead.model_validate(user)
    assert read.email == graph.user.email
    assert read.created_at.tzinfo is not None
    assert DocumentRead.model_validate(graph.document).status == "pending"
    assert PracticeRecordRead.model_validate(graph.record).rating == 3


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (SegmentMetadata, {"page": 3, "page_end": 2}),
        (SegmentMetadata, {"char_start": 9, "char_end": 1}),
        (SegmentMetadata, {"page": 1, "unexpected": True}),
        (
            ChatMessage,
            {
                "role": "user",
                "content": "hi",
                "created_at": NOW,
                "citations": [{"segment_id": uuid.uuid4(), "document_id": uuid.uuid4()}],
            },
        ),
        (
            ChatMessage,
            {"role": "user", "content": "naive time", "created_at": dt.datetime(2026, 1, 1)},
        ),
        (MindMapGraph, {"nodes": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}),
        (MindMapGraph, {"nodes": [{"id": "a", "label": "A", "parent_id": "zz"}]}),
        (
            MindMapGraph,
            {"nodes": [{"id": "a", "label": "A"}], "edges": [{"source": "a", "target": "b"}]},
        ),
        (QuizOption, {"key": "", "text": "x"}),
    ],
)
def test_jsonb_shapes_reject_inconsistent_values(model: type, data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(data)  # type: ignore[attr-defined]


def test_jsonb_values_are_immutable() -> None:
    option = QuizOption(key="a", text="x", is_correct=True)
    with pytest.raises(ValidationError):
        option.text = "y"  # type: ignore[misc]


@given(
    st.builds(
        SegmentMetadata,
        page=st.none() | st.integers(1, 10_000),
        heading_path=st.lists(st.text(max_size=20), max_size=4).map(tuple),
        char_start=st.none() | st.integers(0, 10**9),
    )
)
def test_pydantic_jsonb_round_trips_through_json(metadata: SegmentMetadata) -> None:
    # What the type binds must survive JSON text (as JSONB stores it) and
    # come back equal: no datetimes, tuples or UUIDs lost on the way.
    column_type = PydanticJSONB(SegmentMetadata)
    dialect = postgresql.dialect()
    stored = json.loads(json.dumps(column_type.process_bind_param(metadata, dialect)))
    assert column_type.process_result_value(stored, dialect) == metadata


def test_chat_messages_round_trip_through_json() -> None:
    column_type = PydanticJSONB(ChatMessages)
    dialect = postgresql.dialect()
    citation = Citation(segment_id=uuid.uuid4(), document_id=uuid.uuid4())
    messages = (
        ChatMessage(role=ChatRole.ASSISTANT, content="a", created_at=NOW, citations=(citation,)),
    )
    stored = json.loads(json.dumps(column_type.process_bind_param(messages, dialect)))
    assert column_type.process_result_value(stored, dialect) == messages
