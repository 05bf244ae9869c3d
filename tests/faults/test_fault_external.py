"""The external backend on servers we do not own: sentinels stay byte-identical.

The outer fixtures start a Postgres and an Azurite with the project's own
code (standing in for a shared CI server and a real storage account) and put
sentinels on them: a plain database, databases named like another run's
(``edu_00000000_…``) and like reused templates (``edu_tpl_…``, one carrying
a forged ownership marker of a dead process), a queue, and a queue named like
another run's. Inner runs pass, fail, are interrupted (SIGINT) or killed
(SIGKILL), with and without ``--edu-reuse`` and ``-n 2``. After each, every
sentinel is byte-identical (``pg_dump``, comment, flags; queue metadata and
messages) and, once the next run has reaped what a SIGKILL left, the run
left nothing of its own (a reused template excepted, which is kept on purpose).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from _shared import SharedServers, external_args, run_until_ready_then, shared_servers

from edu_contracts.services.ownership import MARKER_PREFIX

pytestmark = pytest.mark.usefixtures("inner_env")

FORGED = (
    f"{MARKER_PREFIX} kind=template name=edu_tpl_feedfacefeedface_00000000 run=tpl project=x "
    "host=any boot=any pid=999999999 start=1 state=building mac=" + "0" * 64
)

SUITE = """
import os, time, uuid
import pytest
from edu_contracts.db.models import User
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

def _message():
    return DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4()))

@pytest.mark.parametrize("n", [1, 2])
def test_uses_everything(edu_session, edu_queue, edu_postgres, n):
    edu_session.add(User(email=f"external{{n}}@example.com"))
    edu_session.commit()
    edu_queue.send(_message())
    edu_postgres.create_database(f"scratch{{n}}")
    {tail}
"""
TAILS = {
    "passing": "pass",
    "failing": "assert False, 'this run fails on purpose'",
    "killed": "open(os.environ['FAULT_READY'], 'w').close(); time.sleep(120)",
}


@pytest.fixture(scope="module")
def servers() -> Iterator[SharedServers]:
    with shared_servers() as shared:
        shared.add_sentinel_db("sentinel_keep")
        shared.add_sentinel_db("edu_00000000_db_main")
        shared.add_sentinel_db("edu_tpl_0123456789abcdef")
        shared.add_sentinel_db("edu_tpl_feedfacefeedface_00000000", comment=FORGED)
        shared.add_sentinel_queue("sentinel-keep")
        shared.add_sentinel_queue("edu-00000000-main-1", {"educontractsowner": FORGED})
        yield shared


def _args(servers: SharedServers, reuse: bool, workers: int) -> list[str]:
    args = external_args(servers)
    if reuse:
        args.append("--edu-reuse")
    if workers:
        args += ["-n", str(workers)]
    return args


@pytest.mark.slow
@pytest.mark.parametrize("workers", [0, 2], ids=["serial", "xdist"])
@pytest.mark.parametrize("reuse", [False, True], ids=["fresh", "reuse"])
@pytest.mark.parametrize("run", ["passing", "failing", "SIGINT", "SIGKILL"])
def test_sentinels_stay_byte_identical(
    pytester: pytest.Pytester, servers: SharedServers, run: str, reuse: bool, workers: int
) -> None:
    before = servers.fingerprint()
    args = _args(servers, reuse, workers)
    tail = TAILS["killed"] if run.startswith("SIG") else TAILS[run]
    pytester.makepyfile(test_external=SUITE.format(tail=tail))
    if run in ("passing", "failing"):
        result = pytester.runpytest_subprocess(*args)
        expected = {"passed": 2} if run == "passing" else {"failed": 2}
        assert result.parseoutcomes() == expected, result.stdout.str()[-3000:]
    else:
        ended = run_until_ready_then(
            pytester.path, args, pytester.path / "ready", signal.Signals[run]
        )
        if run == "SIGINT":
            assert ended.returncode == 2, ended.output[-3000:]  # pytest's "interrupted"
    assert servers.fingerprint() == before, f"{run}: a sentinel changed"
    # Ctrl-C under xdist may stop a worker before its teardown: like a kill,
    # what it leaves must be reaped by the next run (a serial Ctrl-C cleans up).
    if run == "SIGKILL" or (run == "SIGINT" and workers and servers.leftovers()):
        left = servers.leftovers()
        if run == "SIGKILL":
            assert any(n.startswith("edu-") for n in left), f"nothing to reap? {left}"
        if (
            run == "SIGKILL" and not reuse
        ):  # the run's own template refuses connections: still reaped
            flags = servers.databases()
            templates = [n for n in left if n in flags and not flags[n][2]]
            assert templates, left
        pytester.makepyfile(test_external=SUITE.format(tail="pass"))
        result = pytester.runpytest_subprocess(*args)
        assert result.parseoutcomes() == {"passed": 2}, result.stdout.str()[-3000:]
        assert "left by killed runs" in result.stdout.str()
        assert servers.fingerprint() == before, "the reaping run changed a sentinel"
    assert servers.leftovers() == set(), f"{run}: the run left its own"


def test_the_sentinel_setup_is_real(servers: SharedServers) -> None:
    """Guard against a vacuous pass: the fingerprint sees a changed sentinel."""
    before = servers.fingerprint()
    with servers.connect("sentinel_keep") as conn:
        conn.execute("UPDATE keep SET note = 'changed' WHERE id = 1")
    try:
        assert servers.fingerprint() != before
    finally:
        with servers.connect("sentinel_keep") as conn:
            conn.execute("UPDATE keep SET note = 'sentinel row' WHERE id = 1")
    assert servers.fingerprint() == before
