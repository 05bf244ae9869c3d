"""Factories for decks, cards, review state, quizzes, study sessions and practice records.

The rules closed here: one progress row per (learner, card), found or made
rather than duplicated; a practice record points at exactly one of a card
or a question, and its learner is the learner of the progress row and of
its study session; a card or question cites a segment of its own source
document, never another project's.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from edu_contracts.db.models import (
    Flashcard,
    FlashcardGroup,
    FlashcardProgress,
    PracticeRecord,
    Quiz,
    QuizQuestion,
    StudySession,
    User,
)
from edu_contracts.errors import FactoryError
from edu_contracts.factories import content
from edu_contracts.factories.base import EduFactory
from edu_contracts.factories.context import FactoryContext
from edu_contracts.factories.entropy import Entropy
from edu_contracts.factories.models_core import resolve_with_document, topic_of
from edu_contracts.schemas.enums import FlashcardState, QuizQuestionKind, StudySessionKind

__all__ = [
    "FlashcardFactory",
    "FlashcardGroupFactory",
    "FlashcardProgressFactory",
    "PracticeRecordFactory",
    "QuizFactory",
    "QuizQuestionFactory",
    "StudySessionFactory",
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


def _owner(card: Flashcard) -> User:
    return card.group.project.user


def _source_segment(context: FactoryContext, document: Any, table: str) -> Any:
    """A segment of ``document`` to cite, or None (no document, or not chunked yet)."""
    segments = list(document.segments) if document is not None else []
    return context.stream(f"{table}.source").random.choice(segments) if segments else None


class FlashcardGroupFactory(EduFactory[FlashcardGroup]):
    __model__ = FlashcardGroup
    __parents__ = ("project",)
    __optional_parents__ = ("document",)
    __children__ = ("flashcards",)
    __computed__ = frozenset({"title", "description"})

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        resolve_with_document(cls, context, own, nested)

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        topic = topic_of(given["project_id"])
        return {
            "title": f"{topic.name}: key terms",
            "description": f"Flashcards for revising {topic.name.lower()}.",
        }


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
        user = cls.parent(context, own, nested, "user", default=_owner(card))
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
        return content.fsrs_state(entropy, FlashcardState(state), given["created_at"])

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


class QuizFactory(EduFactory[Quiz]):
    __model__ = Quiz
    __parents__ = ("project",)
    __optional_parents__ = ("document",)
    __children__ = ("questions",)
    __computed__ = frozenset({"title", "description", "time_limit_seconds"})

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        resolve_with_document(cls, context, own, nested)

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        topic = topic_of(given["project_id"])
        limit = entropy.random.choice((None, 300, 600, 900, 1800))
        return {
            "title": f"{topic.name} practice quiz",
            "description": f"Check your understanding of {topic.name.lower()}.",
            "time_limit_seconds": limit,
        }


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
        question = content.quiz_question(entropy, topic_of(quiz.project_id), kind)
        return {"position": len(quiz.questions), "kind": kind, **question}


class StudySessionFactory(EduFactory[StudySession]):
    """A sitting over a deck, a quiz, both or neither; its learner owns the project."""

    __model__ = StudySession
    __parents__ = ("project", "user")
    __optional_parents__ = ("flashcard_group", "quiz")
    __children__ = ("practice_records",)
    __computed__ = frozenset({"kind", "started_at", "ended_at", "items_total", "items_correct"})

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        group = cls.parent(context, own, nested, "flashcard_group")
        quiz = cls.parent(context, own, nested, "quiz")
        if group is not None and quiz is not None and group.project is not quiz.project:
            raise FactoryError(
                "the deck and the quiz of a study session belong to different projects",
                where="StudySessionFactory(flashcard_group=..., quiz=...)",
                fix="pass a deck and a quiz of the same project",
            )
        source = group or quiz
        project = cls.parent(
            context, own, nested, "project", inferred=source.project if source else None
        )
        cls.parent(context, own, nested, "user", default=project.user)

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        rnd = entropy.random
        group, quiz = given.get("flashcard_group"), given.get("quiz")
        if group is not None and quiz is not None:
            kind = StudySessionKind.MIXED
        elif group is not None:
            kind = StudySessionKind.FLASHCARDS
        elif quiz is not None:
            kind = StudySessionKind.QUIZ
        else:
            kind = rnd.choice(list(StudySessionKind))
        started = given["created_at"]
        total = rnd.randint(0, 40)
        ended = None if rnd.random() < 0.1 else context.clock.after(started, max_seconds=3600)
        return {
            "kind": kind,
            "started_at": started,
            "ended_at": ended,
            "items_total": total,
            "items_correct": rnd.randint(0, total),
        }


class PracticeRecordFactory(EduFactory[PracticeRecord]):
    """One answer to exactly one card or question.

    For a card, the learner's progress row is found or made, so the record's
    user is the progress row's user; with a study session, the target is
    drawn from the session's deck or quiz and the learner is the session's.
    """

    __model__ = PracticeRecord
    __parents__ = ("user",)
    __optional_parents__ = ("study_session", "flashcard", "quiz_question")
    __computed__ = frozenset(
        {"rating", "is_correct", "score", "answer", "response_ms", "answered_at"}
    )

    @classmethod
    def resolve(cls, context: FactoryContext, own: dict[str, Any], nested: _Nested) -> None:
        session: StudySession | None = cls.parent(context, own, nested, "study_session")
        wants = {
            name
            for name in ("flashcard", "quiz_question")
            if own.get(name) is not None or own.get(f"{name}_id") is not None or name in nested
        }
        if len(wants) == 2:
            raise FactoryError(
                "a practice record points at exactly one of a flashcard or a quiz question",
                where="PracticeRecordFactory(flashcard=..., quiz_question=...)",
                fix="pass only one of them",
            )
        if not wants:
            wants = {_pick_target(context, session)}
        target = wants.pop()
        if own.get(target) is None and own.get(f"{target}_id") is None:
            # Not given: build one, inside the session's deck or quiz if it has one.
            overrides = nested.setdefault(target, {})
            if target == "flashcard" and session is not None and session.flashcard_group:
                overrides.setdefault("group", session.flashcard_group)
            if target == "quiz_question" and session is not None and session.quiz:
                overrides.setdefault("quiz", session.quiz)
        other = "quiz_question" if target == "flashcard" else "flashcard"
        own[other], own[f"{other}_id"] = None, None
        row = cls.parent(context, own, nested, target)
        owner = _owner(row) if target == "flashcard" else row.quiz.project.user
        learner = session.user if session is not None else owner
        user = cls.parent(context, own, nested, "user", default=learner)
        if session is not None and session.user is not user:
            raise FactoryError(
                "a practice record's user must be its study session's user",
                where="PracticeRecordFactory(user=..., study_session=...)",
                fix="omit user= (it is taken from the session)",
            )
        if own.get("flashcard") is not None:
            progress_for(context, user, own["flashcard"])

    @classmethod
    def values(
        cls,
        context: FactoryContext,
        entropy: Entropy,
        given: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        rnd = entropy.random
        base = {"answered_at": given["created_at"], "response_ms": rnd.randint(800, 45_000)}
        if given.get("flashcard") is not None:
            rating = rnd.choices((1, 2, 3, 4), (0.15, 0.2, 0.5, 0.15))[0]
            return {
                **base,
                "rating": rating,
                "is_correct": rating > 1,
                "score": None,
                "answer": None,
            }
        return {
            **base,
            "rating": None,
            **content.quiz_answer(
                entropy,
                given["quiz_question"].kind,
                given["quiz_question"].options,
                given["quiz_question"].expected_answer,
                topic_of(given["quiz_question"].quiz.project_id),
            ),
        }


def _pick_target(context: FactoryContext, session: StudySession | None) -> str:
    if session is not None and session.flashcard_group is not None and session.quiz is None:
        return "flashcard"
    if session is not None and session.quiz is not None and session.flashcard_group is None:
        return "quiz_question"
    chance = context.stream("practice_records.target").random.random()
    return "flashcard" if chance < 0.6 else "quiz_question"
