"""edu_factories: bound to the test's session, seeded, rolled back with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edu_contracts.db.models import Document, Project
from edu_contracts.factories import Factories


def test_factories_write_into_the_tests_transaction(
    edu_factories: Factories, edu_session: Session
) -> None:
    project = edu_factories.project()
    assert edu_session.get(Project, project.id) is project
    assert edu_session.scalar(select(func.count()).select_from(Project)) == 1


def test_previous_tests_rows_are_gone(edu_session: Session) -> None:
    assert edu_session.scalar(select(func.count()).select_from(Project)) == 0
    assert edu_session.scalar(select(func.count()).select_from(Document)) == 0


def test_seed_differs_per_test_but_is_reproducible(
    edu_factories: Factories, request: pytest.FixtureRequest
) -> None:
    import zlib

    expected = zlib.crc32(request.node.nodeid.encode())
    assert edu_factories.seed == expected  # --edu-seed defaults to 0
