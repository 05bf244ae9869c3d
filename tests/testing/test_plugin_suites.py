"""The plugin from the outside: small service suites run in a fresh pytest.

pytester writes a project and runs pytest in a subprocess, exactly as a
service repo would, with nothing but the installed plugin.
"""

from __future__ import annotations

import re

import pytest

from edu_contracts.services import Services
from edu_contracts.workflows.recording import header_line, read_recording

ISOLATION_SUITE = """
import uuid
from sqlalchemy import select, text
from edu_contracts.db.models import User

EMAIL = "isolation@example.com"

def test_1_commit_in_code_under_test(edu_sessionmaker):
    # application code opening its own session and committing
    with edu_sessionmaker() as session:
        session.add(User(email=EMAIL))
        session.commit()
    with edu_sessionmaker() as session:
        assert session.scalar(select(User).where(User.email == EMAIL)) is not None

def test_2_previous_commit_is_invisible(edu_session):
    assert edu_session.scalar(select(User).where(User.email == EMAIL)) is None

def test_3_raw_sql_commit_is_invisible_too(edu_connection, edu_session):
    assert edu_session.scalar(text("select count(*) from users")) == 0
"""

QUEUE_SUITE = """
import uuid
from edu_contracts.schemas.queue import DocumentProcessingMessage, DocumentProcessingData

def _message():
    return DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4()))

def test_1_send(edu_queue):
    edu_queue.send(_message())
    assert len(edu_queue.messages()) == 1

def test_2_next_test_has_an_empty_queue_of_its_own(edu_queue):
    assert edu_queue.messages() == []
"""


def _outcomes(result: pytest.RunResult) -> dict[str, int]:
    return result.parseoutcomes()


@pytest.fixture
def external(edu_services: Services) -> list[str]:
    """Options that point an inner run at this run's services (the external backend):
    each inner run then skips starting its own, and the backend is exercised too."""
    return [
        "--edu-backend=external",
        f"--edu-postgres-url={edu_services.postgres.libpq_url()}",
        f"--edu-azure-connection-string={edu_services.azurite.connection_string}",
    ]


def test_database_isolation_across_tests(pytester: pytest.Pytester, external: list[str]) -> None:
    pytester.makepyfile(test_iso=ISOLATION_SUITE)
    result = pytester.runpytest_subprocess("-q", *external)
    assert _outcomes(result) == {"passed": 3}, result.stdout.str()


def test_queue_isolation_across_tests(pytester: pytest.Pytester, external: list[str]) -> None:
    pytester.makepyfile(test_q=QUEUE_SUITE)
    result = pytester.runpytest_subprocess("-q", *external)
    assert _outcomes(result) == {"passed": 2}, result.stdout.str()


def test_failing_expect_lists_what_was_on_the_queue(
    pytester: pytest.Pytester, external: list[str]
) -> None:
    pytester.makepyfile(
        test_expect=QUEUE_SUITE.split("def test_1")[0]
        + """
def test_expect_wrong_kind(edu_queue):
    edu_queue.send(_message())
    edu_queue.expect("quiz_generation")
"""
    )
    result = pytester.runpytest_subprocess("-q")
    assert _outcomes(result) == {"failed": 1}
    out = result.stdout.str()
    assert "no quiz_generation message" in out
    assert "holds 1 message(s)" in out
    assert "document_processing" in out


def test_report_header_shows_options_from_ini_env_and_cli(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nedu_seed = 5\nedu_contract_version = 1.0.0\n")
    pytester.makepyfile(
        test_cfg="""
def test_cfg(edu_config):
    print("SEED", edu_config.seed, "VERSION", edu_config.contract_version,
          "BACKEND", edu_config.backend)
"""
    )
    monkeypatch.setenv("EDU_SEED", "6")
    result = pytester.runpytest_subprocess("-s", "--edu-seed=7")
    result.stdout.fnmatch_lines(["*edu-contracts: backend=embedded run=*"])
    assert re.search(r"SEED 7 VERSION 1.0.0 BACKEND embedded", result.stdout.str())
    result = pytester.runpytest_subprocess("-s")
    assert "SEED 6 VERSION 1.0.0" in result.stdout.str()


def test_bad_option_value_is_a_usage_error_naming_the_source(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest_subprocess("--edu-backend=kubernetes")
    assert result.ret != 0
    assert "command line --edu-backend" in result.stderr.str() + result.stdout.str()


def test_xdist_workers_get_their_own_database_cloned_from_one_template(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_workers="""
import os
import pytest
from sqlalchemy import text
from edu_contracts.db.models import User

@pytest.mark.parametrize("n", range(6))
def test_worker_db(edu_session, edu_database_url, n):
    name = edu_session.scalar(text("select current_database()"))
    worker = os.environ["PYTEST_XDIST_WORKER"]
    assert name.endswith("_db_" + worker)
    edu_session.add(User(email=f"{worker}-{n}@example.com"))
    edu_session.flush()
    assert edu_session.scalar(text("select count(*) from users")) == 1
    print("DB", name)
"""
    )
    result = pytester.runpytest_subprocess("-n", "2", "-q", "-s")
    assert _outcomes(result) == {"passed": 6}, result.stdout.str()


def test_recording_holds_this_runs_messages_and_poison_siblings_are_removed(
    pytester: pytest.Pytester, external: list[str]
) -> None:
    pytester.makepyfile(
        test_rec=QUEUE_SUITE.split("def test_1")[0]
        + """
from edu_contracts.queue import TaskQueue

def test_send_and_poison(edu_queue, edu_azurite):
    edu_queue.send(_message())
    edu_queue.send_raw("not base64 json")
    # the code under test's own client poisons the bad one, creating <name>-poison
    own = TaskQueue.from_connection_string(edu_azurite.connection_string, edu_queue.name)
    tasks = own.drain()
    assert len(tasks) == 1
    assert len(own.poisoned()) == 1
    own.close()
    global PREFIX
    PREFIX = edu_queue.name.rsplit("-", 2)[0]  # edu-<run id>

def test_after(edu_azurite):
    from azure.storage.queue import QueueServiceClient
    client = QueueServiceClient.from_connection_string(edu_azurite.connection_string)
    print("LEFT", sorted(q.name for q in client.list_queues(name_starts_with=PREFIX)))
"""
    )
    record = pytester.path / "rec" / "messages.jsonl"
    record.parent.mkdir()
    record.write_text(header_line("00000000") + "\n" + '{"stale": "an older run"}\n')
    result = pytester.runpytest_subprocess("-s", f"--edu-record={record}", *external)
    result.assert_outcomes(passed=2)
    lines = record.read_text().splitlines()
    assert len(lines) == 2  # a fresh header, then the one valid message
    assert '"recording"' in lines[0]
    assert "00000000" not in lines[0]
    assert [m.type for m in read_recording(record)] == ["document_processing"]
    left = next(line for line in result.stdout.lines if "LEFT" in line)
    assert left.endswith("LEFT []"), left
