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
import uuid
from collections.abc import Iterator

from edu_contracts.factories import content, learning
from edu_contracts.factories.embeddings import EmbeddingSpace
from edu_contracts.factories.entropy import EPOCH, Clock, Entropy
from edu_contracts.factories.topics import topic_of
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


def _user_rows(
    s: Scenario,
    e: Entropy,
    index: int,
    statuses: list[str],
    space: EmbeddingSpace,
) -> Iterator[tuple[str, Row]]:
    ids = Ids(e)
    clock = Clock(e.child("clock"), start=EPOCH + dt.timedelta(hours=index))
    user_id = ids("users")
    email, name = content.identity(e.child("identity"), user_id)
    user = stamp(clock, {"id": user_id, "email": email, "display_name": name, "is_active": True})
    yield "users", user
    for p in range(s.projects):
        project_id = ids("projects")
        topic = topic_of(project_id)
        pe = e.child("project", str(p))
        name_, description = content.project_text(pe, topic)
        project = {"id": project_id, "user_id": user_id, "name": name_, "description": description}
        yield "projects", stamp(clock, project)
        chunked: list[tuple[uuid.UUID, list[uuid.UUID]]] = []
        questions: list[Row] = []
        cards: list[uuid.UUID] = []
        reviewed: list[uuid.UUID] = []
        groups: list[uuid.UUID] = []
        quizzes: list[uuid.UUID] = []
        for d in range(s.documents):
            status = DocumentStatus(statuses[p * s.documents + d])
            de = pe.child("document", str(d))
            doc_id = ids("documents")
            doc: Row = stamp(clock, {"id": doc_id, "project_id": project_id})
            doc.update(
                content.document_columns(
                    de,
                    clock,
                    topic,
                    project_id=project_id,
                    document_id=doc_id,
                    created_at=doc["created_at"],
                    status=status,
                )
            )
            yield "documents", doc
            segment_ids: list[uuid.UUID] = []
            if status in (DocumentStatus.READY, DocumentStatus.PROCESSING):
                embedded = status is DocumentStatus.READY
                vectors = (
                    space.around(space.centroid(str(doc_id)), s.segments, de.child("vec").numpy)
                    if embedded and s.segments
                    else None
                )
                char = 0
                for position in range(s.segments):
                    text = content.segment_text(de, topic, 2 + position % 5)
                    seg_id = ids("document_segments")
                    segment_ids.append(seg_id)
                    page = 1 + position // 3
                    yield (
                        "document_segments",
                        stamp(
                            clock,
                            {
                                "id": seg_id,
                                "document_id": doc_id,
                                "project_id": project_id,
                                "position": position,
                                "content": text,
                                "token_count": int(len(text.split()) * 1.3) + 1,
                                "segment_metadata": SegmentMetadata(
                                    page=page,
                                    page_end=page,
                                    char_start=char,
                                    char_end=char + len(text),
                                    heading_path=(topic.name,),
                                ),
                                "embedding_vector": vectors[position]
                                if vectors is not None
                                else None,
                                "embedding_model": content.EMBEDDING_MODEL if embedded else None,
                            },
                        ),
                    )
                    char += len(text) + 1
                chunked.append((doc_id, segment_ids))
            cite = de.child("cite").random
            for _ in range(s.notes):
                title = f"{topic.name}: summary"
                yield (
                    "notes",
                    stamp(
                        clock,
                        {
                            "id": ids("notes"),
                            "project_id": project_id,
                            "document_id": doc_id,
                            "title": title,
                            "content": content.markdown_note(de, topic, title),
                            "is_generated": True,
                        },
                    ),
                )
            for _ in range(s.flashcard_groups):
                group_id = ids("flashcard_groups")
                groups.append(group_id)
                yield (
                    "flashcard_groups",
                    stamp(
                        clock,
                        {
                            "id": group_id,
                            "project_id": project_id,
                            "document_id": doc_id,
                            "title": f"{topic.name}: key terms",
                            "description": f"Flashcards for revising {topic.name.lower()}.",
                        },
                    ),
                )
                group_cards = []
                for position in range(s.flashcards):
                    front, back = content.flashcard_sides(de, topic)
                    card_id = ids("flashcards")
                    group_cards.append(card_id)
                    yield (
                        "flashcards",
                        stamp(
                            clock,
                            {
                                "id": card_id,
                                "group_id": group_id,
                                "position": position,
                                "source_segment_id": cite.choice(segment_ids)
                                if segment_ids
                                else None,
                                "front": front,
                                "back": back,
                            },
                        ),
                    )
                cards.extend(group_cards)
                picked = de.random.sample(group_cards, round(s.flashcards * s.reviewed))
                for card_id in picked:
                    state = de.random.choice(_STATES)
                    row = stamp(
                        clock,
                        {
                            "id": ids("flashcard_progress"),
                            "user_id": user_id,
                            "flashcard_id": card_id,
                        },
                    )
                    row.update(learning.fsrs_state(de, state, row["created_at"]))
                    reviewed.append(card_id)
                    yield "flashcard_progress", row
            for _ in range(s.quizzes):
                quiz_id = ids("quizzes")
                quizzes.append(quiz_id)
                yield (
                    "quizzes",
                    stamp(
                        clock,
                        {
                            "id": quiz_id,
                            "project_id": project_id,
                            "document_id": doc_id,
                            "title": f"{topic.name} practice quiz",
                            "description": f"Check your understanding of {topic.name.lower()}.",
                            "time_limit_seconds": de.random.choice((None, 600, 900)),
                        },
                    ),
                )
                for position in range(s.quiz_questions):
                    kind = de.random.choice(list(QuizQuestionKind))
                    question = stamp(
                        clock,
                        {
                            "id": ids("quiz_questions"),
                            "quiz_id": quiz_id,
                            "position": position,
                            "kind": kind,
                            "source_segment_id": cite.choice(segment_ids) if segment_ids else None,
                            **learning.quiz_question(de, topic, kind),
                        },
                    )
                    questions.append(question)
                    yield "quiz_questions", question
        yield from _project_rest(s, pe, ids, clock, user_id, project_id, chunked)
        yield from sessions(s, pe, ids, clock, user_id, project_id, reviewed, questions)
    yield from usage(s, e.child("usage"), ids, clock, user_id)


def _project_rest(
    s: Scenario,
    e: Entropy,
    ids: Ids,
    clock: Clock,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    chunked: list[tuple[uuid.UUID, list[uuid.UUID]]],
) -> Iterator[tuple[str, Row]]:
    topic = topic_of(project_id)
    for _ in range(s.chats):
        doc = e.random.choice(chunked) if chunked else None
        sources = [(seg, doc[0]) for seg in doc[1]] if doc else []
        row = stamp(
            clock,
            {
                "id": ids("chats"),
                "project_id": project_id,
                "document_id": doc[0] if doc else None,
                "title": f"Questions about {e.random.choice(topic.terms).name}",
            },
        )
        row["messages"] = content.chat_transcript(
            e, topic, row["created_at"], s.chat_turns, sources
        )
        yield "chats", row
    for _ in range(s.mind_maps):
        doc = e.random.choice(chunked) if chunked else None
        yield (
            "mind_maps",
            stamp(
                clock,
                {
                    "id": ids("mind_maps"),
                    "project_id": project_id,
                    "document_id": doc[0] if doc else None,
                    "title": f"{topic.name} concept map",
                    "graph": content.mind_map_graph(e, topic, doc[1] if doc else ()),
                },
            ),
        )
