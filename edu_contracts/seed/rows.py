"""The rows of a scenario, as a stream of ``(table, row)`` with parents before children.

Why not the ORM factories: a 100,000-segment scenario through the ORM costs
minutes and gigabytes (every object stays in the identity map until
commit). This module draws the same kind of values from the same
:mod:`.content` functions, but yields plain dicts one user at a time, so
memory stays flat whatever the scenario's size and the loader can batch
them into COPY.

Each user's rows come from streams named after the user's index, so users
are independent: scenario ``load`` and scenario ``demo`` with one seed share
nothing by accident, and a change to how chats are drawn does not move any
vector.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from edu_contracts.factories import columns, content, learning
from edu_contracts.factories.embeddings import EmbeddingSpace
from edu_contracts.factories.streams import EPOCH, Clock, Entropy
from edu_contracts.factories.topics import Topic, topic_of
from edu_contracts.schemas.enums import (
    DocumentStatus,
    FlashcardState,
    QuizQuestionKind,
)
from edu_contracts.schemas.jsonb import SegmentMetadata
from edu_contracts.seed.rows_activity import Ids, Row, sessions, stamp, usage
from edu_contracts.seed.scenario import Scenario, document_statuses

__all__ = ["Row", "scenario_rows"]

_STATES = (FlashcardState.LEARNING, FlashcardState.REVIEW, FlashcardState.RELEARNING)


def scenario_rows(scenario: Scenario, seed: int) -> Iterator[tuple[str, Row]]:
    """Every row of ``scenario`` for ``seed``; the same sequence in every process."""
    root = Entropy(seed, "scenario")
    statuses = document_statuses(scenario)
    root.child("statuses").random.shuffle(statuses)
    space = EmbeddingSpace(root.child("embeddings"), spread=scenario.spread)
    per_user = scenario.projects * scenario.documents
    for index in range(scenario.users):
        yield from _user_rows(
            scenario,
            root.child("user", str(index)),
            index,
            statuses[index * per_user : (index + 1) * per_user],
            space,
        )


@dataclass
class _ProjectRows:
    """What one project's later rows refer to, filled in as its documents are written."""

    scenario: Scenario
    entropy: Entropy
    ids: Ids
    clock: Clock
    user_id: uuid.UUID
    project_id: uuid.UUID
    topic: Topic
    chunked: list[tuple[uuid.UUID, list[uuid.UUID]]] = field(default_factory=list)
    questions: list[Row] = field(default_factory=list)
    reviewed: list[uuid.UUID] = field(default_factory=list)

    def row(self, table: str, values: Row) -> tuple[str, Row]:
        return table, stamp(self.clock, values)


def _user_rows(
    scenario: Scenario,
    entropy: Entropy,
    index: int,
    statuses: list[str],
    space: EmbeddingSpace,
) -> Iterator[tuple[str, Row]]:
    ids = Ids(entropy)
    clock = Clock(entropy.child("clock"), start=EPOCH + dt.timedelta(hours=index))
    user_id = ids("users")
    email, name = content.identity(entropy.child("identity"), user_id)
    user = {"id": user_id, "email": email, "display_name": name, "is_active": True}
    yield "users", stamp(clock, user)
    for p in range(scenario.projects):
        project_id = ids("projects")
        project = _ProjectRows(
            scenario,
            entropy.child("project", str(p)),
            ids,
            clock,
            user_id,
            project_id,
            topic_of(project_id),
        )
        name_, description = content.project_text(project.entropy, project.topic)
        yield project.row(
            "projects",
            {"id": project_id, "user_id": user_id, "name": name_, "description": description},
        )
        for d in range(scenario.documents):
            status = DocumentStatus(statuses[p * scenario.documents + d])
            yield from _document_rows(project, d, status, space)
        yield from _project_rest(project)
        yield from sessions(
            scenario,
            project.entropy,
            ids,
            clock,
            user_id,
            project_id,
            project.reviewed,
            project.questions,
        )
    yield from usage(scenario, entropy.child("usage"), ids, clock, user_id)


def _document_rows(
    project: _ProjectRows, number: int, status: DocumentStatus, space: EmbeddingSpace
) -> Iterator[tuple[str, Row]]:
    """A document, its segments, and the study material generated from it."""
    entropy = project.entropy.child("document", str(number))
    doc_id = project.ids("documents")
    table, doc = project.row("documents", {"id": doc_id, "project_id": project.project_id})
    doc.update(
        content.document_columns(
            entropy,
            project.clock,
            project.topic,
            project_id=project.project_id,
            document_id=doc_id,
            created_at=doc["created_at"],
            status=status,
        )
    )
    yield table, doc
    segment_ids: list[uuid.UUID] = []
    if status in (DocumentStatus.READY, DocumentStatus.PROCESSING):
        embedded = status is DocumentStatus.READY
        yield from _segment_rows(project, entropy, doc_id, embedded, space, segment_ids)
        project.chunked.append((doc_id, segment_ids))
    cite = entropy.child("cite").random
    for _ in range(project.scenario.notes):
        note = columns.note_columns(entropy, project.topic, from_document=True)
        yield project.row(
            "notes",
            {"id": project.ids("notes"), "project_id": project.project_id, "document_id": doc_id}
            | note,
        )
    for _ in range(project.scenario.flashcard_groups):
        yield from _deck_rows(project, entropy, doc_id, segment_ids, cite)
    for _ in range(project.scenario.quizzes):
        yield from _quiz_rows(project, entropy, doc_id, segment_ids, cite)


def _segment_rows(
    project: _ProjectRows,
    entropy: Entropy,
    doc_id: uuid.UUID,
    embedded: bool,
    space: EmbeddingSpace,
    segment_ids: list[uuid.UUID],
) -> Iterator[tuple[str, Row]]:
    count = project.scenario.segments
    vectors = (
        space.around(space.centroid(str(doc_id)), count, entropy.child("vec").numpy)
        if embedded and count
        else None
    )
    char = 0
    for position in range(count):
        text = content.segment_text(entropy, project.topic, 2 + position % 5)
        seg_id = project.ids("document_segments")
        segment_ids.append(seg_id)
        page = 1 + position // 3
        metadata = SegmentMetadata(
            page=page,
            page_end=page,
            char_start=char,
            char_end=char + len(text),
            heading_path=(project.topic.name,),
        )
        yield project.row(
            "document_segments",
            {
                "id": seg_id,
                "document_id": doc_id,
                "project_id": project.project_id,
                "position": position,
                "content": text,
                "token_count": int(len(text.split()) * 1.3) + 1,
                "segment_metadata": metadata,
                "embedding_vector": vectors[position] if vectors is not None else None,
                "embedding_model": content.EMBEDDING_MODEL if embedded else None,
            },
        )
        char += len(text) + 1


def _deck_rows(
    project: _ProjectRows,
    entropy: Entropy,
    doc_id: uuid.UUID,
    segment_ids: list[uuid.UUID],
    cite: random.Random,
) -> Iterator[tuple[str, Row]]:
    """A flashcard group, its cards, and the learner's progress on some of them."""
    group_id = project.ids("flashcard_groups")
    yield project.row(
        "flashcard_groups",
        {"id": group_id, "project_id": project.project_id, "document_id": doc_id}
        | columns.flashcard_group_columns(project.topic),
    )
    cards = []
    for position in range(project.scenario.flashcards):
        front, back = content.flashcard_sides(entropy, project.topic)
        card_id = project.ids("flashcards")
        cards.append(card_id)
        yield project.row(
            "flashcards",
            {
                "id": card_id,
                "group_id": group_id,
                "position": position,
                "source_segment_id": cite.choice(segment_ids) if segment_ids else None,
                "front": front,
                "back": back,
            },
        )
    picked = entropy.random.sample(
        cards, round(project.scenario.flashcards * project.scenario.reviewed)
    )
    for card_id in picked:
        state = entropy.random.choice(_STATES)
        table, progress = project.row(
            "flashcard_progress",
            {
                "id": project.ids("flashcard_progress"),
                "user_id": project.user_id,
                "flashcard_id": card_id,
            },
        )
        progress.update(learning.fsrs_state(entropy, state, progress["created_at"]))
        project.reviewed.append(card_id)
        yield table, progress


def _quiz_rows(
    project: _ProjectRows,
    entropy: Entropy,
    doc_id: uuid.UUID,
    segment_ids: list[uuid.UUID],
    cite: random.Random,
) -> Iterator[tuple[str, Row]]:
    quiz_id = project.ids("quizzes")
    yield project.row(
        "quizzes",
        {"id": quiz_id, "project_id": project.project_id, "document_id": doc_id}
        | columns.quiz_columns(entropy, project.topic),
    )
    for position in range(project.scenario.quiz_questions):
        kind = entropy.random.choice(list(QuizQuestionKind))
        table, question = project.row(
            "quiz_questions",
            {
                "id": project.ids("quiz_questions"),
                "quiz_id": quiz_id,
                "position": position,
                "kind": kind,
                "source_segment_id": cite.choice(segment_ids) if segment_ids else None,
                **learning.quiz_question(entropy, project.topic, kind),
            },
        )
        project.questions.append(question)
        yield table, question


def _project_rest(project: _ProjectRows) -> Iterator[tuple[str, Row]]:
    """Chats and mind maps, each about one of the project's chunked documents (or none)."""
    entropy, chunked = project.entropy, project.chunked
    for _ in range(project.scenario.chats):
        doc = entropy.random.choice(chunked) if chunked else None
        sources = [(seg, doc[0]) for seg in doc[1]] if doc else []
        table, chat = project.row(
            "chats",
            {
                "id": project.ids("chats"),
                "project_id": project.project_id,
                "document_id": doc[0] if doc else None,
            },
        )
        chat.update(
            columns.chat_columns(
                entropy, project.topic, chat["created_at"], project.scenario.chat_turns, sources
            )
        )
        yield table, chat
    for _ in range(project.scenario.mind_maps):
        doc = entropy.random.choice(chunked) if chunked else None
        yield project.row(
            "mind_maps",
            {
                "id": project.ids("mind_maps"),
                "project_id": project.project_id,
                "document_id": doc[0] if doc else None,
            }
            | columns.mind_map_columns(entropy, project.topic, doc[1] if doc else ()),
        )
