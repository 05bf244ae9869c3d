"""edu_async_queue and edu_queue from the outside: suites run in a fresh pytest.

The async suite runs under anyio's plugin and, where it is installed, under
pytest-asyncio's default (strict) mode; the undecodable-output suites show that a producer putting
garbage on its queue fails its test at teardown (sync and async), that
``expect`` lists such messages with their errors, and that the recording
marks them so ``can-i-deploy`` fails.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from edu_contracts.services import Services
from edu_contracts.workflows.deploy import can_i_deploy
from edu_contracts.workflows.recording import read_recording

HEADER = """
import base64, uuid
import pytest
from azure.storage.queue import QueueClient
from azure.storage.queue.aio import QueueClient as AioClient
from edu_contracts.queue import AsyncTaskQueue
from edu_contracts.schemas.queue import DocumentProcessingMessage, QuizGenerationMessage

def _message():
    return DocumentProcessingMessage.of(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4())

@pytest.fixture
def anyio_backend():
    return "asyncio"
"""

ASYNC_SUITE = (
    HEADER
    + """
@pytest.mark.MARK
async def test_1_send_expect_receive_ack(edu_async_queue):
    sent = await edu_async_queue.send(_message())
    found = await edu_async_queue.expect(
        "document_processing", document_id=sent.message.data.document_id)
    assert found == sent.message
    (task,) = await edu_async_queue.receive()
    await edu_async_queue.ack(task)
    assert await edu_async_queue.messages() == []

@pytest.mark.MARK
async def test_2_own_empty_queue_and_code_under_test_reaches_it(edu_async_queue):
    assert await edu_async_queue.messages() == []
    # the application's own aio client, from the fixture's name and connection string
    async with AsyncTaskQueue.from_connection_string(
        edu_async_queue.connection_string, edu_async_queue.name
    ) as app_queue:
        await app_queue.send_many([_message(), _message()])
    assert len(await edu_async_queue.messages()) == 2

@pytest.mark.MARK
async def test_3_send_raw_is_the_tests_own_garbage_and_is_poisoned(edu_async_queue):
    await edu_async_queue.send_raw("not base64 json")
    result = await edu_async_queue.receive()
    assert list(result) == []
    (poisoned,) = result.poisoned
    assert poisoned.error == "NotBase64Error"
    (record,) = await edu_async_queue.poisoned()
    assert record.raw_text == "not base64 json"
    assert edu_async_queue.poison_name == edu_async_queue.name + "-poison"

@pytest.mark.anyio
async def test_4_under_anyio(edu_async_queue):
    await edu_async_queue.send_many([_message() for _ in range(3)])
    assert len(await edu_async_queue.messages()) == 3
"""
)

GARBAGE_SUITE = (
    HEADER
    + """
def test_sync_producer_sends_garbage(edu_queue):
    own = QueueClient.from_connection_string(edu_queue.connection_string, edu_queue.name)
    own.send_message("this is not base64 JSON")  # the buggy code under test
    own.close()

@pytest.mark.MARK
async def test_async_producer_sends_garbage(edu_async_queue):
    body = '{"type": "quiz_generation", "data": {"count": "5"}}'
    async with AioClient.from_connection_string(
        edu_async_queue.connection_string, edu_async_queue.name
    ) as own:
        await own.send_message(base64.b64encode(body.encode()).decode())

@pytest.mark.MARK
async def test_expect_lists_undecodable_messages(edu_async_queue):
    async with AioClient.from_connection_string(
        edu_async_queue.connection_string, edu_async_queue.name
    ) as own:
        await own.send_message("QUJD====")
    await edu_async_queue.expect("document_processing")
"""
)


def _outcomes(result: pytest.RunResult) -> dict[str, int]:
    return result.parseoutcomes()


@pytest.fixture
def external(edu_services: Services) -> list[str]:
    return [
        "--edu-backend=external",
        f"--edu-postgres-url={edu_services.postgres.libpq_url()}",
        f"--edu-azure-connection-string={edu_services.azurite.connection_string}",
    ]


def test_async_queue_suite_under_anyio(pytester: pytest.Pytester, external: list[str]) -> None:
    pytester.makepyfile(test_aq=ASYNC_SUITE.replace("MARK", "anyio"))
    ini = "[pytest]\nfilterwarnings = error\n"
    if importlib.util.find_spec("pytest_asyncio"):  # installed: it insists on the setting
        ini += "asyncio_default_fixture_loop_scope = function\n"
    pytester.makeini(ini)
    result = pytester.runpytest_subprocess("-q", *external)
    assert _outcomes(result) == {"passed": 4}, result.stdout.str()


def test_async_queue_suite_under_pytest_asyncio_strict_mode(
    pytester: pytest.Pytester, external: list[str]
) -> None:
    pytest.importorskip(
        "pytest_asyncio", reason="pytest-asyncio is not installed here (this repo uses anyio)"
    )
    pytester.makepyfile(test_aq=ASYNC_SUITE.replace("MARK", "asyncio"))
    pytester.makeini(
        "[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = pytester.runpytest_subprocess("-q", *external)
    assert _outcomes(result) == {"passed": 4}, result.stdout.str()


def test_undecodable_producer_output_fails_at_teardown_and_in_can_i_deploy(
    pytester: pytest.Pytester, external: list[str]
) -> None:
    pytester.makepyfile(test_garbage=GARBAGE_SUITE.replace("MARK", "anyio"))
    record = pytester.path / "messages.jsonl"
    result = pytester.runpytest_subprocess("-q", f"--edu-record={record}", *external)
    out = result.stdout.str()
    # the two producers pass their bodies but error at teardown; expect fails (and errors)
    result.assert_outcomes(passed=2, failed=1, errors=3)
    assert "do not decode as QueueTaskMessage" in out
    assert "NotBase64Error" in out
    assert "PayloadInvalidError at data" in out
    assert "UNDECODABLE message" in out  # expect's listing, not "the queue is empty"
    assert "it holds 0 message(s) and 1 that do not decode" in out

    recorded = read_recording(record)
    marked = [m for m in recorded if m.undecodable is not None]
    assert {m.undecodable.error for m in marked if m.undecodable} == {
        "NotBase64Error",
        "PayloadInvalidError",
    }
    header, *lines = record.read_text().splitlines()
    assert json.loads(header)["edu_contracts"] == "recording"  # the file says it is ours
    assert all(json.loads(line)["undecodable"] for line in lines)
    verdict = can_i_deploy(str(record), "1.0.0")
    assert not verdict.ok
    found = [finding for _, finding in verdict.breaking()]
    assert any("does not decode" in finding.message for finding in found)
    assert any("NotBase64Error" in finding.message for finding in found)
