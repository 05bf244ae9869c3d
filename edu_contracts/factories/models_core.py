"""Factories for accounts, projects, documents, segments, usage and generated content.

Ownership flows from the user down: a project's documents, chats, notes and
mind maps belong to that project, and an artefact given a document takes the
document's project (a different one given explicitly is refused). A
project's topic is a function of its id, so every row under it talks about
the same subject without storing anything extra.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import sqlalchemy as sa

from edu_contracts.db.models import (
    Chat,
    Document,
    DocumentSegment,
    MindMap,
    Note,
    Project,
    User,
    UserUsage,
)
from edu_contracts.errors import FactoryError
from edu_contracts.factories import columns, content
from edu_contracts.factories.base import EduFactory, T
from edu_contracts.factories.context import FactoryContext
from edu_contracts.factories.streams import Entropy
from edu_contracts.factories.topics import topic_of
from edu_contracts.schemas.enums import DocumentStatus, UsagePeriod
from edu_contracts.schemas.jsonb import SegmentMetadata

__all__ = [
    "ArtefactFactory",
    "ChatFactory",
    "DocumentFactory",
    "DocumentSegmentFactory",
    "MindMapFactory",
    "NoteFactory",
    "ProjectFactory",
    "UserFactory",
    "UserUsageFactory",
    "topic_of",
]

_Nested = dict[str, dict[str, Any]]


class UserFactory(EduFactory[User]):
    __model__ = User
    __children__ = ("projects", "usage", "study_sessions")
    __computed__ = frozenset({"email", "display_name", "is_active"})

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        email, name = content.identity(entropy, given["id"])
        # Active unless asked: an inactive caller turns an API test into a 401 at random.
        return {"email": email, "display_name": name, "is_active": True}


class ProjectFactory(EduFactory[Project]):
    __model__ = Project
    __parents__ = ("user",)
    __children__ = (
        "documents",
        "chats",
        "flashcard_groups",
        "quizzes",
        "notes",
        "mind_maps",
        "study_sessions",
    )
    __computed__ = frozenset({"name", "description"})

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        name, description = content.project_text(entropy, topic_of(given["id"]))
        return {"name": name, "description": description}


class DocumentFactory(EduFactory[Document]):
    """A document in a status, with segments that status implies.

    Options: ``text`` (pasted text, chunked into the segments), ``embedded``
    (segments carry vectors; default: when the status is ``ready``). Without
    ``segments__count`` a ready document gets 3 segments, a processing one 2
    unembedded ones, pending and failed none: the worker's pipeline states.
    """

    __model__ = Document
    __parents__ = ("project",)
    __children__ = ("segments", "chats", "flashcard_groups", "quizzes", "notes", "mind_maps")
    __computed__ = frozenset(
        {
            "title",
            "source_kind",
            "source_uri",
            "mime_type",
            "size_bytes",
            "page_count",
            "content_sha256",
            "status",
            "error_message",
            "processed_at",
        }
    )
    __options__: ClassVar[dict[str, Any]] = {"text": None, "embedded": None}

    @classmethod
    def build(cls, *_: Any, **kwargs: Any) -> Document:
        status = DocumentStatus(kwargs.get("status", DocumentStatus.READY))
        kwargs["status"] = status
        default_count = {DocumentStatus.READY: 3, DocumentStatus.PROCESSING: 2}.get(status, 0)
        kwargs.setdefault("segments__count", default_count)
        embedded = kwargs.get("embedded")
        kwargs.setdefault(
            "segments__embedded", status is DocumentStatus.READY if embedded is None else embedded
        )
        return super().build(**kwargs)

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        return content.document_columns(
            entropy,
            context.clock,
            topic_of(given.get("project_id")),
            project_id=given.get("project_id"),
            document_id=given["id"],
            created_at=given["created_at"],
            status=DocumentStatus(given.get("status", DocumentStatus.READY)),
            text=options["text"],
        )

    @classmethod
    def build_children(
        cls, context: FactoryContext, row: Document, name: str, count: int, options: dict[str, Any]
    ) -> list[Any]:
        text = context.recall("document.text", row.id)
        if name != "segments" or text is None or "content" in options:
            return super().build_children(context, row, name, count, options)
        words = text.split()
        size = max(1, -(-len(words) // count))
        chunks = [" ".join(words[i : i + size]) for i in range(0, len(words), size)] or [text]
        factory = context.bind(DocumentSegmentFactory)
        return [factory.build(document=row, content=chunk, **options) for chunk in chunks]

    @classmethod
    def after_build(cls, context: FactoryContext, row: Document, options: dict[str, Any]) -> None:
        if options["text"] is not None:
            context.remember("document.text", row.id, options["text"])


class DocumentSegmentFactory(EduFactory[DocumentSegment]):
    """A chunk at the next free position of its document.

    Option ``embedded`` (default True) gives it a unit vector from its
    document's cluster, so nearest-neighbour queries find siblings first.
    """

    __model__ = DocumentSegment
    __parents__ = ("document",)
    __computed__ = frozenset(
        {
            "project_id",
            "position",
            "content",
            "token_count",
            "segment_metadata",
            "embedding_vector",
            "embedding_model",
        }
    )
    __options__: ClassVar[dict[str, Any]] = {"embedded": True}

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        document: Document = given["document"]
        if context.session is not None:
            with context.session.no_autoflush:
                siblings = list(document.segments)
        else:
            siblings = list(document.segments)
        position = max((s.position for s in siblings), default=-1) + 1
        start = max((s.segment_metadata.char_end or 0 for s in siblings), default=0)
        text = given.get("content") or content.segment_text(
            entropy, topic_of(document.project_id), entropy.random.randint(2, 6)
        )
        page = 1 + position // 3
        vector = None
        if options["embedded"]:
            centroid = context.embeddings.centroid(str(document.id))
            vector = context.embeddings.around(centroid, 1, entropy.numpy)[0]
        return {
            "project_id": document.project_id,
            "position": position,
            "content": text,
            "token_count": int(len(text.split()) * 1.3) + 1,
            "segment_metadata": SegmentMetadata(
                page=page,
                page_end=page,
                char_start=start,
                char_end=start + len(text),
                heading_path=(topic_of(document.project_id).name,),
            ),
            "embedding_vector": vector,
            "embedding_model": content.EMBEDDING_MODEL if vector is not None else None,
        }


class ArtefactFactory(EduFactory[T]):
    """Base of what a project generates from an optional source document.

    Chats, notes, mind maps, decks and quizzes belong to a project and may
    cite one of its documents; given a document, the project is inferred from
    it, so the two always agree.
    """

    __is_base_factory__ = True
    __parents__: ClassVar[tuple[str, ...]] = ("project",)
    __optional_parents__: ClassVar[tuple[str, ...]] = ("document",)

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        document = cls.parent(context, own, nested, "document")
        cls.parent(context, own, nested, "project", inferred=document.project if document else None)


class ChatFactory(ArtefactFactory[Chat]):
    """A chat whose assistant turns cite segments of its document (option ``turns``)."""

    __model__ = Chat
    __computed__ = frozenset({"title", "messages"})
    __options__: ClassVar[dict[str, Any]] = {"turns": None}

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        topic = topic_of(given["project_id"])
        document: Document | None = given.get("document")
        sources = [(s.id, document.id) for s in document.segments] if document else []
        turns = options["turns"] if options["turns"] is not None else entropy.random.randint(2, 8)
        return columns.chat_columns(entropy, topic, given["created_at"], turns, sources)


class NoteFactory(ArtefactFactory[Note]):
    __model__ = Note
    __computed__ = frozenset({"title", "content", "is_generated"})

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        topic = topic_of(given["project_id"])
        return columns.note_columns(entropy, topic, from_document=given.get("document") is not None)


class MindMapFactory(ArtefactFactory[MindMap]):
    __model__ = MindMap
    __computed__ = frozenset({"title", "graph"})

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        topic = topic_of(given["project_id"])
        document: Document | None = given.get("document")
        segment_ids = [s.id for s in document.segments] if document else []
        return columns.mind_map_columns(entropy, topic, segment_ids)


class UserUsageFactory(EduFactory[UserUsage]):
    """A usage row on a (user, period, start) key nobody holds yet.

    Starts walk back from the clock's day (or month) to the first free one,
    looking at rows this context made and, for a stored user, the database.
    """

    __model__ = UserUsage
    __parents__ = ("user",)
    __computed__ = frozenset(
        {
            "period",
            "period_start",
            "documents_uploaded",
            "pages_processed",
            "segments_embedded",
            "chat_messages",
            "input_tokens",
            "output_tokens",
            "items_generated",
        }
    )

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        period = UsagePeriod(given.get("period") or entropy.random.choice(list(UsagePeriod)))
        user: User = given["user"]
        taken: set[dt.date] = set()
        if context.persisted(user) and context.session is not None:
            with context.session.no_autoflush:
                taken = set(
                    context.session.scalars(
                        sa.select(UserUsage.period_start).where(
                            UserUsage.user_id == user.id, UserUsage.period == period
                        )
                    )
                )
        start: dt.date | None = given.get("period_start")
        if start is not None:
            if start in taken or not context.claim("user_usage", (user.id, period, start)):
                raise FactoryError(
                    f"user {user.id} already has a {period} usage row starting {start}",
                    where="UserUsageFactory(period_start=...)",
                    fix="omit period_start to get the next free one, or pick another date",
                )
        else:
            start = given["created_at"].date()
            if period is UsagePeriod.MONTH:
                start = start.replace(day=1)
            while start in taken or not context.claim("user_usage", (user.id, period, start)):
                start = (
                    start - dt.timedelta(days=1)
                    if period is UsagePeriod.DAY
                    else (start - dt.timedelta(days=1)).replace(day=1)
                )
        return {"period": period, "period_start": start, **content.usage_counters(entropy, period)}
