"""Factories for decks, cards, review state, quizzes, study sessions and practice records.

The rules closed here: one progress row per (learner, card), found or made
rather than duplicated; a card or question cites a segment of its own
source document, never another project's; a choice question's options
contain its answer.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from edu_contracts.db.models import (
    Flashcard,
    FlashcardGroup,
    FlashcardProgress,
    Quiz,
    QuizQuestion,
    User,
)
from edu_contracts.errors import FactoryError
from edu_contracts.factories import columns, content, learning
from edu_contracts.factories.base import EduFactory
from edu_contracts.factories.context import FactoryContext
from edu_contracts.factories.models_core import ArtefactFactory
from edu_contracts.factories.streams import Entropy
from edu_contracts.factories.topics import topic_of
from edu_contracts.schemas.enums import FlashcardState, QuizQuestionKind

__all__ = [
    "FlashcardFactory",
    "FlashcardGroupFactory",
    "FlashcardProgressFactory",
    "QuizFactory",
    "QuizQuestionFactory",
    "owner_of",
    "progress_for",
]

_Nested = dict[str, dict[str, Any]]
_STATES = (
    FlashcardState.NEW,
    FlashcardState.LEARNING,
    FlashcardState.REVIEW,
    FlashcardState.RELEARNING,
)
_STATE_WEIGHTS = (0.3, 0.15, 0.45, 0.1)


def owner_of(card: Flashcard) -> User:
    """The learner whose project holds the card."""
    return card.group.project.user


def _source_segment(context: FactoryContext, document: Any, table: str) -> Any:
    """A segment of ``document`` to cite, or None (no document, or not chunked yet)."""
    segments = list(document.segments) if document is not None else []
    return context.stream(f"{table}.source").random.choice(segments) if segments else None


class FlashcardGroupFactory(ArtefactFactory[FlashcardGroup]):
    __model__ = FlashcardGroup
    __children__ = ("flashcards",)
    __computed__ = frozenset({"title", "description"})

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        return columns.flashcard_group_columns(topic_of(given["project_id"]))


class FlashcardFactory(EduFactory[Flashcard]):
    __model__ = Flashcard
    __parents__ = ("group",)
    __optional_parents__ = ("source_segment",)
    __computed__ = frozenset({"position", "front", "back"})

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        group = cls.parent(context, own, nested, "group")
        segment = _source_segment(context, group.document, "flashcards")
        cls.parent(context, own, nested, "source_segment", default=segment)

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        group: FlashcardGroup = given["group"]
        front, back = content.flashcard_sides(entropy, topic_of(group.project_id))
        return {"position": len(group.flashcards), "front": front, "back": back}


class FlashcardProgressFactory(EduFactory[FlashcardProgress]):
    """FSRS state for (learner, card); the learner defaults to the card's owner.

    A second row for the same pair is refused with ``FactoryError``; use
    :func:`progress_for` to find or make one.
    """

    __model__ = FlashcardProgress
    __parents__ = ("flashcard", "user")
    __computed__ = frozenset(
        {
            "state",
            "stability",
            "difficulty",
            "reps",
            "lapses",
            "due_at",
            "last_reviewed_at",
        }
    )

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        card = cls.parent(context, own, nested, "flashcard")
        user = cls.parent(context, own, nested, "user", default=owner_of(card))
        key = (user.id, card.id)
        exists = (
            context.persisted(card)
            and context.persisted(user)
            and context.query_one(
                sa.select(FlashcardProgress.id).where(
                    FlashcardProgress.user_id == user.id, FlashcardProgress.flashcard_id == card.id
                )
            )
        )
        if exists or not context.claim("flashcard_progress", key):
            raise FactoryError(
                f"user {user.id} already has a progress row for flashcard {card.id}",
                where="FlashcardProgressFactory",
                fix="there is one row per (user, flashcard): reuse it, e.g. with "
                "edu_contracts.factories.progress_for(context, user, flashcard)",
            )

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        state = given.get("state")
        if state is None:
            state = entropy.random.choices(_STATES, _STATE_WEIGHTS)[0]
        return learning.fsrs_state(entropy, FlashcardState(state), given["created_at"])

    @classmethod
    def after_build(
        cls, context: FactoryContext, row: FlashcardProgress, options: dict[str, Any]
    ) -> None:
        context.remember("flashcard_progress", (row.user.id, row.flashcard.id), row)


def progress_for(context: FactoryContext, user: User, card: Flashcard) -> FlashcardProgress:
    """The (user, card) progress row: this context's, the database's, or a new one."""
    key = (user.id, card.id)
    found = context.recall("flashcard_progress", key)
    if found is None and context.persisted(user) and context.persisted(card):
        found = context.query_one(
            sa.select(FlashcardProgress).where(
                FlashcardProgress.user_id == user.id, FlashcardProgress.flashcard_id == card.id
            )
        )
    if found is None:
        found = context.bind(FlashcardProgressFactory).build(user=user, flashcard=card)
        if context.session is not None:
            # Reachable only through backrefs of stored rows, which do not cascade
            # a new object into the session: add it explicitly.
            context.session.add(found)
    return found  # type: ignore[no-any-return]


class QuizFactory(ArtefactFactory[Quiz]):
    __model__ = Quiz
    __children__ = ("questions",)
    __computed__ = frozenset({"title", "description", "time_limit_seconds"})

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        return columns.quiz_columns(entropy, topic_of(given["project_id"]))


class QuizQuestionFactory(EduFactory[QuizQuestion]):
    """A question whose options contain its answer (exactly one for single choice)."""

    __model__ = QuizQuestion
    __parents__ = ("quiz",)
    __optional_parents__ = ("source_segment",)
    __computed__ = frozenset(
        {
            "position",
            "kind",
            "prompt",
            "options",
            "expected_answer",
            "explanation",
        }
    )

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        quiz = cls.parent(context, own, nested, "quiz")
        segment = _source_segment(context, quiz.document, "quiz_questions")
        cls.parent(context, own, nested, "source_segment", default=segment)

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        quiz: Quiz = given["quiz"]
        kind = QuizQuestionKind(given.get("kind") or entropy.random.choice(list(QuizQuestionKind)))
        question = learning.quiz_question(entropy, topic_of(quiz.project_id), kind)
        return {"position": len(quiz.questions), "kind": kind, **question}
