"""Factories for every queue message, its payload and the envelope; and tasks built from rows.

polyfactory fills the pydantic models from their constraints (counts in
range, enums, UUIDs); these factories add what constraints cannot say: a
realistic BCP 47 language instead of a string that merely matches the
pattern, the contract version this code writes, and, through the bound
context, message ids and timestamps that one seed repeats exactly.

:func:`task_from_rows` is what a test of a consumer needs: a message whose
ids name rows that exist and belong together (the user owns the project,
which holds the documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from polyfactory.factories.pydantic_factory import ModelFactory
from pydantic import BaseModel

from edu_contracts.db.models import Document, Project, User
from edu_contracts.errors import FactoryError
from edu_contracts.factories.base import default_context
from edu_contracts.factories.context import FactoryContext
from edu_contracts.factories.streams import _shared_faker
from edu_contracts.schemas import queue as q

__all__ = [
    "MESSAGE_FACTORIES",
    "PAYLOAD_FACTORIES",
    "DocumentDeletionDataFactory",
    "DocumentDeletionMessageFactory",
    "DocumentProcessingDataFactory",
    "DocumentProcessingMessageFactory",
    "FlashcardGenerationDataFactory",
    "FlashcardGenerationMessageFactory",
    "MindMapGenerationDataFactory",
    "MindMapGenerationMessageFactory",
    "NoteGenerationDataFactory",
    "NoteGenerationMessageFactory",
    "QuizGenerationDataFactory",
    "QuizGenerationMessageFactory",
    "TaskEnvelopeFactory",
    "task_from_rows",
]

M = TypeVar("M", bound=BaseModel)
_LANGUAGES = ("en", "en", "en", "de", "fr", "es", "pt-BR", "nl", "it", "en-GB")


class _ContextFactory(ModelFactory[M], Generic[M]):
    """A pydantic factory whose random sources come from a ``FactoryContext``."""

    __is_base_factory__ = True
    __context__: ClassVar[FactoryContext | None] = None
    __unbound__: ClassVar[type[Any] | None] = None

    @classmethod
    def _bind_to(cls, context: FactoryContext) -> type[Any]:
        attrs = {
            "__model__": cls.__model__,
            "__context__": context,
            "__unbound__": cls,
            "__random__": context.stream(f"message.{cls.__model__.__name__}").random,
            "__faker__": _shared_faker(),
            "__check_model__": False,
        }
        return type(f"{cls.__name__}Bound", (cls,), attrs)

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> M:
        if cls.__context__ is None:
            bound: type[_ContextFactory[M]] = default_context().bind(cls)
            return bound.build(*args, **kwargs)
        context = cls.__context__
        entropy = context.stream(f"message.{cls.__model__.__name__}")
        fields = cls.__model__.model_fields
        if "language" in fields:
            kwargs.setdefault("language", entropy.random.choice(_LANGUAGES))
        if "message_id" in fields:
            kwargs.setdefault("message_id", context.uuid("messages"))
            kwargs.setdefault("created_at", context.clock.tick())
            kwargs.setdefault("contract_version", q.CONTRACT_VERSION)
            kwargs.setdefault("correlation_id", f"req-{entropy.hex(16)}")
        with entropy.faker():
            return super().build(*args, **kwargs)


class TaskEnvelopeFactory(_ContextFactory[q.TaskEnvelope]):
    __model__ = q.TaskEnvelope


class DocumentProcessingDataFactory(_ContextFactory[q.DocumentProcessingData]):
    __model__ = q.DocumentProcessingData


class DocumentDeletionDataFactory(_ContextFactory[q.DocumentDeletionData]):
    __model__ = q.DocumentDeletionData


class FlashcardGenerationDataFactory(_ContextFactory[q.FlashcardGenerationData]):
    __model__ = q.FlashcardGenerationData


class QuizGenerationDataFactory(_ContextFactory[q.QuizGenerationData]):
    __model__ = q.QuizGenerationData


class NoteGenerationDataFactory(_ContextFactory[q.NoteGenerationData]):
    __model__ = q.NoteGenerationData


class MindMapGenerationDataFactory(_ContextFactory[q.MindMapGenerationData]):
    __model__ = q.MindMapGenerationData


class _MessageFactory(_ContextFactory[M], Generic[M]):
    """Builds ``data`` with the payload factory, so its language is realistic too."""

    __is_base_factory__ = True
    __payload__: ClassVar[type[_ContextFactory[Any]]]

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> M:
        if cls.__context__ is not None and "data" not in kwargs:
            kwargs["data"] = cls.__context__.bind(cls.__payload__).build()
        return super().build(*args, **kwargs)


class DocumentProcessingMessageFactory(_MessageFactory[q.DocumentProcessingMessage]):
    __model__ = q.DocumentProcessingMessage
    __payload__ = DocumentProcessingDataFactory


class DocumentDeletionMessageFactory(_MessageFactory[q.DocumentDeletionMessage]):
    __model__ = q.DocumentDeletionMessage
    __payload__ = DocumentDeletionDataFactory


class FlashcardGenerationMessageFactory(_MessageFactory[q.FlashcardGenerationMessage]):
    __model__ = q.FlashcardGenerationMessage
    __payload__ = FlashcardGenerationDataFactory


class QuizGenerationMessageFactory(_MessageFactory[q.QuizGenerationMessage]):
    __model__ = q.QuizGenerationMessage
    __payload__ = QuizGenerationDataFactory


class NoteGenerationMessageFactory(_MessageFactory[q.NoteGenerationMessage]):
    __model__ = q.NoteGenerationMessage
    __payload__ = NoteGenerationDataFactory


class MindMapGenerationMessageFactory(_MessageFactory[q.MindMapGenerationMessage]):
    __model__ = q.MindMapGenerationMessage
    __payload__ = MindMapGenerationDataFactory


MESSAGE_FACTORIES: dict[str, type[_ContextFactory[Any]]] = {
    "document_processing": DocumentProcessingMessageFactory,
    "flashcard_generation": FlashcardGenerationMessageFactory,
    "quiz_generation": QuizGenerationMessageFactory,
    "note_generation": NoteGenerationMessageFactory,
    "mind_map_generation": MindMapGenerationMessageFactory,
    "document_deletion": DocumentDeletionMessageFactory,
}
"""Message factory per task ``type``; a test checks it covers ``TASK_TYPES``."""

PAYLOAD_FACTORIES: dict[str, type[_ContextFactory[Any]]] = {
    task: factory.__payload__  # type: ignore[attr-defined]
    for task, factory in MESSAGE_FACTORIES.items()
}
"""Payload (``data``) factory per task ``type``."""


def task_from_rows(
    context: FactoryContext,
    task_type: str,
    *,
    document: Document | None = None,
    documents: Sequence[Document] | None = None,
    project: Project | None = None,
    user: User | None = None,
    **data: Any,
) -> Any:
    """A ``task_type`` message whose ids name these rows, which belong together.

    Missing rows are derived (a document's project, a project's owner) or,
    for a generation task without sources, built (one ready document).
    ``data`` overrides other payload fields (``count=5``, ``language="de"``).
    """
    factory = MESSAGE_FACTORIES.get(task_type)
    if factory is None:
        raise FactoryError(
            f"unknown task type {task_type!r}",
            where=f"task({task_type!r})",
            fix=f"use one of {', '.join(MESSAGE_FACTORIES)}",
        )
    sources = list(documents or ([document] if document is not None else []))
    for row in sources:
        if project is not None and row.project is not project:
            raise FactoryError(
                f"document {row.id} is not in project {project.id}",
                where=f"task({task_type!r}, document=..., project=...)",
                fix="pass documents of the given project, or omit project=",
            )
        project = row.project
    if project is None:
        from edu_contracts.factories.models_core import DocumentFactory, ProjectFactory

        if user is not None:
            project = context.bind(ProjectFactory).build(user=user)
        else:
            project = context.bind(ProjectFactory).build()
        if task_type.startswith("document_") or not sources:
            sources = [context.bind(DocumentFactory).build(project=project)]
    if user is not None and project.user is not user:
        raise FactoryError(
            f"user {user.id} does not own project {project.id}",
            where=f"task({task_type!r}, user=...)",
            fix="omit user= (it is the project's owner) or pass the owner",
        )
    owner = project.user
    if task_type.startswith("document_"):
        if len(sources) != 1:
            raise FactoryError(
                f"{task_type} names exactly one document",
                where=f"task({task_type!r})",
                fix="pass document=<row>",
            )
        payload: dict[str, Any] = {
            "document_id": sources[0].id,
            "project_id": project.id,
            "user_id": owner.id,
        }
    else:
        if not sources:
            sources = list(project.documents)
        if not sources:
            from edu_contracts.factories.models_core import DocumentFactory

            sources = [context.bind(DocumentFactory).build(project=project)]
        payload = {
            "project_id": project.id,
            "user_id": owner.id,
            "document_ids": tuple(row.id for row in sources),
        }
    payload_factory = context.bind(factory.__payload__)  # type: ignore[attr-defined]
    envelope = {
        k: data.pop(k)
        for k in ("message_id", "created_at", "correlation_id", "contract_version")
        if k in data
    }
    return context.bind(factory).build(data=payload_factory.build(**payload, **data), **envelope)
