"""Factories and seed data: coherent, seeded rows for all 15 tables and every message.

Tests use :class:`Factories` (the ``edu_factories`` fixture)::

    project = edu_factories.project(documents=2)
    doc = edu_factories.document(status="pending", text="...")
    message = edu_factories.task("document_processing", document=doc)

The polyfactory classes underneath (``ProjectFactory``...) can be used
directly once bound: ``Factories(session, seed=1).bind(ProjectFactory)
.create_sync(user=alice, documents__count=3)``. Seed scenarios and the bulk
COPY loader behind ``edu-contracts seed`` live in :mod:`.scenarios` and
:mod:`.loader`.
"""

from typing import Any

from edu_contracts.factories.async_facade import AsyncFactories
from edu_contracts.factories.base import EduFactory, factory_for
from edu_contracts.factories.context import FactoryContext
from edu_contracts.factories.embeddings import EmbeddingSpace
from edu_contracts.factories.facade import Factories
from edu_contracts.factories.messages import (
    MESSAGE_FACTORIES,
    PAYLOAD_FACTORIES,
    DocumentDeletionDataFactory,
    DocumentDeletionMessageFactory,
    DocumentProcessingDataFactory,
    DocumentProcessingMessageFactory,
    FlashcardGenerationDataFactory,
    FlashcardGenerationMessageFactory,
    MindMapGenerationDataFactory,
    MindMapGenerationMessageFactory,
    NoteGenerationDataFactory,
    NoteGenerationMessageFactory,
    QuizGenerationDataFactory,
    QuizGenerationMessageFactory,
    TaskEnvelopeFactory,
    task_from_rows,
)
from edu_contracts.factories.models_core import (
    ChatFactory,
    DocumentFactory,
    DocumentSegmentFactory,
    MindMapFactory,
    NoteFactory,
    ProjectFactory,
    UserFactory,
    UserUsageFactory,
)
from edu_contracts.factories.models_practice import PracticeRecordFactory, StudySessionFactory
from edu_contracts.factories.models_study import (
    FlashcardFactory,
    FlashcardGroupFactory,
    FlashcardProgressFactory,
    QuizFactory,
    QuizQuestionFactory,
    progress_for,
)
from edu_contracts.factories.persistence import (
    AsyncFlushPersistence,
    AsyncPersistence,
    FlushPersistence,
    SyncPersistence,
)
from edu_contracts.factories.streams import Entropy

__all__ = [
    "MESSAGE_FACTORIES",
    "MODEL_FACTORIES",
    "PAYLOAD_FACTORIES",
    "AsyncFactories",
    "AsyncFlushPersistence",
    "AsyncPersistence",
    "ChatFactory",
    "DocumentDeletionDataFactory",
    "DocumentDeletionMessageFactory",
    "DocumentFactory",
    "DocumentProcessingDataFactory",
    "DocumentProcessingMessageFactory",
    "DocumentSegmentFactory",
    "EduFactory",
    "EmbeddingSpace",
    "Entropy",
    "Factories",
    "FactoryContext",
    "FlashcardFactory",
    "FlashcardGenerationDataFactory",
    "FlashcardGenerationMessageFactory",
    "FlashcardGroupFactory",
    "FlashcardProgressFactory",
    "FlushPersistence",
    "MindMapFactory",
    "MindMapGenerationDataFactory",
    "MindMapGenerationMessageFactory",
    "NoteFactory",
    "NoteGenerationDataFactory",
    "NoteGenerationMessageFactory",
    "PracticeRecordFactory",
    "ProjectFactory",
    "QuizFactory",
    "QuizGenerationDataFactory",
    "QuizGenerationMessageFactory",
    "QuizQuestionFactory",
    "StudySessionFactory",
    "SyncPersistence",
    "TaskEnvelopeFactory",
    "UserFactory",
    "UserUsageFactory",
    "factory_for",
    "progress_for",
    "task_from_rows",
]

MODEL_FACTORIES: tuple[type[EduFactory[Any]], ...] = (
    UserFactory,
    ProjectFactory,
    DocumentFactory,
    DocumentSegmentFactory,
    ChatFactory,
    FlashcardGroupFactory,
    FlashcardFactory,
    FlashcardProgressFactory,
    QuizFactory,
    QuizQuestionFactory,
    NoteFactory,
    MindMapFactory,
    StudySessionFactory,
    PracticeRecordFactory,
    UserUsageFactory,
)
"""One factory per table, parents before children."""
