"""Seed rows and ORM factories take generated columns from the same functions.

A drift between the two (quiz time limits once differed) would make seed
data a poor stand-in for test data; these checks hold the seed stream to
``factories.columns`` on every row of the tiny scenario.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from edu_contracts.factories import columns
from edu_contracts.factories.topics import topic_of
from edu_contracts.seed.rows import scenario_rows
from edu_contracts.seed.scenario import load_scenario


def _rows() -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for table, row in scenario_rows(load_scenario("tiny"), seed=3):
        tables[table].append(row)
    return tables


def test_seeded_columns_come_from_the_shared_functions() -> None:
    tables = _rows()
    for table in ("quizzes", "flashcard_groups", "notes"):
        assert tables[table], f"the tiny scenario has no {table}"
    for quiz in tables["quizzes"]:
        topic = topic_of(quiz["project_id"])
        assert quiz["time_limit_seconds"] in columns.QUIZ_TIME_LIMITS
        assert quiz["title"] == f"{topic.name} practice quiz"
    for group in tables["flashcard_groups"]:
        expected = columns.flashcard_group_columns(topic_of(group["project_id"]))
        assert {k: group[k] for k in expected} == expected
    for note in tables["notes"]:
        assert note["is_generated"] is True
        assert note["title"] == f"{topic_of(note['project_id']).name}: summary"


def test_factories_use_the_same_time_limits(edu_factories: Any) -> None:
    limits = {edu_factories.quiz(questions=0).time_limit_seconds for _ in range(40)}
    assert limits <= set(columns.QUIZ_TIME_LIMITS)
    assert len(limits) > 2  # drawn from the whole shared domain, not a narrower copy
