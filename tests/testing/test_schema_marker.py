"""``@pytest.mark.edu_schema``: a service suite runs its own tests on another schema.

The inner suite is a service's: it writes a document with segments through
the plugin's factories (code built for release 1.0.0) and reads them back.
Marked with a corpus revision, it proves that code survives the safe drop
and breaks on the bad one, naming the column.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_contracts.services import Services

CORPUS = Path(__file__).parent.parent / "migrations" / "corpus" / "versions"

SUITE = f"""
import pytest
from sqlalchemy import select, text
from edu_contracts.db.models import DocumentSegment

CORPUS = {str(CORPUS)!r}

def _old_code_round_trip(edu_factories, edu_session):
    document = edu_factories.document(segments=3)
    edu_session.flush()
    edu_session.expire_all()
    rows = edu_session.scalars(
        select(DocumentSegment).where(DocumentSegment.document_id == document.id)
    ).all()
    assert len(rows) == 3

def _version(edu_session):
    return edu_session.scalar(text("select version_num from alembic_version"))

def test_head_by_default(edu_session):
    assert _version(edu_session) == "0001"

@pytest.mark.edu_schema("1.0.0")
def test_release_schema(edu_session, edu_factories):
    assert _version(edu_session) == "0001"
    _old_code_round_trip(edu_factories, edu_session)

@pytest.mark.edu_schema("safe_drop_in_use", versions=CORPUS)
def test_survives_the_safe_drop(edu_session, edu_factories):
    assert _version(edu_session) == "safe_drop_in_use"
    _old_code_round_trip(edu_factories, edu_session)

@pytest.mark.edu_schema("bad_drop_in_use", versions=CORPUS)
def test_breaks_on_the_bad_drop(edu_session, edu_factories):
    _old_code_round_trip(edu_factories, edu_session)
"""


@pytest.fixture
def external(edu_services: Services) -> list[str]:
    return [
        "--edu-backend=external",
        f"--edu-postgres-url={edu_services.postgres.libpq_url()}",
        f"--edu-azure-connection-string={edu_services.azurite.connection_string}",
    ]


def test_marked_tests_run_on_their_schema(pytester: pytest.Pytester, external: list[str]) -> None:
    pytester.makepyfile(test_service=SUITE)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", *external)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*test_breaks_on_the_bad_drop*", "*token_count*does not exist*"])


def test_a_misspelt_marker_argument_is_named(
    pytester: pytest.Pytester, external: list[str]
) -> None:
    pytester.makepyfile(
        test_typo="""
import pytest

@pytest.mark.edu_schema("1.0.0", version="x")
def test_x(edu_session):
    pass
"""
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", *external)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unexpected keyword argument 'version'*"])
