"""``AsyncFactories``: every ``Factories`` method as a coroutine, for async tests.

``edu_async_factories`` in the pytest plugin. There is no second copy of any
factory rule: an ``AsyncFactories`` holds a sync ``Factories`` bound to its
``AsyncSession``'s own ``sync_session`` and runs each call through
``AsyncSession.run_sync``, i.e. in SQLAlchemy's greenlet bridge, where the
sync session's flushes and lookups become awaits on the async driver.

Why this and not "build in memory, then persist through an async
persistence": a graph is not built blind. ``progress_for`` finds the one
progress row of (user, flashcard) or makes it, UNIQUE rules consult rows
already in the database, and a given parent that is already persistent is
reused rather than re-added; all of that needs the session *during* the
build. Building blind and saving afterwards gives different (or invalid)
graphs for those calls, so the seed rule "same seed, same data as the sync
factories" would break. The bridge costs a greenlet switch per statement;
``bench/bench_async_isolation.py`` times ``project(documents=2)`` both ways in
one run (0.8x to 1.0x of the sync call in two runs on a loaded machine).

Rows come back attached to the ``AsyncSession``: read loaded attributes
freely; a relationship that was not loaded must be awaited
(``await session.refresh(row, ["segments"])``) like any async ORM object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt

from edu_contracts.factories.facade import Factories
from edu_contracts.factories.persistence import _require_asyncio

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

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

__all__ = ["AsyncFactories"]

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=type)


class AsyncFactories:
    """Seeded factories on an ``AsyncSession``: ``await factories.project(documents=2)``.

    Same arguments, same rows and ids as :class:`Factories` with the same
    seed. Rows are flushed, never committed: the caller's transaction decides.
    """

    def __init__(self, session: AsyncSession, *, seed: int = 0) -> None:
        _require_asyncio()
        self._session = session
        self.sync = Factories(session.sync_session, seed=seed)
        """The sync facade underneath (use it only inside ``session.run_sync``)."""

    @property
    def seed(self) -> int:
        return self.sync.seed

    @property
    def session(self) -> AsyncSession:
        return self._session

    def bind(self, factory: F) -> F:
        """``factory`` bound to this seed (for ``.build()``; persist with ``run_sync``)."""
        return self.sync.bind(factory)

    async def _run(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        call = functools.partial(method, *args, **kwargs)
        return await self._session.run_sync(lambda _session: call())

    async def flush(self) -> None:
        await self._session.flush()

    # --- rows -------------------------------------------------------------

    async def user(self, *, projects: int | None = None, **overrides: Any) -> User:
        return await self._run(self.sync.user, projects=projects, **overrides)

    async def project(self, *, documents: int | None = None, **overrides: Any) -> Project:
        return await self._run(self.sync.project, documents=documents, **overrides)

    async def document(self, *, segments: int | None = None, **overrides: Any) -> Document:
        """See :meth:`Factories.document`."""
        return await self._run(self.sync.document, segments=segments, **overrides)

    async def segment(self, **overrides: Any) -> DocumentSegment:
        return await self._run(self.sync.segment, **overrides)

    async def chat(self, **overrides: Any) -> Chat:
        return await self._run(self.sync.chat, **overrides)

    async def note(self, **overrides: Any) -> Note:
        return await self._run(self.sync.note, **overrides)

    async def mind_map(self, **overrides: Any) -> MindMap:
        return await self._run(self.sync.mind_map, **overrides)

    async def user_usage(self, **overrides: Any) -> UserUsage:
        return await self._run(self.sync.user_usage, **overrides)

    async def flashcard_group(
        self, *, flashcards: int | None = None, **overrides: Any
    ) -> FlashcardGroup:
        return await self._run(self.sync.flashcard_group, flashcards=flashcards, **overrides)

    async def flashcard(self, **overrides: Any) -> Flashcard:
        return await self._run(self.sync.flashcard, **overrides)

    async def flashcard_progress(self, **overrides: Any) -> FlashcardProgress:
        return await self._run(self.sync.flashcard_progress, **overrides)

    async def quiz(self, *, questions: int | None = None, **overrides: Any) -> Quiz:
        return await self._run(self.sync.quiz, questions=questions, **overrides)

    async def quiz_question(self, **overrides: Any) -> QuizQuestion:
        return await self._run(self.sync.quiz_question, **overrides)

    async def study_session(
        self, *, practice_records: int | None = None, **overrides: Any
    ) -> StudySession:
        return await self._run(
            self.sync.study_session, practice_records=practice_records, **overrides
        )

    async def practice_record(self, **overrides: Any) -> PracticeRecord:
        """See :meth:`Factories.practice_record`."""
        return await self._run(self.sync.practice_record, **overrides)

    async def progress_for(self, user: User, flashcard: Flashcard) -> FlashcardProgress:
        """The one progress row of (user, flashcard), found or made."""
        return await self._run(self.sync.progress_for, user, flashcard)

    # --- messages -----------------------------------------------------------

    async def task(self, task_type: str, **rows_and_data: Any) -> Any:
        """See :meth:`Factories.task`: a ``QueueTaskMessage`` naming real rows."""
        return await self._run(self.sync.task, task_type, **rows_and_data)

    async def message(self, task_type: str, **overrides: Any) -> Any:
        """A valid message of ``task_type`` with random ids (no rows behind it)."""
        return await self._run(self.sync.message, task_type, **overrides)

    # --- embeddings ---------------------------------------------------------

    async def query_vector(self, document: Document) -> npt.NDArray[np.float32]:
        """A fresh vector from ``document``'s cluster: its segments are its nearest rows."""
        return await self._run(self.sync.query_vector, document)
