"""No secret in any output: the external password and the storage account key.

The outer fixture starts a Postgres that checks a password (SCRAM) and an
Azurite whose account uses a random key, and puts a sentinel database on the
Postgres. The password holds every character a URL reserves, a space and
non-ASCII text, and is *crafted*: spliced into a URL by string formatting it
would re-target the run at the sentinel database. Inner runs with failing
tests that use ``edu_services``, ``edu_azurite``, ``edu_postgres``,
``edu_database_url`` and ``edu_config`` (asserted on, shown as locals,
printed, logged, raised) must keep both secrets out of stdout, stderr, the
junit XML, the log file and the recording; so must ``drift``, ``db`` and
``seed`` on the command line. The run must still work, and the sentinel
must not change: the password reached the server intact, and only there.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from _shared import SharedServers, external_args, shared_servers

from edu_contracts.cli import main
from edu_contracts.redaction import secret_forms

pytestmark = pytest.mark.usefixtures("inner_env")
TOKEN = secrets.token_hex(6)
ACCOUNT_KEY = base64.b64encode(secrets.token_bytes(64)).decode()


def crafted_password(port: int) -> str:
    """Spliced into ``user:{password}@host:port/db`` this would move the run to the sentinel."""
    return f"x@127.0.0.1:{port}/sentinel_keep?sslmode=disable&application_name=#%+ é/:{TOKEN}"


@pytest.fixture(scope="module")
def servers() -> Iterator[SharedServers]:
    with shared_servers(password=crafted_password, account_key=ACCOUNT_KEY) as shared:
        shared.add_sentinel_db("sentinel_keep")
        yield shared


def _leaks(servers: SharedServers, text: str) -> list[str]:
    password = servers.info.password
    assert password is not None
    forms = [*secret_forms(password), *secret_forms(ACCOUNT_KEY), TOKEN]
    return [form for form in forms if form in text]


SUITE = """
import logging
import uuid
import pytest
from sqlalchemy.engine import make_url
from edu_contracts.schemas.queue import DocumentProcessingData, DocumentProcessingMessage

log = logging.getLogger("app")

def test_services(edu_services):
    log.warning("services %r", edu_services)
    assert edu_services is None

def test_azurite(edu_azurite):
    connection_string = edu_azurite.connection_string
    assert connection_string == "x"

def test_postgres(edu_postgres):
    assert edu_postgres.admin_url == "x"

def test_database_url(edu_database_url, edu_config):
    print(repr(edu_config))
    assert edu_database_url == "x"

def test_password_in_locals(edu_database_url):
    password = make_url(edu_database_url).password
    assert password is None

def test_printed_logged_raised(edu_azurite, edu_database_url):
    print(edu_azurite.connection_string)
    print(edu_database_url)
    log.error("the url is %s", edu_database_url)
    raise RuntimeError(f"boom {edu_database_url} {edu_azurite.connection_string}")

def test_queue(edu_queue, edu_engine):
    edu_queue.send(DocumentProcessingMessage(data=DocumentProcessingData(
        document_id=uuid.uuid4(), project_id=uuid.uuid4(), user_id=uuid.uuid4())))
    with edu_engine.connect() as conn:
        pass
    assert edu_queue is None, edu_engine.url

def test_queue_reprs(edu_queue):
    assert edu_queue is None, (repr(edu_queue.tasks), repr(edu_queue.tasks.client))
"""


@pytest.mark.parametrize("workers", [0, 2], ids=["serial", "xdist"])
def test_no_run_output_holds_a_secret(
    pytester: pytest.Pytester, servers: SharedServers, workers: int
) -> None:
    before = servers.fingerprint()
    pytester.makepyfile(test_leak=SUITE)
    files = {name: pytester.path / name for name in ("junit.xml", "run.log", "rec.jsonl")}
    args = [
        *external_args(servers),
        "-l",
        "-rA",
        "-vv",
        "--log-level=DEBUG",
        f"--log-file={files['run.log']}",
        f"--junitxml={files['junit.xml']}",
        f"--edu-record={files['rec.jsonl']}",
    ]
    if workers:
        args += ["-n", str(workers)]
    result = pytester.runpytest_subprocess(*args)
    assert result.parseoutcomes().get("failed") == 8, result.stdout.str()[-3000:]
    outputs = {"stdout": result.stdout.str(), "stderr": result.stderr.str()}
    outputs |= {name: path.read_text(errors="replace") for name, path in files.items()}
    # the runs did reach the servers with the password and key (not a vacuous pass)
    assert "document_processing" in outputs["rec.jsonl"]
    assert "***" in outputs["stdout"]
    assert "TaskQueue('edu-" in outputs["stdout"]  # the queue's repr was shown, and held no key
    leaks = {name: _leaks(servers, text) for name, text in outputs.items()}
    assert not any(leaks.values()), leaks
    assert servers.fingerprint() == before, "the sentinel database changed"


def test_the_crafted_password_cannot_retarget_a_run(
    pytester: pytest.Pytester, servers: SharedServers
) -> None:
    before = servers.fingerprint()
    pytester.makepyfile(
        test_target="""
from sqlalchemy import text
def test_target(edu_connection):
    db = edu_connection.execute(text("select current_database()")).scalar()
    assert db.startswith("edu_") and db.endswith("_db_main"), db
"""
    )
    result = pytester.runpytest_subprocess(*external_args(servers))
    assert result.parseoutcomes() == {"passed": 1}, result.stdout.str()[-3000:]
    assert servers.fingerprint() == before
    assert servers.leftovers() == set()


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_output_holds_no_secret(
    capsys: pytest.CaptureFixture[str], servers: SharedServers
) -> None:
    info = servers.info
    password = info.password
    assert password is not None
    url = info.libpq_url("sentinel_keep")
    in_query = (
        f"postgresql://postgres@{info.host}:{info.port}/sentinel_keep?password={quote(password)}"
    )
    wrong = info.libpq_url("no_such_database")
    bad_password = f"postgresql://postgres:{quote(password)}-wrong@{info.host}:{info.port}/postgres"
    cases = [
        (("drift", "--url", url), 1),
        (("drift", "--url", url, "--format", "json"), 1),
        (("drift", "--url", in_query), 1),
        (("drift", "--url", in_query, "--format", "json"), 1),
        (("db", "current", "--url", url), 0),
        (("db", "current", "--url", wrong), 2),
        (("db", "check", "--url", bad_password), 2),
        (("db", "upgrade", "--url", url.replace(str(info.port), "notaport")), 2),
        (("db", "upgrade", "--url", url.replace("postgresql://", "postgresql+asyncpg://")), 2),
        (("seed", "--url", url.replace(str(info.port), "notaport"), "--scenario", "tiny"), 2),
        (("drift", "--url", wrong), 2),
    ]
    for argv, expected in cases:
        code, output = _cli(capsys, *argv)
        assert code == expected, (argv[:2], output)
        assert "Traceback" not in output
        assert not _leaks(servers, output), (argv[:2], output)
    assert servers.fingerprint()["sentinel_keep"] != "MISSING"


def test_the_leak_check_sees_a_leak(servers: SharedServers, tmp_path: Path) -> None:
    """Guard against a vacuous pass: each secret, in its encoded forms, is found."""
    password = servers.info.password
    assert password is not None
    assert _leaks(servers, f"x {quote(password, safe='')} y")
    assert _leaks(servers, f"AccountKey={ACCOUNT_KEY};")
    assert _leaks(servers, repr(password))
