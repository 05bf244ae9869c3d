"""Typed shapes of every JSONB column.

JSONB is used only where a value is a document that is always read and
written whole (a chat transcript, a question's options, a mind-map graph,
where a chunk came from); everything that is queried or joined on is a real
column. Each shape is a frozen pydantic model so that the database layer can
validate on the way in *and* on the way out, and so that the released JSON
contracts describe the same structure the database holds.

Collections are tuples, not lists: a frozen value cannot be mutated in place,
so the ORM never misses a change (SQLAlchemy only sees reassignment of a
JSONB attribute). Append by building a new tuple.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from edu_contracts.schemas.enums import ChatRole

__all__ = [
    "ChatMessage",
    "ChatMessages",
    "Citation",
    "MindMapEdge",
    "MindMapGraph",
    "MindMapNode",
    "QuizOption",
    "QuizOptions",
    "SegmentMetadata",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class SegmentMetadata(BaseModel):
    """Where a segment sits in its source, so citations can point back at it."""

    model_config = _FROZEN

    page: int | None = Field(default=None, ge=1, description="1-based page the segment starts on")
    page_end: int | None = Field(default=None, ge=1, description="1-based page it ends on")
    heading_path: tuple[str, ...] = Field(
        default=(), description="Headings from the outermost down to the segment's section"
    )
    char_start: int | None = Field(default=None, ge=0, description="Offset in the extracted text")
    char_end: int | None = Field(default=None, ge=0, description="Exclusive end offset")

    @model_validator(mode="after")
    def _ranges_are_ordered(self) -> Self:
        # A reversed range would make a citation highlight nothing or the wrong text.
        if self.page is not None and self.page_end is not None and self.page_end < self.page:
            raise ValueError("page_end must not be before page")
        if (
            self.char_start is not None
            and self.char_end is not None
            and self.char_end < self.char_start
        ):
            raise ValueError("char_end must not be before char_start")
        return self


class Citation(BaseModel):
    """A pointer from an answer to the segment that supports it.

    ``document_id`` is kept beside ``segment_id`` so a citation still names
    its document after re-chunking replaced the segment.
    """

    model_config = _FROZEN

    segment_id: uuid.UUID
    document_id: uuid.UUID
    page: int | None = Field(default=None, ge=1)
    quote: str | None = Field(default=None, description="Excerpt shown to the learner")
    distance: float | None = Field(
        default=None, ge=0.0, le=2.0, description="Cosine distance of the retrieval hit"
    )


class ChatMessage(BaseModel):
    """One turn of a chat transcript."""

    model_config = _FROZEN

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    role: ChatRole
    content: str
    created_at: AwareDatetime
    citations: tuple[Citation, ...] = ()

    @model_validator(mode="after")
    def _only_answers_cite(self) -> Self:
        # Citations are retrieval evidence for a generated answer; on any other
        # role they would be shown to the learner as if the model had said them.
        if self.citations and self.role is not ChatRole.ASSISTANT:
            raise ValueError("only assistant messages carry citations")
        return self


def _unique_message_ids(messages: tuple[ChatMessage, ...]) -> tuple[ChatMessage, ...]:
    ids = [m.id for m in messages]
    if len(ids) != len(set(ids)):
        raise ValueError("chat message ids must be unique")
    return messages


ChatMessages = Annotated[tuple[ChatMessage, ...], AfterValidator(_unique_message_ids)]
"""The transcript stored in ``chats.messages``, oldest first."""


class QuizOption(BaseModel):
    """One answer option of a choice question."""

    model_config = _FROZEN

    key: str = Field(min_length=1, max_length=16, description="Stable key, e.g. 'a'")
    text: str = Field(min_length=1)
    is_correct: bool = False


def _valid_options(options: tuple[QuizOption, ...]) -> tuple[QuizOption, ...]:
    keys = [o.key for o in options]
    if len(keys) != len(set(keys)):
        raise ValueError("quiz option keys must be unique")
    # An empty tuple is allowed (short-answer questions); the database checks
    # that choice questions have options, the kind-specific rules are app-level.
    if options and not any(o.is_correct for o in options):
        raise ValueError("at least one quiz option must be correct")
    return options


QuizOptions = Annotated[tuple[QuizOption, ...], AfterValidator(_valid_options)]
"""The options stored in ``quiz_questions.options``, in display order."""


class MindMapNode(BaseModel):
    """A concept in a mind map; ``parent_id`` makes the tree, edges add cross-links."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    parent_id: str | None = None
    segment_ids: tuple[uuid.UUID, ...] = Field(
        default=(), description="Segments the concept was drawn from"
    )


class MindMapEdge(BaseModel):
    """A labelled cross-link between two nodes outside the parent tree."""

    model_config = _FROZEN

    source: str
    target: str
    label: str | None = None


class MindMapGraph(BaseModel):
    """The whole graph of ``mind_maps.graph``; validated as one so no edge dangles."""

    model_config = _FROZEN

    nodes: tuple[MindMapNode, ...] = ()
    edges: tuple[MindMapEdge, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        ids = [n.id for n in self.nodes]
        known = set(ids)
        if len(ids) != len(known):
            raise ValueError("mind map node ids must be unique")
        for node in self.nodes:
            if node.parent_id is not None and node.parent_id not in known:
                raise ValueError(f"node {node.id!r} has unknown parent {node.parent_id!r}")
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in known:
                    raise ValueError(f"edge {edge.source!r}->{edge.target!r} names unknown {end!r}")
        return self
