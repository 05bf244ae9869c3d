"""Study sessions, practice records and usage rows of a scenario, per user.

Split from :mod:`.rows` only for size; the same streams, the same rules:
records target only cards with a progress row for their learner, and usage
keys are unique by construction (consecutive days, one month).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from edu_contracts.factories import content, learning
from edu_contracts.factories.streams import Clock, Entropy
from edu_contracts.factories.topics import topic_of
from edu_contracts.schemas.enums import StudySessionKind, UsagePeriod
from edu_contracts.seed.scenario import Scenario

__all__ = ["Ids", "Row", "sessions", "stamp", "usage"]

Row = dict[str, Any]


class Ids:
    """UUIDs per table from one user's stream (so adding a table moves no other ids)."""

    def __init__(self, entropy: Entropy) -> None:
        self._entropy = entropy
        self._streams: dict[str, Entropy] = {}

    def __call__(self, table: str) -> uuid.UUID:
        stream = self._streams.get(table)
        if stream is None:
            stream = self._streams[table] = self._entropy.child(table)
        return stream.uuid()


def stamp(clock: Clock, row: Row, *, updated: bool = True) -> Row:
    """Set ``created_at`` (and ``updated_at``) from the user's clock."""
    row["created_at"] = clock.tick()
    if updated:
        row["updated_at"] = row["created_at"]
    return row


def sessions(
    s: Scenario,
    e: Entropy,
    ids: Ids,
    clock: Clock,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    reviewed: list[uuid.UUID],
    questions: list[Row],
) -> Iterator[tuple[str, Row]]:
    """Sessions over the project's reviewed cards and questions, with their answers.

    Records only target cards that have a progress row for this learner, so
    the record's user is always the progress row's user.
    """
    rnd = e.random
    for _ in range(s.study_sessions):
        session_id = ids("study_sessions")
        records: list[Row] = []
        for _ in range(s.practice_records if reviewed or questions else 0):
            on_card = bool(reviewed) and (not questions or rnd.random() < 0.6)
            record: Row = {
                "id": ids("practice_records"),
                "user_id": user_id,
                "study_session_id": session_id,
                "response_ms": rnd.randint(800, 45_000),
            }
            if on_card:
                rating = rnd.choices((1, 2, 3, 4), (0.15, 0.2, 0.5, 0.15))[0]
                record.update(
                    flashcard_id=rnd.choice(reviewed),
                    quiz_question_id=None,
                    rating=rating,
                    is_correct=rating > 1,
                    score=None,
                    answer=None,
                )
            else:
                question = rnd.choice(questions)
                record.update(
                    flashcard_id=None,
                    quiz_question_id=question["id"],
                    rating=None,
                    **learning.quiz_answer(
                        e,
                        question["kind"],
                        question["options"],
                        question["expected_answer"],
                        topic_of(project_id),
                    ),
                )
            records.append(record)
        kinds = {"flashcard_id" if r["flashcard_id"] else "quiz_question_id" for r in records}
        kind = (
            StudySessionKind.MIXED
            if len(kinds) == 2
            else StudySessionKind.FLASHCARDS
            if "flashcard_id" in kinds
            else StudySessionKind.QUIZ
        )
        started = clock.tick()
        correct = sum(1 for r in records if r["is_correct"])
        yield (
            "study_sessions",
            {
                "id": session_id,
                "user_id": user_id,
                "project_id": project_id,
                "kind": kind,
                "flashcard_group_id": None,
                "quiz_id": None,
                "started_at": started,
                "ended_at": started + dt.timedelta(minutes=rnd.randint(5, 60)),
                "items_total": len(records),
                "items_correct": correct,
                "created_at": started,
                "updated_at": started,
            },
        )
        for record in records:
            record["answered_at"] = record["created_at"] = clock.tick(max_seconds=90)
            yield "practice_records", record


def usage(
    s: Scenario, e: Entropy, ids: Ids, clock: Clock, user_id: uuid.UUID
) -> Iterator[tuple[str, Row]]:
    """``usage_days`` consecutive daily rows and one monthly row: unique by construction."""
    if not s.usage_days:
        return
    last = clock.now.date()
    for back in range(s.usage_days):
        row = {
            "id": ids("user_usage"),
            "user_id": user_id,
            "period": UsagePeriod.DAY,
            "period_start": last - dt.timedelta(days=back),
            **content.usage_counters(e, UsagePeriod.DAY),
        }
        yield "user_usage", stamp(clock, row)
    month = {
        "id": ids("user_usage"),
        "user_id": user_id,
        "period": UsagePeriod.MONTH,
        "period_start": last.replace(day=1),
        **content.usage_counters(e, UsagePeriod.MONTH),
    }
    yield "user_usage", stamp(clock, month)
