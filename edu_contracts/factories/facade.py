"""``Factories``: the one-line API tests use (``edu_factories`` in the pytest plugin).

Every method builds a coherent graph (missing parents are made, given ones
reused, ownership checked), adds it to the session and flushes, and returns
the row. Children are asked for by count: ``project(documents=2)``,
``document(segments=5)``, ``quiz(questions=4)``; any other keyword is a
column override or a nested one (``document(project__name="Physics")``).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from edu_contracts.db.models import (
    Chat,
    Document,
    DocumentSegment,
    Flashcard,
    FlashcardGroup,
    FlashcardProgress,
    MindMap,
    Note,
    PracticeRecord,
    Project,
    Quiz,
    QuizQuestion,
    StudySession,
    User,
    UserUsage,
)
from edu_contracts.factories import messages
from edu_contracts.factories import models_core as core
from edu_contracts.factories import models_practice as practice
from edu_contracts.factories import models_study as study
from edu_contracts.factories.base import EduFactory
from edu_contracts.factories.context import FactoryContext

__all__ = ["Factories"]

T = TypeVar("T")
F = TypeVar("F", bound=type)


class Factories:
    """Seeded, session-bound factories for all 15 tables and every message.

    ``Factories(session, seed=0)``: same seed, same rows, ids and timestamps,
    in any process. ``session=None`` builds in memory. ``flush=False`` adds
    rows without flushing (call :meth:`flush` once per batch in big loops).
    Rows are flushed, never committed: the caller's transaction decides.
    """

    def __init__(self, session: Session | None, *, seed: int = 0, flush: bool = True) -> None:
        self.context = FactoryContext(session, seed=seed, flush=flush)

    @property
    def seed(self) -> int:
        return self.context.seed

    @property
    def session(self) -> Session | None:
        return self.context.session

    def bind(self, factory: F) -> F:
        """``factory`` bound to this seed and session (``f.bind(ProjectFactory).create_sync()``)."""
        return self.context.bind(factory)

    def flush(self) -> None:
        if self.context.session is not None:
            self.context.session.flush()

    def _make(
        self, factory: type[EduFactory[T]], counts: dict[str, int | None], overrides: dict[str, Any]
    ) -> T:
        for name, count in counts.items():
            if count is not None:
                overrides[f"{name}__count"] = count
        bound = self.context.bind(factory)
        if self.context.session is None:
            return bound.build(**overrides)
        return bound.create_sync(**overrides)

    # --- rows -------------------------------------------------------------

    def user(self, *, projects: int | None = None, **overrides: Any) -> User:
        return self._make(core.UserFactory, {"projects": projects}, overrides)

    def project(self, *, documents: int | None = None, **overrides: Any) -> Project:
        return self._make(core.ProjectFactory, {"documents": documents}, overrides)

    def document(self, *, segments: int | None = None, **overrides: Any) -> Document:
        """A document; ``status``, ``text``, ``embedded`` and ``segments`` shape the graph.

        ``document(status="pending", text="...")`` is an upload the worker has
        not seen; ``document(segments=5)`` is ready with 5 embedded segments.
        """
        return self._make(core.DocumentFactory, {"segments": segments}, overrides)

    def segment(self, **overrides: Any) -> DocumentSegment:
        return self._make(core.DocumentSegmentFactory, {}, overrides)

    def chat(self, **overrides: Any) -> Chat:
        return self._make(core.ChatFactory, {}, overrides)

    def note(self, **overrides: Any) -> Note:
        return self._make(core.NoteFactory, {}, overrides)

    def mind_map(self, **overrides: Any) -> MindMap:
        return self._make(core.MindMapFactory, {}, overrides)

    def user_usage(self, **overrides: Any) -> UserUsage:
        return self._make(core.UserUsageFactory, {}, overrides)

    def flashcard_group(self, *, flashcards: int | None = None, **overrides: Any) -> FlashcardGroup:
        return self._make(study.FlashcardGroupFactory, {"flashcards": flashcards}, overrides)

    def flashcard(self, **overrides: Any) -> Flashcard:
        return self._make(study.FlashcardFactory, {}, overrides)

    def flashcard_progress(self, **overrides: Any) -> FlashcardProgress:
        return self._make(study.FlashcardProgressFactory, {}, overrides)

    def quiz(self, *, questions: int | None = None, **overrides: Any) -> Quiz:
        return self._make(study.QuizFactory, {"questions": questions}, overrides)

    def quiz_question(self, **overrides: Any) -> QuizQuestion:
        return self._make(study.QuizQuestionFactory, {}, overrides)

    def study_session(
        self, *, practice_records: int | None = None, **overrides: Any
    ) -> StudySession:
        counts = {"practice_records": practice_records}
        return self._make(practice.StudySessionFactory, counts, overrides)

    def practice_record(self, **overrides: Any) -> PracticeRecord:
        """An answer to one card or question; ``flashcard=`` or ``quiz_question=`` picks it."""
        return self._make(practice.PracticeRecordFactory, {}, overrides)

    def progress_for(self, user: User, flashcard: Flashcard) -> FlashcardProgress:
        """The one progress row of (user, flashcard), found or made."""
        row = study.progress_for(self.context, user, flashcard)
        self.context.persistence.save(row)
        return row

    # --- messages -----------------------------------------------------------

    def task(self, task_type: str, **rows_and_data: Any) -> Any:
        """A ``QueueTaskMessage`` naming real, coherent rows.

        ``task("document_processing", document=doc)`` takes the project and
        user from the document; generation tasks take ``project=`` (its
        documents are the sources) or ``documents=[...]``. Rows it had to make
        are flushed like any other.
        """
        message = messages.task_from_rows(self.context, task_type, **rows_and_data)
        if self.context.session is not None:
            self.context.persistence.save_many(list(self.context.session.new))
        return message

    def message(self, task_type: str, **overrides: Any) -> Any:
        """A valid message of ``task_type`` with random ids (no rows behind it)."""
        factory = messages.MESSAGE_FACTORIES.get(task_type)
        if factory is None:
            return messages.task_from_rows(self.context, task_type)  # raises the error
        return self.context.bind(factory).build(**overrides)

    # --- embeddings ---------------------------------------------------------

    def query_vector(self, document: Document) -> npt.NDArray[np.float32]:
        """A fresh vector from ``document``'s cluster: its segments are its nearest rows."""
        space = self.context.embeddings
        rng = self.context.stream("query_vectors").numpy
        vector: npt.NDArray[np.float32] = space.around(space.centroid(str(document.id)), 1, rng)[0]
        return vector
