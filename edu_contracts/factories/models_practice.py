"""Factories for study sessions and the practice records answered in them.

A practice record points at exactly one of a card or a question; its
learner is the learner of the card's progress row (found or made) and of
its study session, and a session's deck and quiz belong to its project.
"""

from __future__ import annotations

from typing import Any

from edu_contracts.db.models import PracticeRecord, StudySession
from edu_contracts.errors import FactoryError
from edu_contracts.factories import learning
from edu_contracts.factories.base import EduFactory
from edu_contracts.factories.context import FactoryContext
from edu_contracts.factories.models_study import owner_of, progress_for
from edu_contracts.factories.streams import Entropy
from edu_contracts.factories.topics import topic_of
from edu_contracts.schemas.enums import StudySessionKind

__all__ = ["PracticeRecordFactory", "StudySessionFactory"]

_Nested = dict[str, dict[str, Any]]


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
        owner = owner_of(row) if target == "flashcard" else row.quiz.project.user
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
            **learning.quiz_answer(
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
